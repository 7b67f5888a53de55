package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/folders"
)

// Scanned is what a scan found.
type Scanned struct {
	// Photos were found; Queued of them are to classify (new or changed),
	// Gone were in the catalogue and are no more.
	Photos, Queued, Gone int
	// Away: the library folder is away (its drive unmounted); nothing was
	// compared and its photos are offline.
	Away bool
}

// ScanRoot compares the library folder root with the catalogue: new and
// changed photos are queued, newest first; photos gone are marked so
// (catalog.Gone); photos back are no longer missing. A folder away is
// marked offline instead (OnNotice says so, once), and one back online
// again. visitDir, when set, sees each folder before it is listed (the
// watcher adds its watches there).
func (ix *Indexer) ScanRoot(ctx context.Context, rules folders.Rules, root catalog.Folder, visitDir func(dir string)) (Scanned, error) {
	present, err := ix.CheckRoot(root)
	if err != nil || !present {
		return Scanned{Away: !present}, err
	}
	return ix.scan(ctx, rules, root.Path, true, visitDir, func() bool {
		// Unmounted during the walk: what was not found is away, not gone.
		if _, ok := folders.Present(root.Path, root.Mount); !ok {
			_, err = ix.CheckRoot(root)
			return false
		}
		return true
	})
}

// ScanDir is ScanRoot for the folder dir alone, not the folders below it:
// the periodic rescan of a folder the watcher could not watch.
func (ix *Indexer) ScanDir(ctx context.Context, rules folders.Rules, dir string, visitDir func(dir string)) (Scanned, error) {
	return ix.scan(ctx, rules, dir, false, visitDir, func() bool { return true })
}

// CheckRoot tells whether the library folder root is there, marking its
// photos offline when it went away and present when it came back, with a
// notice each time.
func (ix *Indexer) CheckRoot(root catalog.Folder) (present bool, err error) {
	mount, ok := folders.Present(root.Path, root.Mount)
	switch {
	case !ok && root.Offline.IsZero():
		if err := ix.cat.MarkOffline(root.Path); err != nil {
			return false, err
		}
		ix.notice(Notice{Kind: FolderAway, Path: root.Path, Text: fmt.Sprintf(
			"The library folder %s is away (a drive unmounted?). Its photos stay in the catalogue, offline, and are looked at again when it is back.", folders.Tilde(root.Path))})
	case ok && !root.Offline.IsZero():
		if err := ix.cat.MarkOnline(root.Path, mount); err != nil {
			return true, err
		}
		ix.notice(Notice{Kind: FolderBack, Path: root.Path, Text: fmt.Sprintf("The library folder %s is back.", folders.Tilde(root.Path))})
	case ok && mount != root.Mount:
		return true, ix.cat.MarkOnline(root.Path, mount)
	}
	return ok, nil
}

// scan compares dir with the catalogue and, if stillThere says the
// folder is still there after the walk, stores what it found and queues
// its photos.
func (ix *Indexer) scan(ctx context.Context, rules folders.Rules, dir string, recursive bool, visitDir func(string), stillThere func() bool) (Scanned, error) {
	ix.mu.Lock()
	ix.rules = rules
	ix.scanning++
	ix.mu.Unlock()
	defer func() {
		ix.mu.Lock()
		ix.scanning--
		ix.mu.Unlock()
		ix.report(true)
	}()
	m, _ := ix.opts.Model()
	known := map[string]catalog.Known{}
	err := ix.cat.Files(dir, m, func(p string, k catalog.Known) {
		if recursive || filepath.Dir(p) == dir {
			known[p] = k
		}
	})
	if err != nil {
		return Scanned{}, err
	}
	var (
		s       Scanned
		items   []Item
		present []string // unchanged photos marked missing before
		gone    []string
	)
	err = rules.Walk(ctx, dir, recursive, visitDir, func(p string, fi fs.FileInfo) {
		s.Photos++
		k, ok := known[p]
		delete(known, p)
		switch {
		case fi.Size() == 0:
			// Being written, most likely: the watcher sees it finish.
		case ok && unchanged(k, fi):
			if k.Missing {
				present = append(present, p)
			}
		default:
			items = append(items, Item{Path: p, MTime: fi.ModTime()})
		}
	})
	if err != nil || !stillThere() {
		return Scanned{Away: err == nil}, err
	}
	// What the walk did not see may still be there, out of its sight: in
	// an excluded or hidden folder, behind a link. Only what is not there
	// is gone.
	for p, k := range known {
		if _, err := os.Lstat(p); !k.Missing && errors.Is(err, fs.ErrNotExist) {
			gone = append(gone, p)
		}
	}
	if len(present) > 0 {
		if err := ix.cat.Present(present...); err != nil {
			return s, err
		}
	}
	if len(gone) > 0 {
		if s.Gone, err = ix.cat.Gone(gone...); err != nil {
			return s, err
		}
	}
	s.Queued = len(items)
	ix.Add(items...)
	return s, nil
}
