// Package watch keeps the catalogue in step with the library folders while
// Spotter runs: new and changed photos are classified once their writes
// have settled, moved and renamed photos and folders keep their answers
// (no file is read for a rename the system reports as one), deleted
// photos are marked missing and pruned after a grace period, and a
// library folder whose drive is unmounted keeps its photos, offline.
// Folders that cannot be watched are rescanned periodically instead, and
// it says so once.
//
// On Linux it speaks inotify directly (golang.org/x/sys/unix) rather than
// through fsnotify: fsnotify 1.9 keeps IN_CLOSE_WRITE and the rename
// cookie that pairs IN_MOVED_FROM with IN_MOVED_TO unexported, and drops
// IN_UNMOUNT, which are what tell a finished copy, a renamed folder and an
// unmounted drive apart from new photos and deletions. On Windows it
// calls ReadDirectoryChangesW itself, once per library folder with its
// subtree (see watch_windows.go for why not through fsnotify).
package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/folders"
	"github.com/spotter-app/spotter/library/index"
)

// Options tune a Watcher; zero values take the defaults.
type Options struct {
	// Settle is how long a new or changed photo must stay the same size
	// and age, once its writer closed it, before it is classified.
	Settle time.Duration
	// Unclosed is the same for a photo whose writer did not close it (or
	// whose filesystem does not say so).
	Unclosed time.Duration
	// Grace is how long a deleted photo stays in the catalogue, missing,
	// with its answers and reviews, before it is pruned.
	Grace time.Duration
	// Rescan is how often the folders that could not be watched are
	// scanned instead.
	Rescan time.Duration
	// Poll is how often the library folders are looked at: added or
	// removed by another process, away or back.
	Poll time.Duration
}

// The defaults.
const (
	DefaultSettle   = time.Second
	DefaultUnclosed = 10 * time.Second
	DefaultGrace    = 30 * 24 * time.Hour
	DefaultRescan   = time.Minute
	DefaultPoll     = 2 * time.Second
)

// tick is how often settling photos and unpaired moves are looked at.
const tick = 100 * time.Millisecond

// pruneEvery is how often photos missing past the grace period are
// pruned, or the grace period when shorter.
const pruneEvery = time.Hour

// Watcher watches the library folders of a catalogue. Run it as an
// index.Feed.
type Watcher struct {
	cat  *catalog.Catalog
	opts Options

	watches atomic.Int64
}

// New makes a Watcher of cat's library folders.
func New(cat *catalog.Catalog, opts Options) *Watcher {
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&opts.Settle, DefaultSettle}, {&opts.Unclosed, DefaultUnclosed}, {&opts.Grace, DefaultGrace},
		{&opts.Rescan, DefaultRescan}, {&opts.Poll, DefaultPoll}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	return &Watcher{cat: cat, opts: opts}
}

// Watches is how many folders are watched now.
func (w *Watcher) Watches() int { return int(w.watches.Load()) }

// run is one Run's state, touched by its goroutine alone.
type run struct {
	*Watcher
	ix    *index.Indexer
	rules folders.Rules
	roots []catalog.Folder
	backend

	unwatched map[string]bool // folders that could not be watched
	limitSaid bool

	settling map[string]*settling
	moves    map[uint32]move // opMovedFrom waiting for its opMovedTo
	gone     []string        // deletions not yet stored
	pruned   time.Time
	// overflowed: the system dropped events; recheck: a library folder
	// may have gone. Both are acted on once a batch of events is through.
	overflowed, recheck bool
}

// settling is a photo being written.
type settling struct {
	last   time.Time // its last event, or the last time it was seen to change
	closed bool      // its writer closed it since it last wrote
	seen   bool      // size and mtime were read
	size   int64
	mtime  time.Time
}

type move struct {
	from string
	dir  bool
	at   time.Time
}

// Run watches until ctx ends: it scans and watches every library folder,
// then follows what the system reports. When it cannot watch at all, it
// says so and rescans every library folder every Rescan instead.
func (w *Watcher) Run(ctx context.Context, ix *index.Indexer) error {
	r := &run{Watcher: w, ix: ix, backend: newBackend(), unwatched: map[string]bool{},
		settling: map[string]*settling{}, moves: map[uint32]move{}}
	events, stop := r.open() // events is nil, so never ready, when nothing can be watched
	defer stop()

	if err := r.reload(ctx, true); err != nil {
		return err
	}
	ix.Ready()
	r.prune()
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	poll := time.NewTicker(w.opts.Poll)
	defer poll.Stop()
	rescan := time.NewTicker(w.opts.Rescan)
	defer rescan.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case batch, ok := <-events:
			if !ok {
				return errors.New(api + " stopped reporting; restart Spotter to watch the library folders again")
			}
			for _, ev := range batch {
				r.handle(ctx, ev)
			}
			r.storeGone()
			if r.overflowed || r.recheck {
				if err := r.reload(ctx, r.overflowed); err != nil {
					r.problem("The library folders could not be looked at again", err)
				}
				r.overflowed, r.recheck = false, false
			}
		case <-ticker.C:
			r.settle()
			r.expireMoves()
			r.storeGone()
		case <-poll.C:
			if err := r.reload(ctx, false); err != nil {
				r.problem("The library folders could not be read from the catalogue", err)
			}
			if time.Since(r.pruned) >= min(pruneEvery, r.opts.Grace) {
				r.prune()
			}
		case <-rescan.C:
			var err error
			if events == nil {
				err = r.reload(ctx, true)
			} else {
				r.rescanUnwatched(ctx)
			}
			if err != nil {
				r.problem("The library folders could not be rescanned", err)
			}
		}
		r.sayLimit()
	}
}

func (r *run) problem(what string, err error) {
	r.ix.Notify(index.Notice{Kind: index.Problem, Text: fmt.Sprintf("%s (%v); Spotter goes on watching.", what, err)})
}

// reload reads the library folders and exclusions from the catalogue.
// At the start, or when they changed, every library folder is scanned
// (and watched); else only those away or back are looked at.
func (r *run) reload(ctx context.Context, first bool) error {
	rules, roots, err := folders.Load(r.cat)
	if err != nil {
		return err
	}
	changed := first || !rules.Equal(r.rules)
	r.rules, r.roots = rules, roots
	if changed {
		r.unwatchIf(func(dir string) bool { return rules.Root(dir) == "" || skipped(rules, dir) })
	}
	for _, root := range roots {
		wasAway := !root.Offline.IsZero()
		if !changed && !wasAway {
			// Only the system's own word (an unmount, the folder moved)
			// or this poll notices a folder going: look.
			if present, err := r.ix.CheckRoot(root); err != nil || present {
				continue
			}
			r.unwatchIf(func(dir string) bool { return folders.Within(dir, root.Path) })
			continue
		}
		if !changed {
			if _, ok := folders.Present(root.Path, root.Mount); !ok {
				continue // still away
			}
		}
		s, err := r.ix.ScanRoot(ctx, rules, root, r.watchDir)
		if err != nil {
			return err
		}
		if s.Away {
			r.unwatchIf(func(dir string) bool { return folders.Within(dir, root.Path) })
		}
	}
	return nil
}

// skipped reports whether dir, inside a library folder, or a folder
// between them is left out.
func skipped(rules folders.Rules, dir string) bool {
	root := rules.Root(dir)
	for d := dir; len(d) > len(root); d = filepath.Dir(d) {
		if rules.SkipDir(d) {
			return true
		}
	}
	return false
}

// sayLimit tells, once, that some folders could not be watched.
func (r *run) sayLimit() {
	if r.limitSaid || len(r.unwatched) == 0 {
		return
	}
	r.limitSaid = true
	r.ix.Notify(index.Notice{Kind: index.WatchLimit, Text: r.limitText()})
}

// unwatchIf stops watching the folders cond chooses.
func (r *run) unwatchIf(cond func(dir string) bool) {
	r.unwatch(cond)
	for dir := range r.unwatched {
		if cond(dir) {
			delete(r.unwatched, dir)
		}
	}
}

// rescanUnwatched compares the folders that could not be watched with the
// catalogue, and tries again to watch them.
func (r *run) rescanUnwatched(ctx context.Context) {
	for dir := range r.unwatched {
		if ctx.Err() != nil {
			return
		}
		if _, err := os.Stat(dir); err != nil {
			delete(r.unwatched, dir)
			r.gone = append(r.gone, dir)
			continue
		}
		if _, err := r.ix.ScanDir(ctx, r.rules, dir, r.watchDir); err != nil {
			r.problem("A folder could not be rescanned", err)
		}
		// Folders made in it since are not watched either.
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			sub := filepath.Join(dir, e.Name())
			if _, watched := r.dirs[sub]; e.IsDir() && !watched && !r.unwatched[sub] && !r.rules.SkipDir(sub) {
				r.arrived(ctx, sub, true)
			}
		}
	}
}

// prune removes the photos missing for longer than the grace period from
// the library folders that are there.
func (r *run) prune() {
	r.pruned = time.Now()
	var present []string
	for _, root := range r.roots {
		if root.Offline.IsZero() {
			present = append(present, root.Path)
		}
	}
	if n, err := r.cat.Prune(time.Now().Add(-r.opts.Grace), present...); err != nil {
		r.problem("Photos deleted long ago could not be pruned from the catalogue", err)
	} else if n > 0 {
		slog.Info("pruned photos deleted more than the grace period ago", "photos", n, "grace", r.opts.Grace)
	}
}
