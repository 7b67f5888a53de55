package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/preprocess"
)

func open(t testing.TB) *inference.Classifier {
	t.Helper()
	inferencetest.Library(t)
	c, err := inference.Open(inference.Options{Descriptor: inferencetest.Descriptor(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// from serves jobs from a slice.
func from(jobs []pipeline.Job) pipeline.Source {
	i := 0
	return func(ctx context.Context) (pipeline.Job, bool) {
		if i == len(jobs) || ctx.Err() != nil {
			return pipeline.Job{}, false
		}
		i++
		return jobs[i-1], true
	}
}

func TestStreamClassifiesInOrder(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	c := open(t)
	bad := filepath.Join(t.TempDir(), "bad.jpg")
	if err := os.WriteFile(bad, []byte("no photo here"), 0o644); err != nil {
		t.Fatal(err)
	}
	names := []string{"dog.jpg", "eagle.jpg", "", "giraffe.jpg"}
	var jobs []pipeline.Job
	for i, n := range names {
		p := bad
		if n != "" {
			p = inferencetest.Photo(t, n)
		}
		jobs = append(jobs, pipeline.Job{ID: uint64(i + 1), Path: p})
	}
	for _, sequential := range []bool{false, true} {
		var done []pipeline.Done
		var decoded atomic.Int32 // the preparers call Decoded concurrently
		pipeline.Stream(context.Background(), c, from(jobs), func(d pipeline.Done) { done = append(done, d) },
			pipeline.Options{Sequential: sequential, Decoded: func(pipeline.Job, preprocess.Photo) { decoded.Add(1) }})
		if len(done) != len(jobs) || decoded.Load() != 3 {
			t.Fatalf("sequential=%v: %d done, %d decoded; want %d and 3", sequential, len(done), decoded.Load(), len(jobs))
		}
		for i, d := range done {
			if d.ID != jobs[i].ID {
				t.Errorf("result %d is job %d: out of order", i, d.ID)
			}
		}
		if top := done[0].Result.Top().Label; !strings.HasPrefix(top, "malamute") {
			t.Errorf("dog.jpg: %q", top)
		}
		if top := done[1].Result.Top().Label; top != "kite" {
			t.Errorf("eagle.jpg: %q", top)
		}
		if done[2].Err == nil || !strings.Contains(done[2].Err.Error(), "bad.jpg is a text file") {
			t.Errorf("bad.jpg: %v", done[2].Err)
		}
		if done[3].Err != nil || done[3].Result.Timing.Decode <= 0 || done[3].Result.Timing.Inference <= 0 {
			t.Errorf("giraffe.jpg: %v, timing %+v", done[3].Err, done[3].Result.Timing)
		}
	}
}

func TestStreamCancellation(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	c := open(t)
	dog := inferencetest.Photo(t, "dog.jpg")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	jobs := []pipeline.Job{{ID: 1, Path: dog}, {ID: 2, Path: dog, Ctx: cancelled}, {ID: 3, Path: dog}}
	var done []pipeline.Done
	pipeline.Stream(context.Background(), c, from(jobs), func(d pipeline.Done) { done = append(done, d) }, pipeline.Options{})
	if len(done) != 3 || done[0].Err != nil || !errors.Is(done[1].Err, context.Canceled) || done[2].Err != nil {
		t.Fatalf("a job cancelled alone: %+v", done)
	}

	// Ending the stream's context ends the stream, with nothing left behind.
	ctx, stop := context.WithCancel(context.Background())
	endless := func(ctx context.Context) (pipeline.Job, bool) {
		return pipeline.Job{ID: 9, Path: dog}, ctx.Err() == nil
	}
	n := 0
	pipeline.Stream(ctx, c, endless, func(pipeline.Done) {
		if n++; n == 5 {
			stop()
		}
	}, pipeline.Options{})
	if n < 5 {
		t.Errorf("stream ended after %d photos", n)
	}
}
