// Package sidecar reads, merges, writes and removes Spotter's keywords in XMP sidecars, the
// NAME.EXT.xmp (darktable, digiKam) or NAME.xmp (Lightroom) files photo apps read keywords from.
//
// A sidecar is edited in place, never replaced: Spotter splices its keywords into the bytes it
// read, so every property, prefix and layout it does not own is written back as it was. Its own
// namespace records which keywords it added, so Remove takes away those and nothing else. Files
// are written through a temporary file in the same folder, synced and renamed over the old one;
// the photo itself is never opened.
package sidecar

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Keywords is what Spotter writes for one photo.
type Keywords struct {
	Subjects    []string // dc:subject: the everyday name and its categories, e.g. "cat", "animal"
	Hierarchies []string // lr:hierarchicalSubject: levels joined by "|", e.g. "animal|cat"; also digiKam's tag lists ("animal/cat") where the sidecar has them
	Class       string   // the model's exact class, e.g. "Egyptian cat"
	Probability float32
	Model       string
	Date        time.Time
	// Faces are the faces Spotter found, unnamed, written as MWG face regions
	// (mwg-rs:Regions) on a photo of Dimensions pixels, width first. They are
	// written only where the sidecar holds no regions of anyone else's, whose
	// names Spotter must not disturb.
	Faces      []Region
	Dimensions [2]int
}

// Region is a face's area as a share of the photo's width and height: its
// centre X, Y and its size W, H, each in [0, 1], as MWG regions are.
type Region struct{ X, Y, W, H float32 }

// Change says what Write or Remove did, or what Plan and PlanRemove say they would do.
type Change struct {
	Sidecar               string // the sidecar's path
	Create                bool   // there was no sidecar: Write makes one
	Delete                bool   // Spotter made the sidecar and nothing else is in it: Remove deletes it
	Changed               bool   // false when the sidecar already says this and is left alone
	Subjects, Hierarchies Diff
	// Faces is how many face regions Spotter writes anew, or on Remove takes away.
	Faces int
}

// Diff is one keyword list's change.
type Diff struct {
	Added   []string
	Present []string // asked for and already there (a person's own keyword stays theirs)
	Removed []string // Spotter's earlier keywords that are no longer asked for, or all of them on Remove
}

// Info is what a sidecar holds.
type Info struct {
	Sidecar     string // the path Path chose, whether or not the file exists
	Exists      bool
	Subjects    []string  // every dc:subject keyword, the person's and Spotter's
	Hierarchies []string  // every lr:hierarchicalSubject
	Spotter     *Keywords // Spotter's record; its Subjects and Hierarchies are the ones Spotter added. Nil when none.
	Created     bool      // Spotter made the file
}

// Path returns the sidecar for photo: an existing NAME.EXT.xmp, else an existing NAME.xmp
// (Lightroom's form), else NAME.EXT.xmp, the form darktable and digiKam write. Upper-case .XMP
// counts as existing too.
func Path(photo string) string {
	base := strings.TrimSuffix(photo, filepath.Ext(photo))
	for _, p := range []string{photo + ".xmp", photo + ".XMP", base + ".xmp", base + ".XMP"} {
		if _, err := os.Lstat(p); err == nil {
			return p
		}
	}
	return photo + ".xmp"
}

// Read returns what photo's sidecar holds; a photo without one gives an Info with Exists false.
func Read(photo string) (Info, error) {
	s, err := load(photo)
	if err != nil || s.doc == nil {
		return Info{Sidecar: s.path}, err
	}
	v := s.doc.view()
	return Info{Sidecar: s.path, Exists: true, Subjects: allValues(v.bags[listSubjects]), Hierarchies: allValues(v.bags[listHierarchies]), Spotter: v.record, Created: v.created}, nil
}

// Plan says what Write would do and writes nothing.
func Plan(photo string, k Keywords) (Change, error) {
	c, _, err := planWrite(photo, k)
	return c, err
}

// Write merges k into photo's sidecar, creating it when there is none. The person's keywords
// stay, none is written twice, and keywords Spotter wrote before that k no longer has go. A
// sidecar that already says this is not rewritten.
func Write(photo string, k Keywords) (Change, error) {
	c, s, err := planWrite(photo, k)
	if err != nil || !c.Changed {
		return c, err
	}
	return c, s.replace()
}

// PlanRemove says what Remove would do and changes nothing.
func PlanRemove(photo string) (Change, error) {
	c, _, err := planRemove(photo)
	return c, err
}

// Remove takes away the keywords Spotter added and its record, and deletes the sidecar when
// Spotter made it and nothing else is left in it.
func Remove(photo string) (Change, error) {
	c, s, err := planRemove(photo)
	if err != nil || !c.Changed {
		return c, err
	}
	if c.Delete {
		return c, s.remove()
	}
	return c, s.replace()
}

func planWrite(photo string, k Keywords) (Change, *sidecar, error) {
	for _, list := range [][]string{k.Subjects, k.Hierarchies, {k.Class, k.Model}} {
		for _, s := range list {
			if err := checkText(s); err != nil {
				return Change{}, nil, fmt.Errorf("Spotter cannot write keywords for %s: %w.", photo, err)
			}
		}
	}
	s, err := load(photo)
	if err != nil {
		return Change{Sidecar: s.path}, nil, err
	}
	created := s.doc == nil
	if created {
		if s.doc, err = parse([]byte(fresh)); err != nil {
			panic(err) // fresh is a constant
		}
	}
	out, c, err := merge(s.doc, k, created)
	c.Sidecar, c.Create = s.path, created
	if errors.Is(err, errNoBag) {
		return c, nil, fmt.Errorf("%s holds %v, a form of keyword list Spotter cannot add to without rewriting it. Spotter leaves the file as it is; rewrite the keywords in your photo app, then tag again.", s.path, err)
	}
	if err != nil {
		return c, nil, fmt.Errorf("Spotter could not merge its keywords into %s (%w). The file is left as it is.", s.path, err)
	}
	s.out = out
	return c, s, s.writable(c)
}

// writable refuses to change a sidecar nobody may write: renaming over it would work all the
// same, but its mode says to leave it be.
func (s *sidecar) writable(c Change) error {
	if c.Changed && s.info != nil && s.info.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("%s is read-only. Spotter leaves it as it is; make it writable, then tag again.", s.path)
	}
	return nil
}

func planRemove(photo string) (Change, *sidecar, error) {
	s, err := load(photo)
	c := Change{Sidecar: s.path}
	if err != nil || s.doc == nil {
		return c, s, err
	}
	out, c, empty, err := unmerge(s.doc)
	c.Sidecar, c.Delete = s.path, empty
	if err != nil {
		return c, nil, fmt.Errorf("Spotter could not take its keywords out of %s (%w). The file is left as it is.", s.path, err)
	}
	s.out = out
	return c, s, s.writable(c)
}

// maxSize bounds what is read as a sidecar; real ones, even with long darktable histories,
// stay far below it.
const maxSize = 64 << 20

// sidecar is one sidecar file as read, with what is to be written in its place.
type sidecar struct {
	path string
	info os.FileInfo // nil when there is no file
	doc  *document
	out  []byte
}

func load(photo string) (*sidecar, error) {
	s := &sidecar{path: Path(photo)}
	switch fi, err := os.Lstat(photo); {
	case errors.Is(err, os.ErrNotExist):
		return s, fmt.Errorf("%s does not exist, so Spotter writes no sidecar for it.", photo)
	case err != nil:
		return s, fmt.Errorf("%s cannot be read: %w", photo, err)
	case fi.IsDir():
		return s, fmt.Errorf("%s is a folder; keywords are written for each photo in it, not for the folder.", photo)
	}
	fi, err := os.Lstat(s.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return s, nil
	case err != nil:
		return s, fmt.Errorf("%s cannot be read: %w", s.path, err)
	case fi.Mode()&os.ModeSymlink != 0:
		return s, fmt.Errorf("%s is a symbolic link. Spotter does not write through links, so it leaves it as it is; replace the link with a copy of the file it points to, then tag again.", s.path)
	case !fi.Mode().IsRegular():
		return s, fmt.Errorf("%s is not a regular file, so it cannot be a sidecar. Spotter leaves it as it is; move it away, then tag again.", s.path)
	case fi.Size() > maxSize:
		return s, fmt.Errorf("%s is %d MB, too large for an XMP sidecar. Spotter leaves it as it is; move it away, then tag again.", s.path, fi.Size()>>20)
	}
	f, err := os.OpenFile(s.path, os.O_RDONLY|noFollow, 0)
	if err != nil {
		return s, fmt.Errorf("%s cannot be read: %w", s.path, err)
	}
	defer f.Close()
	if s.info, err = f.Stat(); err != nil {
		return s, fmt.Errorf("%s cannot be read: %w", s.path, err)
	}
	if !s.info.Mode().IsRegular() {
		// Replaced since the Lstat above, by a folder, or on Windows by a
		// link, which noFollow opens as itself there.
		return s, fmt.Errorf("%s changed while Spotter was reading it. Spotter leaves it as it is; tag again.", s.path)
	}
	src, err := io.ReadAll(io.LimitReader(f, maxSize))
	if err != nil {
		return s, fmt.Errorf("%s cannot be read: %w", s.path, err)
	}
	s.doc, err = parse(src)
	var nx *notXMPError
	switch {
	case errors.Is(err, errCutOff):
		return s, fmt.Errorf("%s is cut off: the file ends before its XMP does. Spotter leaves it as it is; if a program is still writing it, try again later, else restore it from a backup.", s.path)
	case errors.As(err, &nx):
		return s, fmt.Errorf("%s is not an XMP sidecar: %s. Spotter leaves it as it is; move it away or repair it, then tag again.", s.path, nx.why)
	case err != nil:
		return s, err
	}
	return s, nil
}
