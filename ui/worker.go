package ui

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
)

// Classifier is what the window needs from the engine. inference.Classifier
// satisfies it; the UI never sees ONNX Runtime.
type Classifier interface {
	Classify(ctx context.Context, photo preprocess.Photo) (prediction.Result, error)
	Close() error
}

// Opener loads the classifier. The worker calls it on its own goroutine, so
// loading a model never blocks the window, and again on the next job if it
// failed, so fixing the problem (say, `make runtime`) and dropping again
// works without a restart.
type Opener func() (Classifier, error)

// previewSide bounds the preview texture.
const previewSide = 640

// events are what the worker reports. Each is delivered through post, on
// the UI thread.
type events struct {
	loaded   func(err error)
	preview  func(id uint64, img image.Image)
	finished func(id uint64, res prediction.Result, err error)
}

type job struct {
	id   uint64
	path string
	ctx  context.Context
}

// worker is the one goroutine that owns the classifier. Jobs replace each
// other: a new job cancels the one running, and only the newest pending job
// is kept, so a burst of drops ends with the last photo's answer.
type worker struct {
	open Opener
	post func(func())
	ev   events

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	side   sync.WaitGroup // preview goroutines

	mu        sync.Mutex
	pending   *job
	cancelJob context.CancelFunc
	nextID    uint64
	wake      chan struct{}
}

func startWorker(open Opener, post func(func()), ev events) *worker {
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{open: open, post: post, ev: ev, ctx: ctx, cancel: cancel,
		done: make(chan struct{}), wake: make(chan struct{}, 1)}
	go w.loop()
	return w
}

// submit queues path as the newest job, cancelling any job before it, and
// returns its id.
func (w *worker) submit(path string) uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancelJob != nil {
		w.cancelJob()
	}
	w.nextID++
	ctx, cancel := context.WithCancel(w.ctx)
	w.pending = &job{id: w.nextID, path: path, ctx: ctx}
	w.cancelJob = cancel
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return w.nextID
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

func (w *worker) loop() {
	defer close(w.done)
	clf, _ := w.load()
	defer func() {
		if clf != nil {
			if err := clf.Close(); err != nil {
				slog.Error("closing the classifier", "err", err)
			}
		}
	}()
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-w.wake:
		}
		w.mu.Lock()
		j := w.pending
		w.pending = nil
		w.mu.Unlock()
		if j == nil {
			continue
		}
		if clf == nil {
			var err error
			if clf, err = w.load(); err != nil {
				w.finish(j, prediction.Result{}, err)
				continue
			}
		}
		res, err := w.run(clf, j)
		w.finish(j, res, err)
	}
}

// load opens the classifier and reports the outcome to the window.
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
	w.post(func() { w.ev.loaded(err) })
	return clf, err
}

func (w *worker) run(clf Classifier, j *job) (res prediction.Result, err error) {
	slog.Info("classifying", "path", j.path)
	err = protect("classifying "+j.path, func() error {
		start := time.Now()
		photo, err := preprocess.Load(j.ctx, j.path)
		if err != nil {
			return err
		}
		decode := time.Since(start)
		w.side.Add(1)
		go w.makePreview(j, photo)
		res, err = clf.Classify(j.ctx, photo)
		res.Timing.Decode = decode
		return err
	})
	return res, err
}

func (w *worker) makePreview(j *job, photo preprocess.Photo) {
	defer w.side.Done()
	var img image.Image
	if err := protect("making the preview", func() error {
		img = preprocess.Preview(photo, previewSide)
		return nil
	}); err != nil || j.ctx.Err() != nil {
		return
	}
	w.post(func() { w.ev.preview(j.id, img) })
}

func (w *worker) finish(j *job, res prediction.Result, err error) {
	if j.ctx.Err() != nil && err == nil {
		err = j.ctx.Err()
	}
	if err == nil {
		top := res.Top()
		slog.Info("classified", "path", j.path, "label", top.Label, "probability", top.Probability,
			"ms", res.Timing.Total().Milliseconds())
	} else if j.ctx.Err() != nil {
		slog.Info("cancelled", "path", j.path)
	} else {
		slog.Error("classification failed", "path", j.path, "err", err)
	}
	w.post(func() { w.ev.finished(j.id, res, err) })
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
