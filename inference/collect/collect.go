// Package collect turns what a person drops or names (photos and folders)
// into the list of photos to classify.
package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spotter-app/spotter/inference/preprocess"
)

// Walk calls found for each photo under paths, in order: a file named
// directly is always reported (a bad one earns its own message later);
// folders are walked recursively, in name order, skipping hidden entries,
// and their files are kept when their content looks like an image or their
// name has an image extension. Symbolic links to folders are followed once:
// a link back to a folder already walked is skipped, so loops end.
//
// A folder named in paths in which no photo was found is not silently
// nothing: after walking everything, Walk returns a *NoPhotosError naming
// each. It returns ctx's error when ctx ends first.
func Walk(ctx context.Context, paths []string, found func(path string)) error {
	w := walker{ctx: ctx, seen: map[string]bool{}}
	var empty []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil || !info.IsDir() {
			found(p)
			continue
		}
		n := 0
		w.found = func(p string) {
			n++
			found(p)
		}
		if err := w.dir(p); err != nil {
			return err
		}
		if n == 0 {
			empty = append(empty, p)
		}
	}
	if len(empty) > 0 {
		return &NoPhotosError{Folders: empty}
	}
	return nil
}

// NoPhotosError names the folders in which Walk found no photo.
type NoPhotosError struct {
	Folders []string
}

func (e *NoPhotosError) Error() string {
	return NoPhotosIn(strings.Join(e.Folders, ", "))
}

// NoPhotosIn is the message for one folder (or a list of them) that holds
// no photo, for a record of its own.
func NoPhotosIn(folder string) string {
	return fmt.Sprintf("%s holds no photos Spotter can read (%s). Drop a folder that has photos in it, or the photos themselves", folder, preprocess.Supported)
}

type walker struct {
	ctx   context.Context
	found func(string)
	seen  map[string]bool // folders walked, by their resolved path
}

func (w *walker) dir(dir string) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil || w.seen[real] {
		return nil
	}
	w.seen[real] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // an unreadable folder holds nothing we can classify
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		info, err := os.Stat(p) // follows links
		switch {
		case err != nil:
			// A broken or looping link: worth a row only if it was
			// meant to be a photo.
			if hasImageExtension(p) {
				w.found(p)
			}
		case info.IsDir():
			if err := w.dir(p); err != nil {
				return err
			}
		case info.Mode().IsRegular() && (hasImageExtension(p) || looksLikeImage(p)):
			w.found(p)
		}
	}
	return nil
}

// ImageExtensions are the names the file dialog offers and folders keep
// even when their content is damaged, so the person learns about them.
var ImageExtensions = []string{".jpg", ".jpeg", ".jpe", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp",
	".heic", ".heif", ".avif", ".jxl"}

func hasImageExtension(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return slices.Contains(ImageExtensions, ext) || preprocess.IsRAWName(p)
}

func looksLikeImage(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return false
	}
	return preprocess.LooksLikeImage(head[:n])
}
