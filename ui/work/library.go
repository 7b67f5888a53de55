package work

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/folders"
	"github.com/spotter-app/spotter/library/index"
	"github.com/spotter-app/spotter/library/watch"
)

// Indexing is how indexing the library folders goes, for the status bar.
type Indexing struct {
	Shown    bool   // there are library folders
	Text     string // "Indexing ~/Pictures: 1,240 of 8,310, about 3 min left"
	Paused   bool
	CanPause bool // this Spotter indexes (another may, and say so in Text)
	// Done of Total photos found to classify since indexing last had
	// nothing to do.
	Done, Total int
}

// LibraryOptions are what a Library needs from the program.
type LibraryOptions struct {
	Catalog *catalog.Catalog
	// Model is the model set whose answers the catalogue keeps.
	Model func() (catalog.Model, bool)
	// Open loads the engine indexing classifies with.
	Open func() (Classifier, error)
	// Memory keeps each answer (the catalogue, as the worker's).
	Memory pipeline.Memory
	// Cores and Grace are read each time indexing starts: how many
	// processors it may use, and how long a deleted photo is kept.
	Cores func() int
	Grace func() time.Duration
	// Post runs a function on the UI thread (fyne.Do).
	Post func(func())
}

// Library keeps the library folders classified and watched while the
// window is open, as spotter watch does without one. It classifies with an
// engine of its own, opened when the first photo needs it: the worker keeps
// its engine for what the person drops, which comes first, and a library
// with nothing new costs no model in memory. It starts again when the
// folders, the model or the processors it may use change. Its methods
// other than Start and Stop are the window's ui.Folders.
type Library struct {
	opts LibraryOptions
	// show, grew and say are the window's, run on the UI thread.
	show func(Indexing)
	grew func()
	say  func(string)

	mu     sync.Mutex
	ix     *index.Indexer
	cancel context.CancelFunc
	done   chan struct{}
	kept   bool // a photo was kept since the window's list was last told
}

// NewLibrary makes a Library; it indexes nothing until Start.
func NewLibrary(opts LibraryOptions) *Library { return &Library{opts: opts} }

// Start indexes the library folders, if there are any, telling the window
// how it goes (show), that photos were kept (grew) and what the person
// should know (say).
func (l *Library) Start(show func(Indexing), grew func(), say func(string)) {
	l.mu.Lock()
	l.show, l.grew, l.say = show, grew, say
	l.mu.Unlock()
	l.start()
}

// start indexes the library folders, if there are any.
func (l *Library) start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cancel != nil || l.show == nil { // running, or not Started
		return
	}
	roots, err := l.opts.Catalog.Folders(catalog.Library)
	if err != nil || len(roots) == 0 {
		if err != nil {
			slog.Warn("the library folders cannot be read", "err", err)
		}
		l.opts.Post(func() { l.show(Indexing{}) })
		return
	}
	watcher := watch.New(l.opts.Catalog, watch.Options{Grace: l.opts.Grace()})
	l.ix = index.New(l.opts.Catalog, index.Options{
		Program:    "the Spotter window",
		Model:      l.opts.Model,
		Feed:       watcher.Run,
		OnProgress: l.progress,
		OnNotice:   func(n index.Notice) { l.opts.Post(func() { l.say(n.Text) }) },
		OnPhoto:    l.photo,
	})
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel, l.done = cancel, make(chan struct{})
	go l.run(ctx, l.ix, l.opts.Cores(), l.done)
	go l.tell(ctx)
}

func (l *Library) run(ctx context.Context, ix *index.Indexer, cores int, done chan struct{}) {
	defer close(done)
	if err := ix.Run(ctx, l.classify(cores)); err != nil {
		l.opts.Post(func() { l.say(fmt.Sprintf("The library folders are not being indexed: %v", err)) })
	}
}

// classify is the indexer's Classify with an engine opened at its first
// photo, at low priority on cores processors, keeping each answer in the
// catalogue as the window does.
func (l *Library) classify(cores int) index.Classify {
	return func(ctx context.Context, next pipeline.Source, done func(pipeline.Done)) {
		first, ok := next(ctx)
		if !ok {
			return
		}
		clf, err := l.opts.Open()
		if err != nil {
			l.opts.Post(func() { l.say(fmt.Sprintf("The library folders cannot be indexed: %v", err)) })
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
		index.Stream(clf, l.opts.Memory, cores)(ctx, source, done)
	}
}

func (l *Library) progress(p index.Progress) {
	status := Indexing{Shown: true, Text: p.String(), Paused: p.Paused, CanPause: p.Running, Done: p.Done, Total: p.Total}
	l.opts.Post(func() { l.show(status) })
}

func (l *Library) photo(d pipeline.Done) {
	if d.Err == nil {
		l.mu.Lock()
		l.kept = true
		l.mu.Unlock()
	}
}

// tellEvery is how often the window's list is told of the photos indexed
// since: often enough that a new photo shows within seconds, seldom enough
// that a large first indexing does not keep reloading the list.
const tellEvery = 3 * time.Second

// tell has the window list what was indexed, every tellEvery.
func (l *Library) tell(ctx context.Context) {
	t := time.NewTicker(tellEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l.mu.Lock()
		kept := l.kept
		l.kept = false
		l.mu.Unlock()
		if kept {
			l.opts.Post(l.grew)
		}
	}
}

// Stop ends indexing and waits for it, as the window closes.
func (l *Library) Stop() {
	l.mu.Lock()
	cancel, done := l.cancel, l.done
	l.cancel, l.ix = nil, nil
	l.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// restart starts again with the folders and settings as they are now,
// off the UI thread: stopping waits for the photos in hand.
func (l *Library) restart() {
	go func() {
		l.Stop()
		l.start()
	}()
}

// The window's ui.Folders.

func (l *Library) Folders() (roots, excluded []string, err error) {
	if roots, err = l.paths(catalog.Library); err != nil {
		return nil, nil, err
	}
	excluded, err = l.paths(catalog.Excluded)
	return roots, excluded, err
}

func (l *Library) paths(kind catalog.FolderKind) ([]string, error) {
	fs, err := l.opts.Catalog.Folders(kind)
	var out []string
	for _, f := range fs {
		out = append(out, f.Path)
	}
	return out, err
}

func (l *Library) Add(path string) error {
	return l.change(func(cat *catalog.Catalog, path string) (string, error) {
		stored, _, err := folders.Add(cat, path)
		return stored, err
	}, path)
}
func (l *Library) Remove(path string) error  { return l.change(folders.Remove, path) }
func (l *Library) Exclude(path string) error { return l.change(folders.Exclude, path) }
func (l *Library) Include(path string) error { return l.change(folders.Include, path) }

// change makes one change to the folders and indexes them anew.
func (l *Library) change(do func(*catalog.Catalog, string) (string, error), path string) error {
	if _, err := do(l.opts.Catalog, path); err != nil {
		return err
	}
	l.restart()
	return nil
}

func (l *Library) SetPaused(paused bool) error {
	l.mu.Lock()
	ix := l.ix
	l.mu.Unlock()
	switch {
	case ix == nil:
		return l.opts.Catalog.SetIndexingPaused(paused)
	case paused:
		return ix.Pause()
	}
	return ix.Resume()
}

func (l *Library) Pictures() string { return folders.Pictures() }

// Changed starts again after the settings changed: the model, or the
// processors indexing may use.
func (l *Library) Changed() { l.restart() }
