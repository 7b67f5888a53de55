// Package pipeline classifies a stream of photos, decoding and preparing
// the next photo on a second goroutine while the model runs the current
// one. The window and the command line share it; it knows neither.
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
	NewTensor() *preprocess.Tensor
	Run(ctx context.Context, input []float32) (prediction.Result, error)
}

// Job is one photo to classify.
type Job struct {
	ID   uint64
	Path string
	// Ctx ends this job alone (for example a cancelled queue); nil means
	// the stream's context.
	Ctx context.Context
}

// Done is a finished job: a result, or an error that says why not.
type Done struct {
	Job
	Result prediction.Result
	Err    error
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
	// Decoded, when set, sees each photo right after decoding, on a
	// preparing goroutine (the window makes thumbnails there). The photo
	// must not be kept.
	Decoded func(Job, preprocess.Photo)
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
	input  []float32
	timing prediction.Timing
	err    error
}

// Stream classifies jobs from next until it reports no more or ctx ends,
// and hands each to emit in order, on the calling goroutine. Every job taken
// from next is emitted, done or with its error.
func Stream(ctx context.Context, r Runner, next Source, emit func(Done), opts Options) {
	if opts.Sequential {
		t := r.NewTensor()
		input := make([]float32, t.Len())
		for {
			job, ok := next(ctx)
			if !ok {
				return
			}
			emit(run(ctx, r, prepare(ctx, t, job, input, opts.Decoded)))
		}
	}

	preparers := opts.Preparers
	if preparers < 1 {
		preparers = DefaultPreparers
	}
	// One input buffer per preparer, and one being run.
	free := make(chan []float32, preparers+1)
	ready := make(chan prepared)
	size := r.NewTensor().Len()
	for range cap(free) {
		free <- make([]float32, size)
	}
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
				var input []float32
				select {
				case input = <-free:
				case <-ctx.Done():
					return
				}
				job, seq, ok := take()
				if !ok {
					return
				}
				// Always handed on, even when ctx has ended: every job
				// taken is emitted, so no photo is left "in progress".
				p := prepare(ctx, t, job, input, opts.Decoded)
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
		for {
			p, ok := waiting[nextSeq]
			if !ok {
				break
			}
			delete(waiting, nextSeq)
			nextSeq++
			d := run(ctx, r, p)
			free <- p.input
			emit(d)
		}
	}
}

func jobContext(stream context.Context, j Job) context.Context {
	if j.Ctx != nil {
		return j.Ctx
	}
	return stream
}

func prepare(ctx context.Context, t *preprocess.Tensor, job Job, input []float32, decoded func(Job, preprocess.Photo)) prepared {
	p := prepared{job: job, input: input}
	ctx = jobContext(ctx, job)
	start := time.Now()
	photo, err := preprocess.LoadAtLeast(ctx, job.Path, t.MinSide())
	p.timing.Decode = time.Since(start)
	if err != nil {
		p.err = err
		return p
	}
	if decoded != nil {
		decoded(job, photo)
	}
	start = time.Now()
	p.err = t.Fill(photo, input)
	p.timing.Preprocess = time.Since(start)
	return p
}

func run(ctx context.Context, r Runner, p prepared) Done {
	d := Done{Job: p.job, Err: p.err}
	if d.Err == nil {
		d.Result, d.Err = r.Run(jobContext(ctx, p.job), p.input)
	}
	d.Result.Timing.Decode = p.timing.Decode
	d.Result.Timing.Preprocess = p.timing.Preprocess
	return d
}
