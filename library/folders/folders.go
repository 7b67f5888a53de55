// Package folders is the person's library folders as Spotter keeps them:
// which files in them are photos to index (Rules), walking them, adding
// and excluding folders with the checks a person needs, and telling a
// folder whose drive is away from one that was deleted (Present).
package folders

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spotter-app/spotter/inference/collect"
	"github.com/spotter-app/spotter/inference/preprocess"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/thumbs"
)

// Rules say which folders and files of the library folders are indexed:
// not hidden ones, not excluded folders, not Spotter's own files (the
// catalogue, the thumbnail cache, XMP sidecars, which are no photos), and
// only files named as photos.
type Rules struct {
	roots    []string
	excluded []string
	// own are Spotter's files and folders, never indexed even when a
	// library folder holds them.
	own []string
}

// NewRules are the rules for the library folders roots, without the
// excluded folders, and never indexing own (files or folders).
func NewRules(roots, excluded, own []string) Rules {
	return Rules{roots: slices.Clone(roots), excluded: slices.Clone(excluded), own: slices.Clone(own)}
}

// Load reads the library folders and exclusions from the catalogue, with
// its own file and the thumbnail cache as Spotter's own.
func Load(cat *catalog.Catalog) (Rules, []catalog.Folder, error) {
	roots, err := cat.Folders(catalog.Library)
	if err != nil {
		return Rules{}, nil, err
	}
	excluded, err := cat.Folders(catalog.Excluded)
	if err != nil {
		return Rules{}, nil, err
	}
	var own []string
	if p := cat.Path(); p != "" {
		own = append(own, p, p+"-wal", p+"-shm", p+"-journal")
	}
	if d, err := thumbs.Dir(); err == nil {
		own = append(own, d)
	}
	return NewRules(paths(roots), paths(excluded), own), roots, nil
}

func paths(fs []catalog.Folder) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Path
	}
	return out
}

// Roots are the library folders.
func (r Rules) Roots() []string { return r.roots }

// Equal reports whether r and o choose the same files.
func (r Rules) Equal(o Rules) bool {
	return slices.Equal(r.roots, o.roots) && slices.Equal(r.excluded, o.excluded) && slices.Equal(r.own, o.own)
}

// Root is the library folder that holds path, "" when none does.
func (r Rules) Root(path string) string {
	for _, root := range r.roots {
		if Within(path, root) {
			return root
		}
	}
	return ""
}

// Within reports whether path is dir or inside it.
func Within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir) &&
		(strings.HasSuffix(dir, string(filepath.Separator)) || path[len(dir)] == filepath.Separator)
}

// SkipDir reports whether the folder at path is left out: hidden,
// excluded or Spotter's own.
func (r Rules) SkipDir(path string) bool {
	return hidden(path) || slices.ContainsFunc(r.excluded, func(e string) bool { return Within(path, e) }) ||
		slices.Contains(r.own, path)
}

// Photo reports whether the file at path is a photo to index: named as
// one (a rescan must not open every file of a large library to sniff
// it; `spotter classify` and the window still read what is dropped on
// them whatever its name), not hidden, not Spotter's own. It does not
// look at the folders above it: Walk and the watcher only see files in
// folders they keep.
func (r Rules) Photo(path string) bool {
	if hidden(path) || slices.Contains(r.own, path) {
		return false
	}
	ext := strings.ToLower(filepath.Ext(path))
	return slices.Contains(collect.ImageExtensions, ext) || preprocess.IsRAWName(path)
}

func hidden(path string) bool { return strings.HasPrefix(filepath.Base(path), ".") }

// Walk visits dir and every folder below it the rules keep, depth first,
// in name order. It calls dir for each folder before listing it (the
// watcher adds its watch there, so a file created after the listing is
// not missed) and photo for each photo in it. Links to folders are not
// followed: a link can loop, and inotify sees through none; links to
// photos are, with the photo's own FileInfo. A folder that cannot be read
// is skipped. It returns ctx's error when ctx ends first; with recursive
// false it lists dir alone.
func (r Rules) Walk(ctx context.Context, dir string, recursive bool, visitDir func(dir string), photo func(path string, fi fs.FileInfo)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if visitDir != nil {
		visitDir(dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir():
			if recursive && !r.SkipDir(p) {
				if err := r.Walk(ctx, p, true, visitDir, photo); err != nil {
					return err
				}
			}
		case !r.Photo(p):
		case e.Type()&fs.ModeSymlink != 0:
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				photo(p, fi)
			}
		case e.Type().IsRegular():
			if fi, err := e.Info(); err == nil {
				photo(p, fi)
			}
		}
	}
	return nil
}

// Add makes path (made absolute) a library folder and returns it as
// stored. It must be a folder that exists. A folder inside a library
// folder is indexed already, so it is refused; library folders inside it
// give way to it (replaced names them). An excluded folder added is
// excluded no more.
func Add(cat *catalog.Catalog, path string) (stored string, replaced []string, err error) {
	path, err = filepath.Abs(path)
	if err != nil {
		return "", nil, err
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil, fmt.Errorf("%s does not exist: name a folder that holds photos", path)
	case err != nil:
		return "", nil, fmt.Errorf("%s cannot be read (%v): check its permissions", path, err)
	case !fi.IsDir():
		return "", nil, fmt.Errorf("%s is a file, not a folder: name the folder that holds it", path)
	}
	roots, err := cat.Folders(catalog.Library)
	if err != nil {
		return "", nil, err
	}
	for _, r := range roots {
		switch {
		case r.Path == path:
			return path, nil, nil
		case Within(path, r.Path):
			return "", nil, fmt.Errorf("%s is inside the library folder %s, which Spotter indexes already", path, r.Path)
		case Within(r.Path, path):
			replaced = append(replaced, r.Path)
		}
	}
	mount, _ := Present(path, "")
	if err := cat.SetFolder(path, catalog.Library, mount); err != nil {
		return "", nil, err
	}
	for _, r := range replaced {
		if _, err := cat.RemoveFolder(r, catalog.Library); err != nil {
			return path, nil, err
		}
	}
	return path, replaced, nil
}

// Remove stops indexing and watching the library folder path (made
// absolute); its photos and their answers stay in the catalogue.
func Remove(cat *catalog.Catalog, path string) (string, error) {
	return forget(cat, path, catalog.Library, "%s is not a library folder (spotter library list shows them)")
}

// forget removes path (made absolute) as a folder of that kind; notOne
// says it was none.
func forget(cat *catalog.Catalog, path string, kind catalog.FolderKind, notOne string) (string, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	found, err := cat.RemoveFolder(path, kind)
	if err == nil && !found {
		err = fmt.Errorf(notOne, path)
	}
	return path, err
}

// Exclude leaves the folder path (made absolute), inside a library
// folder, out of indexing and watching. Its photos already in the
// catalogue stay.
func Exclude(cat *catalog.Catalog, path string) (string, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	roots, err := cat.Folders(catalog.Library)
	if err != nil {
		return "", err
	}
	inside := false
	for _, r := range roots {
		if r.Path == path {
			return "", fmt.Errorf("%s is a library folder: remove it instead (spotter library remove %s)", path, path)
		}
		inside = inside || Within(path, r.Path)
	}
	if !inside {
		return "", fmt.Errorf("%s is not inside a library folder, so it is not indexed anyway", path)
	}
	return path, cat.SetFolder(path, catalog.Excluded, "")
}

// Include indexes the excluded folder path (made absolute) again.
func Include(cat *catalog.Catalog, path string) (string, error) {
	return forget(cat, path, catalog.Excluded, "%s is not excluded (spotter library list shows what is)")
}
