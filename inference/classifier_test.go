package inference

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/ortlib"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
	"github.com/spotter-app/spotter/inference/priority"
)

func openTest(t *testing.T) *Classifier {
	t.Helper()
	inferencetest.Library(t)
	c, err := Open(Options{Descriptor: inferencetest.Descriptor(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}

// classify takes a photo through the one path every photo takes.
func classify(ctx context.Context, c *Classifier, path string) (prediction.Result, error) {
	d := pipeline.One(ctx, c, path, pipeline.Options{})
	return d.Result, d.Err
}

func labels(preds []prediction.Prediction) []string {
	var out []string
	for _, p := range preds {
		out = append(out, p.Label)
	}
	return out
}

func TestClassifiesSharedPhotos(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()

	dog, err := classify(ctx, c, inferencetest.Photo(t, "dog.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dog.Predictions) != 5 {
		t.Fatalf("got %d predictions, want 5", len(dog.Predictions))
	}
	breeds := []string{"malamute, malemute, Alaskan malamute", "Eskimo dog, husky", "Siberian husky"}
	found := false
	for _, l := range labels(dog.Predictions[:3]) {
		found = found || slices.Contains(breeds, l)
	}
	if !found {
		t.Errorf("dog.jpg top-3 = %q, want a malamute, Eskimo dog or Siberian husky", labels(dog.Predictions[:3]))
	}
	for i := 1; i < len(dog.Predictions); i++ {
		if dog.Predictions[i].Probability > dog.Predictions[i-1].Probability {
			t.Errorf("predictions not ranked: %v", dog.Predictions)
		}
	}

	eagle, err := classify(ctx, c, inferencetest.Photo(t, "eagle.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if top := eagle.Top().Label; top != "kite" && !strings.HasPrefix(top, "bald eagle") {
		t.Errorf("eagle.jpg top-1 = %q, want kite or bald eagle", top)
	}
	// The everyday answer sums every class, so it is surer than any one
	// class: kite and bald eagle are both a bird.
	if a := eagle.Everyday; a.Name != "bird" || !slices.Equal(a.Categories, []string{"animal"}) || a.Confidence < eagle.Top().Probability+eagle.Predictions[1].Probability-1e-6 || a.Confidence > 1.0001 {
		t.Errorf("eagle.jpg everyday answer %+v, top-2 %v", a, eagle.Predictions[:2])
	}
	if a := dog.Everyday; a.Name != "dog" || !strings.HasPrefix(dog.Top().Label, a.Class) || a.ClassProbability != dog.Top().Probability {
		t.Errorf("dog.jpg everyday answer %+v, top %v", a, dog.Top())
	}
	if eagle.Timing.Inference <= 0 || eagle.Timing.Decode <= 0 {
		t.Errorf("timing not measured: %+v", eagle.Timing)
	}
}

// The float32 variant of the model feeds the same way and must agree on
// the answer.
func TestFloatModelAgrees(t *testing.T) {
	inferencetest.Library(t)
	desc := strings.TrimSuffix(inferencetest.Descriptor(t), ".json") + "_float.json"
	c, err := Open(Options{Descriptor: desc})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := classify(context.Background(), c, inferencetest.Photo(t, "dog.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Top().Label; !strings.HasPrefix(got, "malamute") {
		t.Errorf("float model top-1 on dog.jpg = %q, want malamute", got)
	}
}

func TestTerminateStopsARun(t *testing.T) {
	c := openTest(t)
	if err := c.session.opts.Terminate(); err != nil {
		t.Fatal(err)
	}
	if err := c.runBatch(context.Background(), c.MaxBatch()); err == nil {
		t.Fatal("a run with the terminate flag set succeeded; cancellation would not stop inference")
	}
	if err := c.session.opts.UnsetTerminate(); err != nil {
		t.Fatal(err)
	}
	if err := c.runBatch(context.Background(), c.MaxBatch()); err != nil {
		t.Fatalf("run after clearing the flag: %v", err)
	}
}

func TestCancelDuringRun(t *testing.T) {
	c := openTest(t)
	photo := inferencetest.Photo(t, "eagle.jpg")
	cancelled := 0
	// Cancel at staggered moments so some land inside ONNX Runtime's Run.
	for i := range 30 {
		ctx, cancel := context.WithCancel(context.Background())
		timer := time.AfterFunc(time.Duration(i)*250*time.Microsecond, cancel)
		start := time.Now()
		_, err := classify(ctx, c, photo)
		took := time.Since(start)
		timer.Stop()
		cancel()
		switch {
		case errors.Is(err, context.Canceled):
			cancelled++
		case err != nil:
			t.Fatalf("cancel after %v: %v, want context.Canceled or success", time.Duration(i)*250*time.Microsecond, err)
		}
		if took > 2*time.Second {
			t.Errorf("a cancelled classification took %v", took)
		}
	}
	if cancelled == 0 {
		t.Fatal("no classification was cancelled")
	}
	// A cancelled run must not poison the next one.
	res, err := classify(context.Background(), c, photo)
	if err != nil {
		t.Fatal(err)
	}
	if top := res.Top().Label; top != "kite" && !strings.HasPrefix(top, "bald eagle") {
		t.Errorf("after cancellations eagle.jpg top-1 = %q", top)
	}
}

// prepareInputs decodes and prepares shared photos as the pipeline's
// preparers do.
func prepareInputs(t *testing.T, c *Classifier, names ...string) [][]float32 {
	t.Helper()
	tensor := c.NewTensor()
	var inputs [][]float32
	for _, name := range names {
		photo, err := preprocess.LoadAtLeast(context.Background(), inferencetest.Photo(t, name), tensor.MinSide())
		if err != nil {
			t.Fatal(err)
		}
		input := make([]float32, tensor.Len())
		if err := tensor.Fill(photo, input); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input)
	}
	return inputs
}

// Every photo of a batch gets the answer it gets alone, in its place,
// whatever the batch's size. The float32 model, because int8 kernels may
// round differently by batch size, so only a float model's answers can be
// compared exactly. (ONNX Runtime 1.24.1's int8 kernels on AVX-512 VNNI
// processors even answered differently from one session to the next, see
// microsoft/onnxruntime#26324: the reason `make runtime` fetches 1.30.0.)
func TestBatchAnswersAsAlone(t *testing.T) {
	inferencetest.Library(t)
	c, err := Open(Options{Descriptor: strings.TrimSuffix(inferencetest.Descriptor(t), ".json") + "_float.json"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	inputs := prepareInputs(t, c, "dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "kite.jpg", "person.jpg", "giraffe.jpg", "dog.jpg")
	if c.MaxBatch() != len(inputs) {
		t.Fatalf("MaxBatch = %d, want %d: the model's batch dimension is dynamic", c.MaxBatch(), len(inputs))
	}
	var alone []prediction.Result
	for _, input := range inputs {
		res, err := c.Run(ctx, input)
		if err != nil {
			t.Fatal(err)
		}
		alone = append(alone, res)
	}
	for _, span := range [][2]int{{0, 8}, {2, 5}, {5, 7}} {
		batch, err := c.RunBatch(ctx, inputs[span[0]:span[1]])
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) != span[1]-span[0] {
			t.Fatalf("%d results for %d inputs", len(batch), span[1]-span[0])
		}
		for i, got := range batch {
			want := alone[span[0]+i]
			if !slices.Equal(labels(got.Predictions), labels(want.Predictions)) {
				t.Errorf("batch %v, photo %d: %q, alone %q", span, i, labels(got.Predictions), labels(want.Predictions))
				continue
			}
			for k := range want.Predictions {
				if d := got.Predictions[k].Probability - want.Predictions[k].Probability; d > 1e-6 || d < -1e-6 {
					t.Errorf("batch %v, photo %d, %s: %v in the batch, %v alone", span, i, want.Predictions[k].Label, got.Predictions[k].Probability, want.Predictions[k].Probability)
				}
			}
			if got.Timing.Inference <= 0 {
				t.Errorf("batch %v, photo %d: no inference time", span, i)
			}
		}
	}
	for _, n := range []int{0, c.MaxBatch() + 1} {
		if _, err := c.RunBatch(ctx, make([][]float32, n)); err == nil {
			t.Errorf("a batch of %d was run", n)
		}
	}
	if _, err := c.RunBatch(ctx, [][]float32{inputs[0], inputs[1][:10]}); err == nil {
		t.Error("a batch with a short input was run")
	}
}

// Cancelling stops a full batch inside ONNX Runtime, and the next batch
// still gives the right answers.
func TestCancelDuringBatch(t *testing.T) {
	c := openTest(t)
	inputs := prepareInputs(t, c, "eagle.jpg", "eagle.jpg", "eagle.jpg", "eagle.jpg", "eagle.jpg", "eagle.jpg", "eagle.jpg", "dog.jpg")
	start := time.Now()
	if _, err := c.RunBatch(context.Background(), inputs); err != nil {
		t.Fatal(err)
	}
	full := time.Since(start)
	cancelled := 0
	for i := range 10 {
		ctx, cancel := context.WithCancel(context.Background())
		timer := time.AfterFunc(full*time.Duration(i)/10, cancel)
		_, err := c.RunBatch(ctx, inputs)
		timer.Stop()
		cancel()
		switch {
		case errors.Is(err, context.Canceled):
			cancelled++
		case err != nil:
			t.Fatalf("cancel after %v: %v, want context.Canceled or success", full*time.Duration(i)/10, err)
		}
	}
	if cancelled == 0 {
		t.Fatal("no batch was cancelled")
	}
	res, err := c.RunBatch(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	if top := res[0].Top().Label; top != "kite" && !strings.HasPrefix(top, "bald eagle") {
		t.Errorf("after cancellations eagle.jpg top-1 = %q", top)
	}
	if top := res[7].Top().Label; !strings.HasPrefix(top, "malamute") {
		t.Errorf("after cancellations dog.jpg top-1 = %q", top)
	}
}

func TestAlreadyCancelledContext(t *testing.T) {
	c := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := classify(ctx, c, inferencetest.Photo(t, "dog.jpg")); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestBadFileLeavesClassifierWorking(t *testing.T) {
	c := openTest(t)
	bad := filepath.Join(t.TempDir(), "notes.jpg")
	if err := os.WriteFile(bad, []byte("shopping list: eggs, milk\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := classify(context.Background(), c, bad); err == nil || !strings.Contains(err.Error(), "text file") {
		t.Fatalf("got %v, want a message saying it is a text file", err)
	}
	if _, err := classify(context.Background(), c, inferencetest.Photo(t, "dog.jpg")); err != nil {
		t.Fatalf("the next photo failed: %v", err)
	}
}

// writeDescriptor copies the test descriptor into a temporary folder beside
// links to the real model files, with edit applied to its text.
func writeDescriptor(t *testing.T, edit func(string) string) string {
	t.Helper()
	src := inferencetest.Descriptor(t)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(filepath.Dir(src), "mobilenet_v2_1.0_224_quant"), filepath.Join(dir, "mobilenet_v2_1.0_224_quant")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "model.json")
	if err := os.WriteFile(p, []byte(edit(string(data))), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenRefusesMismatches(t *testing.T) {
	inferencetest.Library(t)
	cases := []struct {
		name, old, new, want string
	}{
		{"input name", `"name": "input"`, `"name": "image"`, `names input "image"`},
		{"layout", `"layout": "NCHW"`, `"layout": "NHWC"`, "NHWC"},
		{"size", `"width": 224`, `"width": 299`, "299"},
		{"output name", `"name": "probs"`, `"name": "scores"`, `names output "scores"`},
		{"label count", `"label_offset": 0`, `"label_offset": 1`, "1000 labels and label_offset 1"},
		{"labels outside folder", `"labels": "mobilenet_v2_1.0_224_quant/labels.txt"`, `"labels": "../../etc/passwd"`, "must stay inside"},
		{"missing model file", `model.qdq.onnx`, `gone.onnx`, "make model"},
		{"unknown name table", `"names": "imagenet-1k"`, `"names": "imagenet-21k"`, `name table "imagenet-21k"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeDescriptor(t, func(s string) string { return strings.Replace(s, tc.old, tc.new, 1) })
			c, err := Open(Options{Descriptor: p})
			if err == nil {
				c.Close()
				t.Fatal("Open accepted a mismatched descriptor")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestOpenRefusesCorruptModel(t *testing.T) {
	inferencetest.Library(t)
	p := writeDescriptor(t, func(s string) string {
		return strings.Replace(s, "mobilenet_v2_1.0_224_quant/model.qdq.onnx", "broken.onnx", 1)
	})
	if err := os.WriteFile(filepath.Join(filepath.Dir(p), "broken.onnx"), []byte("this is not a protobuf"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Options{Descriptor: p})
	if err == nil || !strings.Contains(err.Error(), "damaged or not an ONNX model") {
		t.Fatalf("got %v, want a damaged-model message", err)
	}
}

func TestMissingLibraryIsExplained(t *testing.T) {
	t.Setenv(ortlib.EnvVar, filepath.Join(t.TempDir(), "libonnxruntime.so"))
	_, err := Open(Options{Descriptor: inferencetest.Descriptor(t)})
	if !errors.Is(err, ortlib.ErrNotFound) || !strings.Contains(err.Error(), "make runtime") {
		t.Fatalf("got %v, want ErrNotFound telling to run make runtime", err)
	}
}

func TestWrongLibraryIsExplained(t *testing.T) {
	// The real ONNX Runtime release for ARM64, which this x86-64 machine's
	// loader refuses, as it would a download for the wrong computer.
	arm := filepath.Join(inferencetest.Root(t), "build", "test", "arm64", "libonnxruntime.so")
	_, err := os.Stat(arm)
	inferencetest.Need(t, err == nil, "the ARM64 ONNX Runtime library (make build/test/arm64/libonnxruntime.so)")
	notALibrary := filepath.Join(t.TempDir(), "libonnxruntime.so")
	if err := os.WriteFile(notALibrary, []byte("\x7fELF not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	for lib, want := range map[string]string{arm: "it is built for AARCH64 processors", notALibrary: "it is not a shared library"} {
		t.Setenv(ortlib.EnvVar, lib)
		_, err := Open(Options{Descriptor: inferencetest.Descriptor(t)})
		if err == nil || !strings.Contains(err.Error(), "could not be loaded: "+want) || !strings.Contains(err.Error(), "make runtime") {
			t.Errorf("%s: got %v, want %q", lib, err, want)
		}
	}
}

// The environment lives while any classifier does and is destroyed with
// the last one, exactly once; closing twice is harmless. The second
// classifier names the same library by a relative path.
func TestEnvironmentDestroyedWithLastClassifier(t *testing.T) {
	lib := inferencetest.Library(t)
	desc := inferencetest.Descriptor(t)
	a, err := Open(Options{Descriptor: desc})
	if err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, lib)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(Options{Descriptor: desc, Library: rel})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if !ort.IsInitialized() {
		t.Fatal("closing one classifier destroyed the environment another still uses")
	}
	if _, err := classify(context.Background(), b, inferencetest.Photo(t, "dog.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if ort.IsInitialized() {
		t.Fatal("the environment outlived the last classifier")
	}
	if err := b.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if _, err := classify(context.Background(), b, inferencetest.Photo(t, "dog.jpg")); err == nil {
		t.Error("a closed classifier still classifies")
	}
}

// A classifier opened on a thread of lowered priority (as the window's
// worker does) gets ONNX Runtime's intra-op threads at that priority too:
// they are created with the session, from that thread.
func TestSessionThreadsInheritLowPriority(t *testing.T) {
	inferencetest.Library(t)
	desc := inferencetest.Descriptor(t)
	before := niceThreads(t)
	opened := make(chan *Classifier)
	release := make(chan struct{})
	go func() {
		if err := priority.Lower(); err != nil {
			t.Error(err)
		}
		c, err := Open(Options{Descriptor: desc, Threads: 3})
		if err != nil {
			t.Error(err)
		}
		opened <- c
		<-release // the thread ends with this goroutine
	}()
	c := <-opened
	defer close(release)
	if c == nil {
		return
	}
	defer c.Close()
	// The lowered thread itself and ONNX Runtime's two pool threads.
	if got := niceThreads(t) - before; got < 3 {
		t.Errorf("%d more threads run at nice %d, want at least 3", got, priority.Nice)
	}
}

// niceThreads counts this process's threads at nice priority.Nice.
func niceThreads(t *testing.T) int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, task := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/stat")
		if err != nil {
			continue // the thread ended
		}
		// Field 19, counted after the parenthesised command name.
		fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(fields) > 16 && fields[16] == strconv.Itoa(priority.Nice) {
			n++
		}
	}
	return n
}
