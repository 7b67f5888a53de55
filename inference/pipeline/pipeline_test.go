package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
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
		for i := range jobs {
			jobs[i].Carry = new(bool) // set once the photo is decoded
		}
		var done []pipeline.Done
		var decoded atomic.Int32 // the preparers call Decoded concurrently
		pipeline.Stream(context.Background(), c, from(jobs), func(d pipeline.Done) { done = append(done, d) },
			pipeline.Options{Sequential: sequential, Decoded: func(j pipeline.Job, _ preprocess.Photo) {
				decoded.Add(1)
				*j.Carry.(*bool) = true
			}})
		if len(done) != len(jobs) || decoded.Load() != 3 {
			t.Fatalf("sequential=%v: %d done, %d decoded; want %d and 3", sequential, len(done), decoded.Load(), len(jobs))
		}
		for i, d := range done {
			if d.ID != jobs[i].ID {
				t.Errorf("result %d is job %d: out of order", i, d.ID)
			}
			// What Decoded made for a photo travels with its result.
			if d.Carry != jobs[i].Carry || *d.Carry.(*bool) != (d.Err == nil) {
				t.Errorf("result %d: Carry %v (decoded %v) for a job with error %v", i, d.Carry, *jobs[i].Carry.(*bool), d.Err)
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

// sizes records how many photos each run of the real model took. The first
// run waits for start, so the photos behind it are all prepared by then.
type sizes struct {
	*inference.Classifier
	start <-chan struct{}
	runs  []int
}

func (s *sizes) Run(ctx context.Context, input []float32) (prediction.Result, error) {
	s.wait(1)
	return s.Classifier.Run(ctx, input)
}

func (s *sizes) RunBatch(ctx context.Context, inputs [][]float32) ([]prediction.Result, error) {
	s.wait(len(inputs))
	return s.Classifier.RunBatch(ctx, inputs)
}

func (s *sizes) wait(n int) {
	if len(s.runs) == 0 {
		<-s.start
	}
	s.runs = append(s.runs, n)
}

// exhausted serves jobs and closes the returned channel once each of
// preparers has been told there are no more: every photo has been
// prepared and handed on.
func exhausted(jobs []pipeline.Job, preparers int) (pipeline.Source, <-chan struct{}) {
	all := make(chan struct{})
	i, ends := 0, 0
	return func(context.Context) (pipeline.Job, bool) {
		if i == len(jobs) {
			if ends++; ends == preparers {
				close(all)
			}
			return pipeline.Job{}, false
		}
		i++
		return jobs[i-1], true
	}, all
}

func openFloat(t *testing.T) *inference.Classifier {
	t.Helper()
	inferencetest.Library(t)
	desc := strings.TrimSuffix(inferencetest.Descriptor(t), ".json") + "_float.json"
	c, err := inference.Open(inference.Options{Descriptor: desc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Photos that are ready together run together, up to the batch limit and
// never across two jobs' contexts, and each gets the answer it gets alone,
// in order. The float32 model, whose answers do not depend on the batch
// (see inference.TestBatchAnswersAsAlone).
func TestStreamBatchesWhatIsReady(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	c := openFloat(t)
	bad := filepath.Join(t.TempDir(), "bad.jpg")
	if err := os.WriteFile(bad, []byte("no photo here"), 0o644); err != nil {
		t.Fatal(err)
	}
	own, cancel := context.WithCancel(context.Background())
	defer cancel()
	var jobs []pipeline.Job
	for i, name := range []string{"dog.jpg", "eagle.jpg", "", "giraffe.jpg", "horses.jpg", "kite.jpg", "person.jpg", "dog.jpg", "eagle.jpg"} {
		j := pipeline.Job{ID: uint64(i + 1), Path: bad}
		if name != "" {
			j.Path = inferencetest.Photo(t, name)
		}
		if i >= 4 {
			j.Ctx = own
		}
		jobs = append(jobs, j)
	}
	alone := map[string]prediction.Result{}
	for _, j := range jobs {
		if d := pipeline.One(context.Background(), c, j.Path, pipeline.Options{}); d.Err == nil {
			alone[j.Path] = d.Result
		}
	}
	const preparers = 2
	for _, maxBatch := range []int{0, 3} {
		// Every photo fits in the stream's buffers, so all are prepared
		// while the first one runs.
		source, all := exhausted(jobs, preparers)
		if maxBatch > 0 {
			// Then not all fit: a preparer waits for a buffer before it
			// can learn there are no more photos.
			source = from(jobs)
			closed := make(chan struct{})
			close(closed)
			all = closed
		}
		s := &sizes{Classifier: c, start: all}
		var done []pipeline.Done
		pipeline.Stream(context.Background(), s, source, func(d pipeline.Done) { done = append(done, d) },
			pipeline.Options{Preparers: preparers, MaxBatch: maxBatch})
		// The first run takes what was ready when the model was free (the
		// first photo, or more when the preparers were quicker); then the
		// rest of the three photos with the stream's context (job 3
		// failed), then the five with their own.
		if maxBatch == 0 && len(s.runs) > 0 {
			want := []int{s.runs[0]}
			if s.runs[0] < 3 {
				want = append(want, 3-s.runs[0])
			}
			if want = append(want, 5); !slices.Equal(s.runs, want) {
				t.Errorf("runs of %v photos, want %v", s.runs, want)
			}
		}
		sum := 0
		for _, n := range s.runs {
			sum += n
			if maxBatch > 0 && n > maxBatch {
				t.Errorf("MaxBatch %d: runs of %v photos", maxBatch, s.runs)
			}
		}
		if sum != 8 {
			t.Errorf("MaxBatch %d: runs of %v photos, want 8 in all", maxBatch, s.runs)
		}
		if len(done) != len(jobs) {
			t.Fatalf("%d of %d jobs emitted", len(done), len(jobs))
		}
		for i, d := range done {
			if d.ID != jobs[i].ID {
				t.Fatalf("result %d is job %d: out of order", i, d.ID)
			}
			if d.Path == bad {
				if d.Err == nil {
					t.Error("bad.jpg was classified")
				}
				continue
			}
			if d.Err != nil {
				t.Fatalf("%s: %v", d.Path, d.Err)
			}
			if !reflect.DeepEqual(d.Result.Predictions, alone[d.Path].Predictions) {
				t.Errorf("job %d (%s) in a batch: %v, alone: %v", d.ID, filepath.Base(d.Path), d.Result.Predictions, alone[d.Path].Predictions)
			}
			if d.Result.Timing.Decode <= 0 || d.Result.Timing.Inference <= 0 {
				t.Errorf("job %d: timing %+v", d.ID, d.Result.Timing)
			}
		}
	}
}

// memory is a catalogue's part in the stream: it keeps what it is handed
// and recalls it by path.
type memory struct {
	mu       sync.Mutex
	known    map[string]prediction.Result
	recalled []uint64
	kept     []uint64
}

func (m *memory) Recall(_ context.Context, j pipeline.Job) (prediction.Result, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	res, ok := m.known[j.Path]
	if ok {
		m.recalled = append(m.recalled, j.ID)
	}
	return res, ok
}

func (m *memory) Keep(d pipeline.Done) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.kept = append(m.kept, d.ID)
	if d.Err == nil {
		m.known[d.Path] = d.Result
	}
}

func TestStreamRecallsWhatMemoryKept(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	c := open(t)
	bad := filepath.Join(t.TempDir(), "bad.jpg")
	if err := os.WriteFile(bad, []byte("no photo here"), 0o644); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	jobs := []pipeline.Job{
		{ID: 1, Path: inferencetest.Photo(t, "dog.jpg")},
		{ID: 2, Path: inferencetest.Photo(t, "eagle.jpg")},
		{ID: 3, Path: bad},
		{ID: 4, Path: inferencetest.Photo(t, "giraffe.jpg"), Ctx: cancelled},
		{ID: 5, Path: inferencetest.Photo(t, "giraffe.jpg")},
	}
	m := &memory{known: map[string]prediction.Result{}}
	for _, sequential := range []bool{false, true} {
		m.known = map[string]prediction.Result{}
		var first []pipeline.Done
		run := func() (done []pipeline.Done, decoded int32) {
			m.recalled, m.kept = nil, nil
			var n atomic.Int32
			pipeline.Stream(context.Background(), c, from(jobs), func(d pipeline.Done) { done = append(done, d) },
				pipeline.Options{Memory: m, Sequential: sequential, Decoded: func(pipeline.Job, preprocess.Photo) { n.Add(1) }})
			return done, n.Load()
		}
		first, decoded := run()
		// Everything is new: every finished job is kept, classified or
		// failed; the cancelled one is not finished.
		if decoded != 3 || !slices.Equal(m.kept, []uint64{1, 2, 3, 5}) || len(m.recalled) != 0 {
			t.Fatalf("sequential=%v, first run: %d decoded, kept %v, recalled %v", sequential, decoded, m.kept, m.recalled)
		}
		for _, d := range first {
			if d.Cached {
				t.Errorf("job %d cached on the first run", d.ID)
			}
		}
		second, decoded := run()
		// Job 4's context is still cancelled, so it is not even recalled.
		if decoded != 0 || !slices.Equal(m.kept, []uint64{3}) || !slices.Equal(sortedIDs(m.recalled), []uint64{1, 2, 5}) {
			t.Fatalf("sequential=%v, second run: %d decoded, kept %v, recalled %v", sequential, decoded, m.kept, m.recalled)
		}
		if len(second) != len(jobs) {
			t.Fatalf("%d of %d jobs emitted", len(second), len(jobs))
		}
		for i, d := range second {
			if d.ID != jobs[i].ID {
				t.Fatalf("result %d is job %d: out of order", i, d.ID)
			}
			want := d.ID == 1 || d.ID == 2 || d.ID == 5
			if d.Cached != want {
				t.Errorf("job %d: cached %v, want %v", d.ID, d.Cached, want)
			}
			if want && !reflect.DeepEqual(d.Result, first[i].Result) {
				t.Errorf("job %d recalled %+v, kept %+v", d.ID, d.Result, first[i].Result)
			}
		}
		if !errors.Is(second[3].Err, context.Canceled) || second[2].Err == nil {
			t.Errorf("job 3: %v, job 4: %v", second[2].Err, second[3].Err)
		}
	}
}

func sortedIDs(ids []uint64) []uint64 {
	s := slices.Clone(ids)
	slices.Sort(s)
	return s
}

func TestOne(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	c := open(t)
	dog := inferencetest.Photo(t, "dog.jpg")
	d := pipeline.One(context.Background(), c, dog, pipeline.Options{})
	if d.Err != nil || d.Path != dog || !strings.HasPrefix(d.Result.Top().Label, "malamute") {
		t.Fatalf("dog.jpg: %+v", d)
	}
	if d.Result.Timing.Decode <= 0 || d.Result.Timing.Preprocess <= 0 || d.Result.Timing.Inference <= 0 {
		t.Errorf("timing not measured: %+v", d.Result.Timing)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if d := pipeline.One(ctx, c, dog, pipeline.Options{}); !errors.Is(d.Err, context.Canceled) || d.Path != dog {
		t.Errorf("with a cancelled context: %+v", d)
	}
	m := &memory{known: map[string]prediction.Result{dog: {Predictions: []prediction.Prediction{{Label: "kept", Probability: 1}}}}}
	if d := pipeline.One(context.Background(), c, dog, pipeline.Options{Memory: m}); !d.Cached || d.Result.Top().Label != "kept" || len(m.kept) != 0 {
		t.Errorf("a photo memory knows: %+v, kept %v", d, m.kept)
	}
}
