package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/folders"
	"github.com/spotter-app/spotter/library/index"
	"github.com/spotter-app/spotter/library/watch"
	"github.com/spotter-app/spotter/settings"
	"github.com/spotter-app/spotter/ui"
)

// windowIndexer keeps the library folders classified and watched while the
// window is open, as spotter watch does without one. It classifies with
// an engine of its own, opened when the first photo needs it: the window's
// worker keeps its engine for what the person drops, which comes first,
// and a library with nothing new costs no model in memory. It starts again
// when the folders, the model or the processors it may use change.
type windowIndexer struct {
	cat   *catalog.Catalog
	ref   *modelRef
	flags func() engineFlags // the window's, as its settings are now
	prefs fyne.Preferences
	// show and grew are the window's, called on the UI thread.
	show func(ui.Indexing)
	grew func()
	say  func(string)

	mu     sync.Mutex
	ix     *index.Indexer
	cancel context.CancelFunc
	done   chan struct{}
	kept   bool // a photo was kept since the window's list was last told
}

// start indexes the library folders, if there are any.
func (wi *windowIndexer) start() {
	wi.mu.Lock()
	defer wi.mu.Unlock()
	if wi.cancel != nil {
		return
	}
	roots, err := wi.cat.Folders(catalog.Library)
	if err != nil || len(roots) == 0 {
		if err != nil {
			slog.Warn("the library folders cannot be read", "err", err)
		}
		fyne.Do(func() { wi.show(ui.Indexing{}) })
		return
	}
	watcher := watch.New(wi.cat, watch.Options{Grace: time.Duration(settings.GraceDays(wi.prefs)) * 24 * time.Hour})
	wi.ix = index.New(wi.cat, index.Options{
		Program:    "the Spotter window",
		Model:      wi.ref.get,
		Feed:       watcher.Run,
		OnProgress: wi.progress,
		OnNotice:   func(n index.Notice) { fyne.Do(func() { wi.say(n.Text) }) },
		OnPhoto:    wi.photo,
	})
	ctx, cancel := context.WithCancel(context.Background())
	wi.cancel, wi.done = cancel, make(chan struct{})
	go wi.run(ctx, wi.ix, settings.IndexCores(wi.prefs), wi.done)
	go wi.tell(ctx)
}

func (wi *windowIndexer) run(ctx context.Context, ix *index.Indexer, cores int, done chan struct{}) {
	defer close(done)
	if err := ix.Run(ctx, wi.classify(cores)); err != nil {
		fyne.Do(func() { wi.say(fmt.Sprintf("The library folders are not being indexed: %v", err)) })
	}
}

// classify is the indexer's Classify with an engine opened at its first
// photo, at low priority on cores processors, keeping each answer in the
// catalogue as the window does.
func (wi *windowIndexer) classify(cores int) index.Classify {
	return func(ctx context.Context, next pipeline.Source, done func(pipeline.Done)) {
		first, ok := next(ctx)
		if !ok {
			return
		}
		flags := wi.flags()
		flags.threads = 1 // more only compete with the decoding (index.Stream)
		clf, err := flags.open(maxTop)
		if err != nil {
			fyne.Do(func() { wi.say(fmt.Sprintf("The library folders cannot be indexed: %v", err)) })
			return
		}
		defer clf.Close()
		given := false
		source := func(ctx context.Context) (pipeline.Job, bool) {
			if !given {
				given = true
				return first, true
			}
			return next(ctx)
		}
		index.Stream(clf, newMemory(wi.cat, wi.ref, false, maxTop), cores)(ctx, source, done)
	}
}

func (wi *windowIndexer) progress(p index.Progress) {
	status := ui.Indexing{Shown: true, Text: p.String(), Paused: p.Paused, CanPause: p.Running}
	fyne.Do(func() { wi.show(status) })
}

func (wi *windowIndexer) photo(d pipeline.Done) {
	if d.Err == nil {
		wi.mu.Lock()
		wi.kept = true
		wi.mu.Unlock()
	}
}

// tellEvery is how often the window's list is told of the photos indexed
// since: often enough that a new photo shows within seconds, seldom enough
// that a large first indexing does not keep reloading the list.
const tellEvery = 3 * time.Second

// tell has the window list what was indexed, every tellEvery.
func (wi *windowIndexer) tell(ctx context.Context) {
	t := time.NewTicker(tellEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		wi.mu.Lock()
		kept := wi.kept
		wi.kept = false
		wi.mu.Unlock()
		if kept {
			fyne.Do(wi.grew)
		}
	}
}

// stop ends indexing and waits for it, as the window closes.
func (wi *windowIndexer) stop() {
	wi.mu.Lock()
	cancel, done := wi.cancel, wi.done
	wi.cancel, wi.ix = nil, nil
	wi.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// restart starts again with the folders and settings as they are now,
// off the UI thread: stopping waits for the photos in hand.
func (wi *windowIndexer) restart() {
	go func() {
		wi.stop()
		wi.start()
	}()
}

// The window's ui.Folders.

func (wi *windowIndexer) Folders() (roots, excluded []string, err error) {
	if roots, err = wi.paths(catalog.Library); err != nil {
		return nil, nil, err
	}
	excluded, err = wi.paths(catalog.Excluded)
	return roots, excluded, err
}

func (wi *windowIndexer) paths(kind catalog.FolderKind) ([]string, error) {
	fs, err := wi.cat.Folders(kind)
	var out []string
	for _, f := range fs {
		out = append(out, f.Path)
	}
	return out, err
}

func (wi *windowIndexer) Add(path string) error {
	return wi.change(func(cat *catalog.Catalog, path string) (string, error) {
		stored, _, err := folders.Add(cat, path)
		return stored, err
	}, path)
}
func (wi *windowIndexer) Remove(path string) error  { return wi.change(folders.Remove, path) }
func (wi *windowIndexer) Exclude(path string) error { return wi.change(folders.Exclude, path) }
func (wi *windowIndexer) Include(path string) error { return wi.change(folders.Include, path) }

// change makes one change to the folders and indexes them anew.
func (wi *windowIndexer) change(do func(*catalog.Catalog, string) (string, error), path string) error {
	if _, err := do(wi.cat, path); err != nil {
		return err
	}
	wi.restart()
	return nil
}

func (wi *windowIndexer) SetPaused(paused bool) error {
	wi.mu.Lock()
	ix := wi.ix
	wi.mu.Unlock()
	switch {
	case ix == nil:
		return wi.cat.SetIndexingPaused(paused)
	case paused:
		return ix.Pause()
	}
	return ix.Resume()
}

func (wi *windowIndexer) Pictures() string { return folders.Pictures() }

// Changed starts again after the settings changed: the model, or the
// processors indexing may use.
func (wi *windowIndexer) Changed() { wi.restart() }
