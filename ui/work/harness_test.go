package work_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
	"github.com/spotter-app/spotter/ui/work"
)

// colours is a fake engine, deterministic and without ONNX Runtime: it
// names the colour that dominates the photo, read from the input tensor
// the pipeline filled, so each answer still depends on its own photo. It
// can hold one run or panic in one (counting calls with several photos as
// runs too), to test what happens around them.
type colours struct {
	calls  atomic.Int32
	closes atomic.Int32

	holdOn  int32         // this run (1-based) waits for release or its context; 0 none
	held    chan struct{} // closed when the held run starts
	release chan struct{} // closing it lets the held run go on
	panicOn int32         // this run panics; 0 none
}

func newColours() *colours {
	return &colours{held: make(chan struct{}), release: make(chan struct{})}
}

// side is the fake's input, side×side pixels in RGB planes. Photos are
// decoded at no less on their shorter side, and the thumbnails made while
// classifying come from that decode, as with a real model (256 pixels).
const side = 64

func (c *colours) NewTensor() preprocess.Preparer {
	return preprocess.NewTensor(
		model.Input{Layout: model.NCHW, Width: side, Height: side, Channels: "RGB", Std: [3]float32{255, 255, 255}},
		model.Crop{Mode: model.CropSquare, Fraction: 1})
}

func (c *colours) Run(ctx context.Context, input []float32) (prediction.Result, error) {
	c.enter(ctx)
	return c.classify(ctx, input)
}

// enter counts a run, and panics in it or holds it when asked to.
func (c *colours) enter(ctx context.Context) {
	n := c.calls.Add(1)
	if n == c.panicOn {
		panic("boom")
	}
	if n == c.holdOn {
		close(c.held)
		select {
		case <-c.release:
		case <-ctx.Done():
		}
	}
}

func (c *colours) classify(ctx context.Context, input []float32) (prediction.Result, error) {
	if err := ctx.Err(); err != nil {
		return prediction.Result{}, err
	}
	var sum [3]float32
	for ch := range sum {
		for _, v := range input[ch*side*side : (ch+1)*side*side] {
			sum[ch] += v
		}
	}
	best := 0
	for ch := range sum {
		if sum[ch] > sum[best] {
			best = ch
		}
	}
	total := sum[0] + sum[1] + sum[2]
	return prediction.Result{
		Predictions: []prediction.Prediction{{Label: []string{"red", "green", "blue"}[best], Probability: sum[best] / total}},
		Timing:      prediction.Timing{Inference: time.Microsecond},
	}, nil
}

func (c *colours) Close() error {
	c.closes.Add(1)
	return nil
}

// batching is colours that also runs several photos in one call, as the
// real classifier does (pipeline.Batcher).
type batching struct {
	*colours
	panics bool // every call with several photos panics

	mu    sync.Mutex
	sizes []int // how many photos each call took
}

func (b *batching) MaxBatch() int { return 4 }

func (b *batching) RunBatch(ctx context.Context, inputs [][]float32) ([]prediction.Result, error) {
	b.mu.Lock()
	b.sizes = append(b.sizes, len(inputs))
	b.mu.Unlock()
	b.enter(ctx)
	if b.panics {
		panic("boom in a batch")
	}
	out := make([]prediction.Result, len(inputs))
	for i, in := range inputs {
		res, err := b.classify(ctx, in)
		if err != nil {
			return nil, err
		}
		out[i] = res
	}
	return out, nil
}

// readName is the fake engines' text reading: the photo's file name, as
// its one line, except for a photo named panicky.png.
func readName(path string, res *prediction.Result) error {
	if filepath.Base(path) == "panicky.png" {
		panic("boom in reading")
	}
	res.Lines = append(res.Lines, prediction.Line{Text: filepath.Base(path), Confidence: 1})
	return nil
}

// textColours and textBatching are the fakes that also read text
// (pipeline.TextReader), as the real classifier does.
type (
	textColours  struct{ *colours }
	textBatching struct{ *batching }
)

func (c textColours) ReadText(_ context.Context, path string, res *prediction.Result) error {
	return readName(path, res)
}

func (b textBatching) ReadText(_ context.Context, path string, res *prediction.Result) error {
	return readName(path, res)
}

// opener opens c, failing the first fail calls.
func opener(c work.Classifier, fail int) (work.Opener, *atomic.Int32) {
	var calls atomic.Int32
	return func() (work.Classifier, work.EngineInfo, error) {
		if int(calls.Add(1)) <= fail {
			return nil, work.EngineInfo{Runtime: "fake"}, fmt.Errorf("The model could not be loaded (attempt %d). Try again.", calls.Load())
		}
		return c, work.EngineInfo{Runtime: "fake", Model: "colours"}, nil
	}, &calls
}

var (
	red   = color.RGBA{220, 30, 30, 255}
	green = color.RGBA{30, 200, 40, 255}
	blue  = color.RGBA{20, 40, 230, 255}
)

// photo writes a w×h PNG of one colour to dir/name. Its one-colour
// palette spares filling every pixel, which under -race takes seconds for
// the larger ones.
func photo(t testing.TB, dir, name string, c color.RGBA, w, h int) string {
	t.Helper()
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{c})
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// harness runs the worker with the test goroutine as its UI thread: the
// reports queue on posted and run only inside until, and record what the
// window would have heard, in order.
type harness struct {
	t      *testing.T
	w      *work.Worker
	posted chan func()

	// On the test goroutine only.
	log      []string // "queued 3", "started 3", "finished 3", "loaded", "walked"
	loaded   []work.Loaded
	batches  [][]work.Queued
	walked   []walk
	started  []uint64
	finished map[uint64][]work.Finished
	previews []preview
}

type walk struct {
	paths []string
	found int
}

type preview struct {
	id  uint64
	img image.Image
}

// post is the harness's UI thread: it runs f inside until.
func (h *harness) post(f func()) { h.posted <- f }

func start(t *testing.T, open work.Opener, opts work.Options) *harness {
	t.Helper()
	before := goleak.IgnoreCurrent()
	h := &harness{t: t, posted: make(chan func(), 1024), finished: map[uint64][]work.Finished{}}
	h.w = work.Start(open, h.post, work.Events{
		OnLoaded: func(l work.Loaded) {
			h.log = append(h.log, "loaded")
			h.loaded = append(h.loaded, l)
		},
		OnQueued: func(q []work.Queued) {
			for _, r := range q {
				h.log = append(h.log, fmt.Sprint("queued ", r.ID))
			}
			h.batches = append(h.batches, q)
		},
		OnWalked: func(paths []string, found int) {
			h.log = append(h.log, "walked")
			h.walked = append(h.walked, walk{paths, found})
		},
		OnStarted: func(id uint64) {
			h.log = append(h.log, fmt.Sprint("started ", id))
			h.started = append(h.started, id)
		},
		OnFinished: func(f work.Finished) {
			h.log = append(h.log, fmt.Sprint("finished ", f.ID))
			h.finished[f.ID] = append(h.finished[f.ID], f)
		},
		OnPreview: func(id uint64, img image.Image) { h.previews = append(h.previews, preview{id, img}) },
	}, opts)
	t.Cleanup(func() {
		h.w.Wait()
		// Nothing the worker started may outlive it.
		goleak.VerifyNone(t, before)
	})
	return h
}

// until runs the posted reports until cond holds.
func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case f := <-h.posted:
			f()
		case <-tick.C:
		case <-deadline:
			h.t.Fatalf("timed out waiting until %s; events: %v", what, h.log)
		}
	}
}

// queued is every row announced, in order.
func (h *harness) queued() []work.Queued { return slices.Concat(h.batches...) }

// last is the latest outcome for row id.
func (h *harness) last(id uint64) (work.Finished, bool) {
	f := h.finished[id]
	if len(f) == 0 {
		return work.Finished{}, false
	}
	return f[len(f)-1], true
}

// done reports whether every row announced has an outcome.
func (h *harness) done() bool {
	for _, q := range h.queued() {
		if _, ok := h.last(q.ID); !ok {
			return false
		}
	}
	return len(h.batches) > 0
}

// at is where entry first appears in the log; -1 when it does not.
func (h *harness) at(entry string) int { return slices.Index(h.log, entry) }

// starved reports whether every preparer of the stream waits for an input
// buffer: all are in use, so every photo they could take is prepared and
// waits for the model. A preparer counts only when it is blocked there (a
// goroutine in a select): one caught passing through get, taking a free
// buffer, is not waiting.
func starved() bool {
	buf := make([]byte, 1<<20)
	waiting := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "pipeline.(*pool).get(") && strings.Contains(g[:strings.Index(g, "\n")+1], "[select") {
			waiting++
		}
	}
	return waiting == pipeline.DefaultPreparers
}

// closed reports whether ch is closed, without waiting.
func closed(ch chan struct{}) func() bool {
	return func() bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
}

// memory is a pipeline.Memory that knows some photos already, as the
// catalogue does, and keeps what is classified.
type memory struct {
	mu    sync.Mutex
	known map[string]prediction.Result
	kept  []string
}

func (m *memory) Recall(_ context.Context, j pipeline.Job) (prediction.Result, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	res, ok := m.known[j.Path]
	return res, ok && !j.Fresh
}

func (m *memory) Keep(d pipeline.Done) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.kept = append(m.kept, d.Path)
}
