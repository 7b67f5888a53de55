// Package pipeline classifies a stream of photos, decoding and preparing
// the next photo on a second goroutine while the model runs the current
// one. The window and the command line share it; it knows neither.
package pipeline

import (
	"context"
	"time"

	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
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
// false when there will be no more, or when ctx ends.
type Source func(ctx context.Context) (Job, bool)

// Options tune a stream.
type Options struct {
	// Sequential prepares each photo only after the previous one ran: the
	// baseline that shows what the overlap gains.
	Sequential bool
	// Decoded, when set, sees each photo right after decoding, on the
	// preparing goroutine (the window makes thumbnails there). The photo
	// must not be kept.
	Decoded func(Job, preprocess.Photo)
}

type prepared struct {
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

	// Two input buffers: one being run, one being filled.
	free := make(chan []float32, 2)
	ready := make(chan prepared)
	t := r.NewTensor()
	for range cap(free) {
		free <- make([]float32, t.Len())
	}
	go func() {
		defer close(ready)
		for {
			// A buffer first, then the job: once taken, a job is never
			// dropped.
			var input []float32
			select {
			case input = <-free:
			case <-ctx.Done():
				return
			}
			job, ok := next(ctx)
			if !ok {
				return
			}
			// Always handed on, even when ctx has ended: every job taken
			// from next is emitted, so no photo is left "in progress".
			ready <- prepare(ctx, t, job, input, opts.Decoded)
		}
	}()
	for p := range ready {
		d := run(ctx, r, p)
		free <- p.input
		emit(d)
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
	photo, err := preprocess.Load(ctx, job.Path)
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
