// Package index keeps the library folders classified in the background:
// the photos the catalogue does not know or that changed go through the
// same pipeline as `spotter classify`, the newest first, at low priority,
// with progress, an estimate of the time left and a pause the catalogue
// keeps across restarts. Only one process indexes a catalogue at a time
// (its lock); the others are told which does.
//
// What to index is found by a feed: the watcher (package watch), or
// ScanOnce. An Indexer knows neither Fyne nor ONNX Runtime: the window and
// `spotter watch` hand it the classification as a Classify.
package index

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/folders"
)

// Classify runs the photos next yields through the models until next
// reports no more, keeping each answer in the catalogue (the pipeline's
// Memory), and hands each finished photo to done, in order, on its own
// goroutine. Stream makes one from a runner of its own.
type Classify func(ctx context.Context, next pipeline.Source, done func(pipeline.Done))

// Stream is the Classify of a runner the indexer has to itself:
// pipeline.Stream with mem (the catalogue), decoding cores photos at once
// at low priority. The runner's own threads (ONNX Runtime's, one by
// default: more only compete with the decoding) and the goroutine that
// calls Run are the caller's to keep to cores processors; spotter watch
// keeps the whole process to them.
func Stream(r pipeline.Runner, mem pipeline.Memory, cores int) Classify {
	return func(ctx context.Context, next pipeline.Source, done func(pipeline.Done)) {
		pipeline.Stream(ctx, r, next, done, pipeline.Options{Memory: mem, Background: true, Preparers: max(cores, 1)})
	}
}

// Feed finds the photos to index and hands them to ix (ScanRoot, ScanDir,
// Check, Add) until ctx ends. A feed that returns nil has found
// everything: Run then ends once they are indexed. The watcher's Run is
// one; ScanOnce another. A feed calls Ready once it has had its first
// look.
type Feed func(ctx context.Context, ix *Indexer) error

// ScanOnce scans every library folder once: the feed of a one-off
// indexing, without watching.
func ScanOnce(ctx context.Context, ix *Indexer) error {
	rules, roots, err := folders.Load(ix.cat)
	if err != nil {
		return err
	}
	for _, root := range roots {
		if _, err := ix.ScanRoot(ctx, rules, root, nil); err != nil {
			return err
		}
	}
	return nil
}

// Options configure an Indexer.
type Options struct {
	// Program names this process to the others while it indexes ("spotter
	// watch", "the Spotter window").
	Program string
	// Model is the model set whose answers the catalogue keeps; ok is
	// false while it is not known, and then every photo is classified.
	Model func() (m catalog.Model, ok bool)
	// Feed finds what to index; nil means ScanOnce.
	Feed Feed
	// OnProgress and OnNotice, when set, hear how indexing goes, called
	// one at a time on the indexer's goroutines (the window posts them to
	// its own). Progress comes at most every ProgressEvery, and at once
	// when indexing starts, pauses, resumes or ends.
	OnProgress func(Progress)
	OnNotice   func(Notice)
	// OnPhoto, when set, sees each photo indexed, classified or answered
	// from the catalogue (a moved photo recognised), on the goroutine
	// that runs Classify: the window refreshes its list, spotter watch
	// prints it.
	OnPhoto func(pipeline.Done)
	// NewID numbers the jobs handed to Classify; nil numbers them from 1.
	// A window whose worker runs its own photos and the indexer's in one
	// stream passes its own numbering, so that the two never share one.
	NewID func() uint64
	// ProgressEvery defaults to 250 ms.
	ProgressEvery time.Duration
	// Poll is how often the pause (which another process may set) and a
	// lock held by another process are looked at again; 1 s by default.
	Poll time.Duration
}

// Indexer keeps the library folders classified. Its methods are safe for
// concurrent use.
type Indexer struct {
	cat  *catalog.Catalog
	opts Options

	wake chan struct{} // the queue or the pause changed

	mu       sync.Mutex
	queue    queue
	queued   map[string]bool
	paused   bool
	round    round
	scanning int             // scans under way
	starting bool            // the feed has not had its first look yet (Ready)
	fed      bool            // the feed has found everything
	live     map[uint64]bool // jobs the watcher saw arrive, by ID
	running  bool
	held     *catalog.Holder
	// rules are the last scan's, which tell the library folder of a photo.
	rules    folders.Rules
	lastSent time.Time

	reportMu sync.Mutex // one report at a time, in order
}

// New makes an Indexer of the library folders cat lists. It starts
// nothing until Run.
func New(cat *catalog.Catalog, opts Options) *Indexer {
	if opts.Feed == nil {
		opts.Feed = ScanOnce
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 250 * time.Millisecond
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.NewID == nil {
		var ids atomic.Uint64
		opts.NewID = func() uint64 { return ids.Add(1) }
	}
	if opts.Model == nil {
		opts.Model = func() (catalog.Model, bool) { return catalog.Model{}, false }
	}
	ix := &Indexer{cat: cat, opts: opts, wake: make(chan struct{}, 1), queued: map[string]bool{}, live: map[uint64]bool{}}
	ix.paused, _ = cat.IndexingPaused()
	return ix
}

// Run takes the catalogue's indexing lock, waiting while another process
// holds it (OnNotice says which, once), then feeds and classifies until
// ctx ends or the feed has found everything and it is indexed. It gives
// the lock back as it returns. An error says why it could not index; ctx
// ending is none.
func (ix *Indexer) Run(ctx context.Context, classify Classify) error {
	if err := ix.lock(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while waiting: nothing went wrong
		}
		return err
	}
	defer ix.cat.ReleaseIndexing()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ix.mu.Lock()
	ix.running, ix.fed, ix.starting = true, false, true
	ix.mu.Unlock()
	ix.report(true)

	var wg sync.WaitGroup
	var feedErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		ix.pollPause(ctx)
	}()
	go func() {
		defer wg.Done()
		feedErr = ix.opts.Feed(ctx, ix)
		if feedErr != nil {
			cancel()
			return
		}
		ix.mu.Lock()
		ix.fed, ix.starting = true, false
		ix.mu.Unlock()
		ix.signal()
	}()
	classify(ctx, ix.next, ix.finished)
	cancel()
	wg.Wait()
	ix.mu.Lock()
	ix.running, ix.starting = false, false
	ix.round = round{}
	clear(ix.live)
	ix.mu.Unlock()
	ix.report(true)
	if feedErr != nil && !errors.Is(feedErr, context.Canceled) {
		return feedErr
	}
	return nil
}

// lock takes the indexing lock, trying again every Poll while another
// process holds it.
func (ix *Indexer) lock(ctx context.Context) error {
	told := false
	for {
		h, ok, err := ix.cat.TakeIndexing(ix.opts.Program)
		if err != nil {
			return fmt.Errorf("the catalogue %s cannot be locked for indexing (%v): check that its folder can be written, or choose another with --catalog", ix.cat.Path(), err)
		}
		ix.mu.Lock()
		if ok {
			ix.held = nil
		} else {
			ix.held = &h
		}
		ix.mu.Unlock()
		if ok {
			if told {
				ix.notice(Notice{Kind: LockTaken, Text: "The other Spotter stopped indexing; this one takes over."})
			}
			return nil
		}
		if !told {
			ix.notice(Notice{Kind: LockHeld, Text: fmt.Sprintf("%s is indexing the library folders; this Spotter waits and takes over when it stops.", h)})
			ix.report(true)
			told = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(ix.opts.Poll):
		}
	}
}

// pollPause follows the pause set by other processes.
func (ix *Indexer) pollPause(ctx context.Context) {
	t := time.NewTicker(ix.opts.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if p, err := ix.cat.IndexingPaused(); err == nil {
			ix.setPaused(p)
		}
	}
}

// Pause stops classifying after the photos in hand, in every process and
// across restarts, until Resume. Scanning and watching go on: moves and
// deletions cost no processor and lose nothing.
func (ix *Indexer) Pause() error { return ix.pause(true) }

// Resume goes on classifying.
func (ix *Indexer) Resume() error { return ix.pause(false) }

func (ix *Indexer) pause(p bool) error {
	if err := ix.cat.SetIndexingPaused(p); err != nil {
		return fmt.Errorf("the pause could not be saved in the catalogue (%v); indexing is %s for this session only", err, map[bool]string{true: "paused", false: "resumed"}[p])
	}
	ix.setPaused(p)
	return nil
}

func (ix *Indexer) setPaused(p bool) {
	ix.mu.Lock()
	changed := ix.paused != p
	ix.paused = p
	if changed {
		ix.round.rate.reset()
	}
	ix.mu.Unlock()
	if changed {
		ix.signal()
		ix.report(true)
	}
}

// Paused reports whether indexing is paused.
func (ix *Indexer) Paused() bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.paused
}

func (ix *Indexer) signal() {
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

// Item is a photo to classify.
type Item struct {
	Path  string
	MTime time.Time
	// Live: the watcher saw it arrive or change now, so it goes before
	// the backlog of a scan (a photo copied in is named within seconds
	// even while a large folder is being indexed).
	Live bool
}

// Add queues photos to classify, newest first after the live ones. A
// photo queued already is queued once.
func (ix *Indexer) Add(items ...Item) {
	if len(items) == 0 {
		return
	}
	ix.mu.Lock()
	for _, it := range items {
		if ix.queued[it.Path] {
			continue
		}
		ix.queued[it.Path] = true
		heap.Push(&ix.queue, it)
		ix.round.total++
	}
	ix.mu.Unlock()
	ix.signal()
	ix.report(false)
}

// Check queues the photo at path if the catalogue does not know it as it
// is now (size and modification time), and records that it is there. A
// photo that is no longer there is left to the feed.
func (ix *Indexer) Check(path string, live bool) error {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return nil
	}
	m, _ := ix.opts.Model()
	k, ok, err := ix.cat.File(path, m)
	if err != nil {
		return err
	}
	if ok && unchanged(k, fi) {
		if k.Missing {
			return ix.cat.Present(path)
		}
		return nil
	}
	ix.Add(Item{Path: path, MTime: fi.ModTime(), Live: live})
	return nil
}

// unchanged: the catalogue answered the photo as it is now.
func unchanged(k catalog.Known, fi fs.FileInfo) bool {
	return k.Answered && k.Size == fi.Size() && k.MTime.Equal(fi.ModTime())
}

// Ready tells that the feed has had its first look at the library
// folders: until then Progress says it is scanning, not that the library
// is up to date.
func (ix *Indexer) Ready() {
	ix.mu.Lock()
	ix.starting = false
	ix.mu.Unlock()
	ix.report(true)
}

// Notify passes a feed's notice on to OnNotice.
func (ix *Indexer) Notify(n Notice) { ix.notice(n) }

func (ix *Indexer) notice(n Notice) {
	if ix.opts.OnNotice == nil {
		return
	}
	ix.reportMu.Lock()
	defer ix.reportMu.Unlock()
	ix.opts.OnNotice(n)
}

// next is the stream's source: the next photo, waiting while there is
// none or indexing is paused. It reports no more once ctx ends, or once
// the feed has found everything and the queue is empty. A photo is taken
// from the queue only when it is returned, so a caller may ask with a
// context it ends as soon as it has other work (the window's worker, when
// a photo is dropped) and lose nothing.
func (ix *Indexer) next(ctx context.Context) (pipeline.Job, bool) {
	for {
		ix.mu.Lock()
		switch {
		case ctx.Err() != nil:
			ix.mu.Unlock()
			return pipeline.Job{}, false
		case !ix.paused && ix.queue.Len() > 0:
			it := heap.Pop(&ix.queue).(Item)
			delete(ix.queued, it.Path)
			ix.round.taken++
			ix.round.current = it.Path
			id := ix.opts.NewID()
			if it.Live {
				ix.live[id] = true
			}
			ix.mu.Unlock()
			return pipeline.Job{ID: id, Path: it.Path}, true
		case ix.fed && ix.queue.Len() == 0:
			ix.mu.Unlock()
			return pipeline.Job{}, false
		}
		ix.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-ix.wake:
		}
	}
}

// finished counts a photo done; when none is left, the round is over.
func (ix *Indexer) finished(d pipeline.Done) {
	if ix.opts.OnPhoto != nil {
		ix.opts.OnPhoto(d)
	}
	ix.mu.Lock()
	live := ix.live[d.ID]
	delete(ix.live, d.ID)
	ix.mu.Unlock()
	if live {
		// A photo just copied in is searched for now: commit it at once
		// rather than with the next batch.
		ix.cat.Flush()
	}
	ix.mu.Lock()
	ix.round.done++
	if !d.Cached {
		ix.round.rate.add(time.Now())
	}
	over := ix.round.done >= ix.round.taken && ix.queue.Len() == 0 && ix.scanning == 0
	if over {
		ix.round = round{}
	}
	ix.mu.Unlock()
	ix.report(over)
}

// queue holds the photos to classify: the live ones first, then the
// newest.
type queue []Item

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].Live != q[j].Live {
		return q[i].Live
	}
	return q[i].MTime.After(q[j].MTime)
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(Item)) }
func (q *queue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
