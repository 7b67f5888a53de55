package ui

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/spotter-app/spotter/inference/collect"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
	"github.com/spotter-app/spotter/inference/priority"
)

// Classifier is what the window needs from the engine. inference.Classifier
// satisfies it; the UI never sees ONNX Runtime.
type Classifier interface {
	pipeline.Runner
	Close() error
}

// Opener loads the classifier. The worker calls it on its own goroutine, so
// loading a model never blocks the window, and again when photos arrive
// after it failed, so fixing the problem (say, `make runtime`) and dropping
// again works without a restart.
type Opener func() (Classifier, error)

const (
	thumbSide  = 2 * rowSize // a list row's thumbnail: sharp on a 2× screen
	queueBatch = 100         // rows announced to the window at a time while walking a folder
)

// queued is a photo the worker accepted, announced before any result for it.
type queued struct {
	id   uint64
	path string
}

// finished is the outcome for one photo, with its thumbnail.
type finished struct {
	pipeline.Done
	thumb thumbnail
}

// events are what the worker reports. Each is delivered through post, on
// the UI thread, in the order the worker sent them.
type events struct {
	loaded   func(err error)
	queued   func([]queued)
	walked   func(paths []string, found int) // a drop has been searched
	started  func(id uint64)
	finished func(finished)
	preview  func(id uint64, img image.Image)
}

// worker owns the classifier and works through a queue of photos in order,
// decoding the next while the model runs the current one. Everything it
// starts ends in wait.
type worker struct {
	open   Opener
	post   func(func())
	ev     events
	memory pipeline.Memory // nil without a catalogue

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	side   sync.WaitGroup // folder walks and previews

	mu         sync.Mutex
	queue      []pipeline.Job
	generation context.Context // jobs queued now carry it; cancelAll ends it
	endGen     context.CancelFunc
	nextID     uint64
	wake       chan struct{}
	thumbs     map[uint64]thumbnail
	previewEnd context.CancelFunc
	lastAdd    chan struct{} // closed when the latest drop has been searched
	endSession context.CancelFunc

	reportMu sync.Mutex
	reports  []func() // waiting for the UI thread, oldest first
}

func startWorker(open Opener, post func(func()), memory pipeline.Memory, ev events) *worker {
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{open: open, post: post, ev: ev, memory: memory, ctx: ctx, cancel: cancel,
		done: make(chan struct{}), wake: make(chan struct{}, 1), thumbs: map[uint64]thumbnail{}}
	w.generation, w.endGen = context.WithCancel(ctx)
	w.lastAdd = make(chan struct{})
	close(w.lastAdd)
	go w.loop()
	return w
}

// report runs f on the UI thread after every report before it. Reports
// travel in batches: the first of a batch posts a function that runs all
// those queued by the time it runs. Fyne's event loop runs about one posted
// function per frame while frames are slow to draw (software GL, a busy
// machine); posting each report alone, a 200-photo queue kept the UI
// thread seconds behind (make bench, "UI fluidity").
func (w *worker) report(f func()) {
	w.reportMu.Lock()
	w.reports = append(w.reports, f)
	first := len(w.reports) == 1
	w.reportMu.Unlock()
	if first {
		w.post(w.runReports)
	}
}

func (w *worker) runReports() {
	w.reportMu.Lock()
	batch := w.reports
	w.reports = nil
	w.reportMu.Unlock()
	for _, f := range batch {
		f()
	}
}

// add searches paths (photos and folders) off the UI thread and queues the
// photos found, announcing them to the window in batches.
func (w *worker) add(paths []string) {
	w.mu.Lock()
	gen := w.generation
	// Drops are searched one after another, so their rows keep drop order.
	prev, mine := w.lastAdd, make(chan struct{})
	w.lastAdd = mine
	w.mu.Unlock()
	w.side.Add(1)
	go func() {
		defer w.side.Done()
		defer close(mine)
		<-prev
		var batch []queued
		found := 0
		flush := func() {
			if len(batch) == 0 {
				return
			}
			items := batch
			batch = nil
			// Announce before queueing: the window must know a row
			// before any result for it arrives.
			w.report(func() { w.ev.queued(items) })
			w.mu.Lock()
			for _, it := range items {
				w.queue = append(w.queue, pipeline.Job{ID: it.id, Path: it.path, Ctx: gen})
			}
			w.mu.Unlock()
			w.signal()
		}
		err := protect("searching the dropped folders", func() error {
			return collect.Walk(gen, paths, func(p string) {
				batch = append(batch, queued{id: w.newID(), path: p})
				found++
				if len(batch) == queueBatch {
					flush()
				}
			})
		})
		flush()
		if err != nil && gen.Err() == nil {
			slog.Error("searching folders", "err", err)
		}
		w.report(func() { w.ev.walked(paths, found) })
	}()
}

// newID numbers a row: a photo queued or a row read from the library.
func (w *worker) newID() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.nextID++
	return w.nextID
}

func (w *worker) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// cancelAll empties the queue and cancels the photos in progress, including
// a folder still being searched. It returns the ids taken off the queue.
func (w *worker) cancelAll() []uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := make([]uint64, len(w.queue))
	for i, j := range w.queue {
		ids[i] = j.ID
	}
	w.queue = nil
	w.endGen()
	w.generation, w.endGen = context.WithCancel(w.ctx)
	return ids
}

// again queues photos to be classified afresh, past what the memory knows.
// Rows new to the window are announced first, as add does.
func (w *worker) again(items []queued, announce bool) {
	if announce {
		w.report(func() { w.ev.queued(items) })
	}
	w.mu.Lock()
	for _, it := range items {
		w.queue = append(w.queue, pipeline.Job{ID: it.id, Path: it.path, Ctx: w.generation, Fresh: true})
	}
	w.mu.Unlock()
	w.signal()
}

// remove takes a photo off the queue if it is still waiting.
func (w *worker) remove(id uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.queue = slices.DeleteFunc(w.queue, func(j pipeline.Job) bool { return j.ID == id })
}

// preview decodes a photo for the large preview, replacing any preview
// still being made.
func (w *worker) preview(id uint64, path string, side int) {
	w.mu.Lock()
	if w.previewEnd != nil {
		w.previewEnd()
	}
	ctx, end := context.WithCancel(w.ctx)
	w.previewEnd = end
	w.mu.Unlock()
	w.side.Add(1)
	go func() {
		defer w.side.Done()
		var img image.Image
		err := protect("making the preview", func() error {
			p, err := preprocess.LoadAtLeast(ctx, path, side)
			if err == nil {
				img = preprocess.Preview(p, side)
			}
			return err
		})
		if err == nil && ctx.Err() == nil {
			w.report(func() { w.ev.preview(id, img) })
		}
	}()
}

// stop cancels everything without waiting; it is safe on the UI thread.
func (w *worker) stop() { w.cancel() }

// wait stops the worker and returns once it has closed the classifier and
// every goroutine it started has ended.
func (w *worker) wait() {
	w.cancel()
	<-w.done
	w.side.Wait()
}

// next is the pipeline's source: the oldest queued photo, waiting for one
// when the queue is empty.
func (w *worker) next(ctx context.Context) (pipeline.Job, bool) {
	for {
		w.mu.Lock()
		if len(w.queue) > 0 {
			j := w.queue[0]
			w.queue = w.queue[1:]
			w.mu.Unlock()
			slog.Info("classifying", "path", j.Path)
			w.report(func() { w.ev.started(j.ID) })
			return j, true
		}
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			return pipeline.Job{}, false
		case <-w.wake:
		}
	}
}

func (w *worker) loop() {
	defer close(w.done)
	var clf Classifier
	closeClassifier := func() {
		if clf != nil {
			if err := clf.Close(); err != nil {
				slog.Error("closing the classifier", "err", err)
			}
			clf = nil
		}
	}
	defer closeClassifier()
	// Classifying must not take the window's turn on the processor. Set
	// before loading: ONNX Runtime's threads, created with the session,
	// inherit it.
	if err := priority.Lower(); err != nil {
		slog.Warn("cannot lower the priority of classification", "err", err)
	}
	if !w.windowShown() {
		return
	}
	for w.ctx.Err() == nil {
		closeClassifier()
		var err error
		clf, err = w.load()
		if err != nil {
			// Photos that arrived while loading fail with the reason, and
			// only then is the failure shown: a drop after the message
			// appears, or a new choice in the settings, tries again.
			w.failQueued(err)
			w.report(func() { w.ev.loaded(err) })
			select {
			case <-w.ctx.Done():
			case <-w.wake:
			}
			continue
		}
		w.report(func() { w.ev.loaded(nil) })
		session, end := context.WithCancel(w.ctx)
		w.mu.Lock()
		w.endSession = end
		w.mu.Unlock()
		pipeline.Stream(session, guarded{clf}, w.next, w.emit,
			pipeline.Options{Decoded: w.thumbnail, Background: true, Memory: w.memory})
		end()
	}
}

// windowShown waits until the UI thread runs a report posted now, which
// is once its event loop has started: after the window is on screen and
// drawn. Loading the model before that competes with creating the window
// (GL, fonts) for the CPU; on two cores it delayed the window by about
// 100 ms (make bench, "Launch"). It returns false if the worker stops first.
func (w *worker) windowShown() bool {
	ran := make(chan struct{})
	w.post(func() { close(ran) })
	select {
	case <-ran:
		return true
	case <-w.ctx.Done():
		return false
	}
}

// reload closes the classifier and opens it again, for new settings. The
// photo in progress finishes first; the queue then goes on with the new one.
func (w *worker) reload() {
	w.mu.Lock()
	if w.endSession != nil {
		w.endSession()
	}
	w.mu.Unlock()
	w.signal()
}

func (w *worker) failQueued(err error) {
	w.mu.Lock()
	jobs := w.queue
	w.queue = nil
	w.mu.Unlock()
	for _, j := range jobs {
		w.emit(pipeline.Done{Job: j, Err: err})
	}
}

// thumbnail runs on the pipeline's preparing goroutine, right after decoding.
func (w *worker) thumbnail(j pipeline.Job, p preprocess.Photo) {
	var thumb thumbnail
	if protect("making a thumbnail", func() error {
		if info, err := os.Stat(j.Path); err == nil {
			// File managers, and this window's next start, reuse it.
			p = preprocess.Photo{Image: cacheThumbnail(j.Path, info.ModTime(), p)}
		}
		thumb = newThumbnail(preprocess.Thumbnail(p, thumbSide))
		return nil
	}) != nil {
		return
	}
	w.mu.Lock()
	w.thumbs[j.ID] = thumb
	w.mu.Unlock()
}

func (w *worker) emit(d pipeline.Done) {
	w.mu.Lock()
	thumb := w.thumbs[d.ID]
	delete(w.thumbs, d.ID)
	w.mu.Unlock()
	switch {
	case d.Err == nil:
		top := d.Result.Top()
		slog.Info("classified", "path", d.Path, "label", top.Label, "probability", top.Probability,
			"ms", d.Result.Timing.Total().Milliseconds(), "cached", d.Cached)
	case d.Ctx != nil && d.Ctx.Err() != nil:
		slog.Info("cancelled", "path", d.Path)
	default:
		slog.Error("classification failed", "path", d.Path, "err", d.Err)
	}
	f := finished{Done: d, thumb: thumb}
	w.report(func() { w.ev.finished(f) })
}

// load opens the classifier and logs the outcome; loop reports it to the
// window.
func (w *worker) load() (clf Classifier, err error) {
	start := time.Now()
	err = protect("loading the model", func() error {
		var err error
		clf, err = w.open()
		return err
	})
	if err != nil {
		slog.Error("model not loaded", "err", err)
		clf = nil
	} else {
		slog.Info("model loaded", "ms", time.Since(start).Milliseconds())
	}
	return clf, err
}

// guarded turns a panic in the model's run into that photo's error.
type guarded struct{ Classifier }

func (g guarded) Run(ctx context.Context, input []float32) (res prediction.Result, err error) {
	err = protect("classifying", func() error {
		res, err = g.Classifier.Run(ctx, input)
		return err
	})
	return res, err
}

// protect runs f and turns a panic into an error, so a bug or a hostile
// file costs one answer, never the window.
func protect(what string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			slog.Error("panic", "while", what, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("Spotter hit an internal error while %s (%v). The app is still working: try another photo, and please report this", what, r)
		}
	}()
	return f()
}
