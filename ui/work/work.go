// Package work is the background half of Spotter's window, with no Fyne in
// it: the worker that owns the classifier and works through the queue of
// photos, the previews, thumbnails and chores (file and catalogue work),
// and the reporter that hands their outcomes to the UI thread in order.
// The window calls it from the UI thread and hears back through Events,
// each delivered on the UI thread.
package work

import (
	"context"
	"fmt"
	"image"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/spotter-app/spotter/inference/collect"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
	"github.com/spotter-app/spotter/inference/priority"
)

// Classifier is what the window needs from the engine. inference.Classifier
// satisfies it; the window never sees ONNX Runtime.
type Classifier interface {
	pipeline.Runner
	Close() error
}

// EngineInfo is what the About box says of the engine, which the window
// cannot ask ONNX Runtime itself.
type EngineInfo struct {
	Runtime string // ONNX Runtime's version, "" when not loaded
	Model   string // the models in use, as one name
	// Licences are each model's name and the path of its licence file
	// ("" when it has none), the classifier first.
	Licences []Licence
}

// Licence is one model's licence.
type Licence struct{ Model, Path string }

// Describe is the EngineInfo of models that run together (descriptor
// names and licence paths, the classifier first) on ONNX Runtime runtime.
func Describe(runtime string, names, licences []string) EngineInfo {
	info := EngineInfo{Runtime: runtime, Model: strings.Join(names, " + ")}
	for i, n := range names {
		info.Licences = append(info.Licences, Licence{Model: n, Path: licences[i]})
	}
	return info
}

// Opener loads the classifier and describes it. The worker calls it on its
// own goroutine, so loading a model never blocks the window, and again when
// photos arrive after it failed, so fixing the problem (say, `make
// runtime`) and dropping again works without a restart.
type Opener func() (Classifier, EngineInfo, error)

// Loaded is the outcome of loading the model: Err says why it did not
// load; Engine describes what did (and, after a failure, what is known).
type Loaded struct {
	Err    error
	Engine EngineInfo
}

// Queued is a photo the worker accepted, announced before any result for
// it.
type Queued struct {
	ID   uint64
	Path string
}

// Finished is the outcome for one photo, with the thumbnail made while it
// was decoded (nil when it was not: answered from the memory, or failed).
type Finished struct {
	pipeline.Done
	Thumbnail Thumbnail
}

// Events are what the worker reports, each on the UI thread, in the order
// the worker sent them. A nil handler is not called.
type Events struct {
	OnLoaded   func(Loaded)
	OnQueued   func([]Queued)
	OnWalked   func(paths []string, found int) // a drop has been searched
	OnStarted  func(id uint64)
	OnFinished func(Finished)
	OnPreview  func(id uint64, img image.Image)
}

// fill gives every nil handler one that does nothing.
func (e *Events) fill() {
	if e.OnLoaded == nil {
		e.OnLoaded = func(Loaded) {}
	}
	if e.OnQueued == nil {
		e.OnQueued = func([]Queued) {}
	}
	if e.OnWalked == nil {
		e.OnWalked = func([]string, int) {}
	}
	if e.OnStarted == nil {
		e.OnStarted = func(uint64) {}
	}
	if e.OnFinished == nil {
		e.OnFinished = func(Finished) {}
	}
	if e.OnPreview == nil {
		e.OnPreview = func(uint64, image.Image) {}
	}
}

// Options tune the worker.
type Options struct {
	// Memory, when set, is handed to the classifying stream: photos it
	// knows are answered from it; Again goes past it.
	Memory pipeline.Memory
	// ThumbnailSide is the longer side of the thumbnails made while
	// classifying, in pixels; 0 means DefaultThumbnailSide.
	ThumbnailSide int
}

// QueueBatch is how many rows are announced at a time while a folder is
// walked.
const QueueBatch = 100

// dropBacklog is how many drops wait while one is walked: far more than a
// person drops meanwhile; past it, Add waits.
const dropBacklog = 64

// Worker owns the classifier and works through the queue of photos in
// order, decoding the next while the model runs the current one. It is the
// Reporter, Queue and Previewer composed, with the loop that classifies
// and the goroutine that walks drops. Everything it starts ends in Wait.
type Worker struct {
	*Reporter
	*Queue
	*Previewer

	open      Opener
	ev        Events
	memory    pipeline.Memory
	thumbSide int

	ctx    context.Context
	cancel context.CancelFunc
	drops  chan drop
	done   sync.WaitGroup // the loop and the walker

	reload chan struct{} // Reload was asked for

	mu         sync.Mutex
	endSession context.CancelFunc
}

// drop is what Add was given, with the generation it belongs to.
type drop struct {
	paths []string
	gen   context.Context
}

// carried is a photo's own state on its way through the stream
// (pipeline.Job.Carry).
type carried struct {
	thumb Thumbnail // made on a preparing goroutine, read when emitted
}

// Start starts the worker, which loads the model once post runs its first
// function, that is once the window is on screen. post runs a function on
// the UI thread (fyne.Do in the window).
func Start(open Opener, post func(func()), ev Events, opts Options) *Worker {
	ev.fill()
	ctx, cancel := context.WithCancel(context.Background())
	w := &Worker{
		Reporter: NewReporter(post), Queue: newQueue(ctx),
		open: open, ev: ev, memory: opts.Memory, thumbSide: opts.ThumbnailSide,
		ctx: ctx, cancel: cancel, drops: make(chan drop, dropBacklog), reload: make(chan struct{}, 1),
	}
	if w.thumbSide <= 0 {
		w.thumbSide = DefaultThumbnailSide
	}
	w.Previewer = newPreviewer(ctx, w.Report, ev.OnPreview)
	w.done.Add(2)
	go w.loop(post)
	go w.walk()
	return w
}

// Context ends when the worker stops: the context for chores and
// thumbnails, so closing the window stops them too.
func (w *Worker) Context() context.Context { return w.ctx }

// Add searches paths (photos and folders) off the UI thread and queues the
// photos found, announcing them with OnQueued, then reports OnWalked.
// Drops are searched one after another, by one goroutine, so their rows
// keep drop order; Add waits only while 64 drops are waiting already.
func (w *Worker) Add(paths ...string) {
	select {
	case w.drops <- drop{paths: paths, gen: w.generation()}:
	case <-w.ctx.Done():
	}
}

// walk searches the drops, one at a time, until the worker stops.
func (w *Worker) walk() {
	defer w.done.Done()
	for {
		select {
		case <-w.ctx.Done():
			return
		case d := <-w.drops:
			w.walkDrop(d)
		}
	}
}

func (w *Worker) walkDrop(d drop) {
	var batch []Queued
	found := 0
	flush := func() {
		if len(batch) > 0 {
			w.announce(batch)
			w.enqueue(batch, d.gen, false)
			batch = nil
		}
	}
	err := Protect("searching the dropped folders", func() error {
		return collect.Walk(d.gen, d.paths, func(p string) {
			batch = append(batch, Queued{ID: w.NewID(), Path: p})
			found++
			if len(batch) == QueueBatch {
				flush()
			}
		})
	})
	flush()
	if err != nil && d.gen.Err() == nil {
		slog.Error("searching folders", "err", err)
	}
	w.Report(func() { w.ev.OnWalked(d.paths, found) })
}

// announce tells the window of rows about to be queued: it must know a row
// before any result for it arrives.
func (w *Worker) announce(rows []Queued) { w.Report(func() { w.ev.OnQueued(rows) }) }

func (w *Worker) enqueue(rows []Queued, gen context.Context, fresh bool) {
	jobs := make([]pipeline.Job, len(rows))
	for i, r := range rows {
		jobs[i] = pipeline.Job{ID: r.ID, Path: r.Path, Ctx: gen, Fresh: fresh, Carry: &carried{}}
	}
	w.push(jobs...)
}

// Again classifies rows the window shows afresh, past what the memory
// knows. They are not announced again.
func (w *Worker) Again(rows ...Queued) { w.enqueue(rows, w.generation(), true) }

// AgainAsNew is Again for photos that have no row of this session (a row
// read from the library): each gets a new id and is announced with
// OnQueued.
func (w *Worker) AgainAsNew(paths ...string) {
	rows := make([]Queued, len(paths))
	for i, p := range paths {
		rows[i] = Queued{ID: w.NewID(), Path: p}
	}
	w.announce(rows)
	w.enqueue(rows, w.generation(), true)
}

// Reload closes the classifier and opens it again, for new settings. The
// photo in progress finishes first; the queue then goes on with the new
// one.
func (w *Worker) Reload() {
	w.mu.Lock()
	if w.endSession != nil {
		w.endSession()
	}
	w.mu.Unlock()
	select {
	case w.reload <- struct{}{}:
	default:
	}
}

// Stop cancels everything without waiting; it is safe on the UI thread.
func (w *Worker) Stop() { w.cancel() }

// Wait stops the worker and returns once it has closed the classifier and
// every goroutine it started has ended. It needs nothing from the UI
// thread, so the window may call it after its event loop has ended (SIGTERM
// and Quit end the loop without calling the window's OnClosed).
func (w *Worker) Wait() {
	w.cancel()
	w.done.Wait()
	w.Previewer.wait()
}

// next is the pipeline's source: the oldest queued photo, reported started.
func (w *Worker) next(ctx context.Context) (pipeline.Job, bool) {
	j, ok := w.Queue.next(ctx)
	if ok {
		slog.Info("classifying", "path", j.Path)
		w.Report(func() { w.ev.OnStarted(j.ID) })
	}
	return j, ok
}

func (w *Worker) loop(post func(func())) {
	defer w.done.Done()
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
	background("classification")
	if !w.windowShown(post) {
		return
	}
	for w.ctx.Err() == nil {
		closeClassifier()
		select {
		case <-w.reload: // asked before this attempt, which answers it
		default:
		}
		var loaded Loaded
		clf, loaded = w.load()
		if loaded.Err != nil {
			// Photos that arrived while loading fail with the reason, and
			// only then is the failure shown: a drop after the message
			// appears, or a new choice in the settings, tries again. The
			// wake is cleared before the queue is taken, so only a photo
			// queued after that wakes the loop.
			w.clearWake()
			w.failQueued(loaded.Err)
			w.Report(func() { w.ev.OnLoaded(loaded) })
			select {
			case <-w.ctx.Done():
			case <-w.wake:
			case <-w.reload:
			}
			continue
		}
		session, end := context.WithCancel(w.ctx)
		w.mu.Lock()
		w.endSession = end
		w.mu.Unlock()
		// A reload asked for while loading came after the one answered
		// above, with no session yet to end: what loaded has the settings
		// from before it. Only what will be used is announced.
		select {
		case <-w.reload:
			end()
			continue
		default:
		}
		w.Report(func() { w.ev.OnLoaded(loaded) })
		pipeline.Stream(session, guard(clf), w.next, w.emit,
			pipeline.Options{Decoded: w.thumbnail, Background: true, Memory: w.memory})
		end()
	}
}

// windowShown waits until the UI thread runs a function posted now, which
// is once its event loop has started: after the window is on screen and
// drawn. Loading the model before that competes with creating the window
// (GL, fonts) for the CPU; on two cores it delayed the window by about
// 100 ms (make bench, "Launch"). It returns false if the worker stops first.
func (w *Worker) windowShown(post func(func())) bool {
	ran := make(chan struct{})
	post(func() { close(ran) })
	select {
	case <-ran:
		return true
	case <-w.ctx.Done():
		return false
	}
}

func (w *Worker) failQueued(err error) {
	for _, j := range w.takeAll() {
		w.emit(pipeline.Done{Job: j, Err: err})
	}
}

// thumbnail runs on the pipeline's preparing goroutine, right after
// decoding; the thumbnail travels in the job to emit.
func (w *Worker) thumbnail(j pipeline.Job, p preprocess.Photo) {
	c := j.Carry.(*carried)
	Protect("making a thumbnail", func() error {
		if info, err := os.Stat(j.Path); err == nil {
			// File managers, and this window's next start, reuse it.
			p = preprocess.Photo{Image: cacheThumbnail(j.Path, info.ModTime(), p, cacheSize(w.thumbSide))}
		}
		c.thumb = NewThumbnail(preprocess.Thumbnail(p, w.thumbSide))
		return nil
	})
}

func (w *Worker) emit(d pipeline.Done) {
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
	f := Finished{Done: d, Thumbnail: d.Carry.(*carried).thumb}
	f.Carry = nil // the worker's own
	w.Report(func() { w.ev.OnFinished(f) })
}

// load opens the classifier and logs the outcome; loop reports it.
func (w *Worker) load() (clf Classifier, loaded Loaded) {
	start := time.Now()
	loaded.Err = Protect("loading the model", func() error {
		var err error
		clf, loaded.Engine, err = w.open()
		return err
	})
	if loaded.Err != nil {
		slog.Error("model not loaded", "err", loaded.Err)
		return nil, loaded
	}
	slog.Info("model loaded", "ms", time.Since(start).Milliseconds())
	return clf, loaded
}

// guard turns a panic in the model's run into an error for the photos in
// it, keeping what else the classifier does: batching, where photos
// prepared while the model was busy run together in one call
// (pipeline.Batcher), which costs less per photo; reading the words in
// photos of text (pipeline.TextReader). The pipeline asks the Runner it
// is given for both, so a wrapper without them would turn them off.
func guard(clf Classifier) pipeline.Runner {
	g := guarded{Classifier: clf}
	g.reader, _ = clf.(pipeline.TextReader)
	b, batches := clf.(pipeline.Batcher)
	switch {
	case batches && g.reader != nil:
		return guardedBatchText{guardedBatch{g, b}}
	case batches:
		return guardedBatch{g, b}
	case g.reader != nil:
		return guardedText{g}
	}
	return g
}

type guarded struct {
	Classifier
	reader pipeline.TextReader // nil when the classifier reads no text
}

// readText reads as the classifier does; a panic costs the photo its text,
// as any failure to read does, not its answer.
func (g guarded) readText(ctx context.Context, path string, res *prediction.Result) error {
	return Protect("reading the text in "+filepath.Base(path), func() error { return g.reader.ReadText(ctx, path, res) })
}

type guardedText struct{ guarded }

func (g guardedText) ReadText(ctx context.Context, path string, res *prediction.Result) error {
	return g.readText(ctx, path, res)
}

type guardedBatchText struct{ guardedBatch }

func (g guardedBatchText) ReadText(ctx context.Context, path string, res *prediction.Result) error {
	return g.readText(ctx, path, res)
}

func (g guarded) Run(ctx context.Context, input []float32) (res prediction.Result, err error) {
	err = Protect("classifying", func() error {
		res, err = g.Classifier.Run(ctx, input)
		return err
	})
	return res, err
}

type guardedBatch struct {
	guarded
	batcher pipeline.Batcher
}

func (g guardedBatch) MaxBatch() int { return g.batcher.MaxBatch() }

func (g guardedBatch) RunBatch(ctx context.Context, inputs [][]float32) (res []prediction.Result, err error) {
	err = Protect("classifying", func() error {
		res, err = g.batcher.RunBatch(ctx, inputs)
		return err
	})
	return res, err
}

// Protect runs f and turns a panic into an error, so a bug or a hostile
// file costs one answer, never the window. what says what was being done
// ("making a thumbnail").
func Protect(what string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			slog.Error("panic", "while", what, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("Spotter hit an internal error while %s (%v). The app is still working: try another photo, and please report this", what, r)
		}
	}()
	return f()
}

// background lowers the calling goroutine's thread below the window's:
// classifying, previews and thumbnails together kept both processors busy,
// and the UI thread waited for one (make bench, "UI fluidity"). The
// goroutine keeps its thread until it returns.
func background(what string) {
	if err := priority.Lower(); err != nil {
		slog.Warn("cannot lower the priority of "+what, "err", err)
	}
}
