// Package pipeline classifies a stream of photos, decoding and preparing
// the next photos on other goroutines while the model runs, and running
// the photos that are ready together in one batch. The window and the
// command line share it; it knows neither.
package pipeline

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
	"github.com/spotter-app/spotter/inference/priority"
)

// Runner is the model: a preprocessor for other goroutines and a run on
// prepared input. inference.Classifier satisfies it. Run is only ever
// called from the goroutine that called Stream.
type Runner interface {
	NewTensor() preprocess.Preparer
	Run(ctx context.Context, input []float32) (prediction.Result, error)
}

// Batcher is a Runner that also runs several prepared inputs in one call,
// which costs less per photo than one call each. inference.Classifier
// satisfies it; Stream batches only for a Runner that does.
type Batcher interface {
	Runner
	// MaxBatch is the most inputs RunBatch takes.
	MaxBatch() int
	// RunBatch returns one result per input, in order, or one error for
	// them all.
	RunBatch(ctx context.Context, inputs [][]float32) ([]prediction.Result, error)
}

// TextReader is a Runner that also reads the words in photos whose result
// says they look like text. inference.Classifier satisfies it; Stream reads
// with a Runner that does.
type TextReader interface {
	Runner
	// ReadText adds to res what it reads in the photo at path. It is
	// called on the emitting goroutine, before Memory.Keep.
	ReadText(ctx context.Context, path string, res *prediction.Result) error
}

// Memory remembers finished photos, so a photo classified before is not
// classified again: the catalogue.
type Memory interface {
	// Recall returns the result kept for the job's photo, if any. It is
	// called on the preparing goroutines, several at once, before the
	// photo is decoded; it may read the file.
	Recall(ctx context.Context, job Job) (prediction.Result, bool)
	// Keep is handed every job that was not recalled and was not ended by
	// its context, classified or failed, on the emitting goroutine just
	// before it is emitted. It must not wait for the disk.
	Keep(d Done)
}

// Job is one photo to classify.
type Job struct {
	ID   uint64
	Path string
	// Ctx ends this job alone (for example a cancelled queue); nil means
	// the stream's context.
	Ctx context.Context
	// Fresh asks for the photo to be classified again even when Memory
	// knows it ("Classify again"); the new answer is kept.
	Fresh bool
	// Carry is the caller's own, handed back untouched in the job's Done:
	// what Options.Decoded makes for a photo (the window's thumbnail)
	// travels with its result this way, with no table on the side.
	Carry any
}

// Done is a finished job: a result, or an error that says why not.
type Done struct {
	Job
	Result prediction.Result
	Err    error
	// Cached is set when the result came from Options.Memory, without
	// decoding the photo or running the model.
	Cached bool
}

// Source returns the next job, blocking until there is one. It returns
// false when there will be no more, or when ctx ends. Stream never calls it
// from two goroutines at once.
type Source func(ctx context.Context) (Job, bool)

// Options tune a stream.
type Options struct {
	// Sequential prepares each photo only after the previous one ran: the
	// baseline that shows what the overlap gains.
	Sequential bool
	// Preparers is how many goroutines decode and prepare photos at once;
	// 0 means DefaultPreparers.
	Preparers int
	// MaxBatch caps how many prepared photos run together; 0 means as many
	// as the Batcher takes. A photo is never held back to fill a batch: a
	// batch is whatever is ready when the model is free.
	MaxBatch int
	// Decoded, when set, sees each photo right after decoding, on a
	// preparing goroutine (the window makes thumbnails there, into the
	// job's Carry). The photo must not be kept.
	Decoded func(Job, preprocess.Photo)
	// Memory, when set, is asked before a photo is decoded; a photo it
	// knows is emitted in its turn with Cached set, without decoding or
	// running the model. Every other finished job is handed to Memory.Keep.
	Memory Memory
	// Background runs the preparing goroutines at a lower priority
	// (package priority), so a window drawing at the same time keeps its
	// turn on the processor. The caller's goroutine, which runs the model,
	// sets its own.
	Background bool
}

// DefaultPreparers is two: decoding a photo takes longer than running the
// model on it, so one preparer left ONNX Runtime idle most of the time
// (see BenchmarkFolder).
const DefaultPreparers = 2

type prepared struct {
	seq    int
	job    Job
	input  []float32 // nil when the photo was recalled or failed to prepare
	timing prediction.Timing
	result prediction.Result // a recalled result
	cached bool
	err    error
}

// Stream classifies jobs from next until it reports no more or ctx ends,
// and hands each to emit in order, on the calling goroutine. Every job taken
// from next is emitted, done or with its error.
func Stream(ctx context.Context, r Runner, next Source, emit func(Done), opts Options) {
	if opts.Memory != nil {
		emit = keepThenEmit(ctx, opts.Memory, emit)
	}
	if tr, ok := r.(TextReader); ok {
		emit = readThenEmit(ctx, tr, emit)
	}
	if opts.Sequential {
		t := r.NewTensor()
		input := make([]float32, t.Len())
		for {
			job, ok := next(ctx)
			if !ok {
				return
			}
			p := prepare(ctx, t, job, input, opts)
			emitAll(ctx, r, []prepared{p}, emit)
		}
	}

	preparers := opts.Preparers
	if preparers < 1 {
		preparers = DefaultPreparers
	}
	batch := 1
	if b, ok := r.(Batcher); ok {
		batch = b.MaxBatch()
		if opts.MaxBatch > 0 {
			batch = min(batch, opts.MaxBatch)
		}
	}
	// Enough input buffers for every preparer and a full batch, made as
	// needed: a single photo takes one.
	buffers := newPool(preparers+batch, r.NewTensor().Len())
	// Room for a photo in every buffer, so a preparer never waits for the
	// model to hand on a photo it prepared.
	ready := make(chan prepared, preparers+batch)
	// Jobs are numbered as they are taken, so results can be emitted in
	// order whichever preparer finishes first.
	var mu sync.Mutex
	taken := 0
	take := func() (Job, int, bool) {
		mu.Lock()
		defer mu.Unlock()
		job, ok := next(ctx)
		if ok {
			taken++
		}
		return job, taken - 1, ok
	}
	var wg sync.WaitGroup
	for range preparers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if opts.Background {
				if err := priority.Lower(); err != nil {
					slog.Warn("cannot lower the priority of decoding", "err", err)
				}
			}
			t := r.NewTensor()
			for {
				// A buffer first, then the job: once taken, a job is
				// never dropped.
				input, ok := buffers.get(ctx)
				if !ok {
					return
				}
				job, seq, ok := take()
				if !ok {
					buffers.put(input)
					return
				}
				// Always handed on, even when ctx has ended: every job
				// taken is emitted, so no photo is left "in progress".
				p := prepare(ctx, t, job, input, opts)
				if p.input == nil {
					buffers.put(input)
				}
				p.seq = seq
				ready <- p
			}
		}()
	}
	go func() {
		wg.Wait()
		close(ready)
	}()
	waiting := map[int]prepared{}
	nextSeq := 0
	for p := range ready {
		waiting[p.seq] = p
		// Whatever else is ready joins the batch; nothing waits for more.
	more:
		for {
			select {
			case p, ok := <-ready:
				if !ok {
					break more
				}
				waiting[p.seq] = p
			default:
				break more
			}
		}
		for {
			group := nextGroup(ctx, waiting, nextSeq, batch)
			if len(group) == 0 {
				break
			}
			nextSeq += len(group)
			emitAll(ctx, r, group, emit)
			for _, p := range group {
				if p.input != nil {
					buffers.put(p.input)
				}
			}
		}
	}
}

// One classifies a single photo through Stream: the path every photo
// takes, in its simplest form, for tests and benchmarks. opts are as for
// Stream; one photo takes one preparer.
func One(ctx context.Context, r Runner, path string, opts Options) Done {
	job := Job{ID: 1, Path: path}
	done := Done{Job: job}
	given := false
	opts.Preparers = 1
	Stream(ctx, r, func(ctx context.Context) (Job, bool) {
		if given || ctx.Err() != nil {
			return Job{}, false
		}
		given = true
		return job, true
	}, func(d Done) { done = d }, opts)
	if !given {
		done.Err = ctx.Err()
	}
	return done
}

// nextGroup takes from waiting the photos due next, in order, holding at
// most batch photos for the model, all ending with the same context so
// that cancelling one job never stops another's run.
func nextGroup(ctx context.Context, waiting map[int]prepared, seq, batch int) []prepared {
	var group []prepared
	var runCtx context.Context
	model := 0
	for ; ; seq++ {
		p, ok := waiting[seq]
		if !ok {
			return group
		}
		if p.input != nil {
			c := jobContext(ctx, p.job)
			if model == batch || (model > 0 && c != runCtx) {
				return group
			}
			runCtx = c
			model++
		}
		delete(waiting, seq)
		group = append(group, p)
	}
}

// emitAll runs the model on the group's prepared photos, in one batch when
// there are several, and emits every photo of the group in order.
func emitAll(ctx context.Context, r Runner, group []prepared, emit func(Done)) {
	var inputs [][]float32
	var runCtx context.Context
	for _, p := range group {
		if p.input != nil {
			inputs = append(inputs, p.input)
			runCtx = jobContext(ctx, p.job)
		}
	}
	var results []prediction.Result
	var err error
	switch len(inputs) {
	case 0:
	case 1:
		var res prediction.Result
		res, err = r.Run(runCtx, inputs[0])
		results = []prediction.Result{res}
	default:
		results, err = r.(Batcher).RunBatch(runCtx, inputs)
	}
	i := 0
	for _, p := range group {
		d := Done{Job: p.job, Result: p.result, Err: p.err, Cached: p.cached}
		if p.input != nil {
			if err != nil {
				d.Err = err
			} else {
				d.Result = results[i]
			}
			i++
		}
		if !p.cached {
			d.Result.Timing.Decode = p.timing.Decode
			d.Result.Timing.Preprocess = p.timing.Preprocess
		}
		emit(d)
	}
}

// keepThenEmit hands each finished job to m before emitting it. A job its
// context ended is not finished: it is neither classified nor failed.
func keepThenEmit(ctx context.Context, m Memory, emit func(Done)) func(Done) {
	return func(d Done) {
		if !d.Cached && (d.Err == nil || jobContext(ctx, d.Job).Err() == nil) {
			m.Keep(d)
		}
		emit(d)
	}
}

// readThenEmit reads the text of each photo the model classified before
// it is kept and emitted. The preparers go on decoding the next photos
// meanwhile, so a page's reading costs the folder little more than its
// own time. A reading that fails costs the photo its text, not its
// answer; one its context ended ends the job, so the photo is not kept
// without its text.
func readThenEmit(ctx context.Context, tr TextReader, emit func(Done)) func(Done) {
	return func(d Done) {
		if d.Err == nil && !d.Cached {
			jc := jobContext(ctx, d.Job)
			if err := tr.ReadText(jc, d.Path, &d.Result); err != nil {
				if jc.Err() != nil {
					d.Err = jc.Err()
				} else {
					slog.Warn("text could not be read", "path", d.Path, "err", err)
				}
			}
		}
		emit(d)
	}
}

func jobContext(stream context.Context, j Job) context.Context {
	if j.Ctx != nil {
		return j.Ctx
	}
	return stream
}

// prepare recalls, or decodes and fills input with, the job's photo. The
// result holds input only when the photo is ready for the model.
func prepare(ctx context.Context, t preprocess.Preparer, job Job, input []float32, opts Options) prepared {
	p := prepared{job: job}
	ctx = jobContext(ctx, job)
	if opts.Memory != nil && ctx.Err() == nil {
		if res, ok := opts.Memory.Recall(ctx, job); ok {
			p.result, p.cached = res, true
			return p
		}
	}
	start := time.Now()
	photo, err := preprocess.LoadAtLeast(ctx, job.Path, t.MinSide())
	p.timing.Decode = time.Since(start)
	if err != nil {
		p.err = err
		return p
	}
	if opts.Decoded != nil {
		opts.Decoded(job, photo)
	}
	start = time.Now()
	p.err = t.Fill(photo, input)
	p.timing.Preprocess = time.Since(start)
	if p.err == nil {
		p.input = input
	}
	return p
}

// pool hands out input buffers, making up to limit of them as they are
// first needed.
type pool struct {
	free  chan []float32
	size  int
	mu    sync.Mutex
	spare int // buffers not made yet
}

func newPool(limit, size int) *pool {
	return &pool{free: make(chan []float32, limit), size: size, spare: limit}
}

// get returns a buffer, waiting for one to be put back when all are made
// and in use; it returns false when ctx ends first.
func (b *pool) get(ctx context.Context) ([]float32, bool) {
	select {
	case buf := <-b.free:
		return buf, true
	default:
	}
	b.mu.Lock()
	fresh := b.spare > 0
	if fresh {
		b.spare--
	}
	b.mu.Unlock()
	if fresh {
		return make([]float32, b.size), true
	}
	select {
	case buf := <-b.free:
		return buf, true
	case <-ctx.Done():
		return nil, false
	}
}

func (b *pool) put(buf []float32) { b.free <- buf }
