// Package inference classifies photos with an ONNX Runtime session. It is
// the only package that talks to ONNX Runtime's session API; it never
// imports Fyne.
package inference

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/spotter-app/spotter/inference/fuse"
	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/ortlib"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
	"github.com/spotter-app/spotter/inference/text"
)

// DefaultThreads is one intra-op thread per session. The classifier and
// the detectors run at once on their own goroutines, so one thread each
// already fills both cores of these machines: dog.jpg's whole pass took
// 19.0 ms against 24.8 with two threads each (BenchmarkClassifyFile), and a
// folder's preparers want the cores too. Pool threads do not spin (see
// newSession), so a core is free whenever its model is not running.
const DefaultThreads = 1

// Options choose the model, the library and how to run.
type Options struct {
	Descriptor string // path of the model descriptor (.json)
	Library    string // explicit ONNX Runtime library path; "" looks in the usual places
	Threads    int    // intra-op threads; 0 means DefaultThreads
	Top        int    // how many predictions to return; 0 means 5
	// Classifier alone runs no detectors, even when their descriptors are
	// beside the classifier's (model.Companions).
	ClassifierAlone bool
	// NoText turns text recognition off; Languages are the Tesseract
	// languages it reads ("eng", "deu"), English when empty.
	NoText    bool
	Languages []string
}

// DefaultMaxBatch is the most photos one run takes. In batches of 8 the
// quantised MobileNetV2 took 3.1 ms per photo against 5.2 ms alone
// (BenchmarkBatch); larger batches gained nothing more and hold more
// memory.
const DefaultMaxBatch = 8

// Classifier owns one ONNX Runtime session and its tensors. It is not safe
// for concurrent use: one goroutine must own it.
type Classifier struct {
	desc     *model.Descriptor
	labels   []string
	names    *names.Table // nil when the descriptor names none
	top      int
	session  *session
	inSize   int // values in one photo's input to the classifier
	inputLen int // values in one photo's input to the model set
	classes  int // scores in one photo's output
	batchIn  []float32
	batchOut []float32
	// inputs[n-1] and outputs[n-1] are tensors of a batch of n over the
	// front of batchIn and batchOut: a batch needs tensors of its own shape,
	// and views cost no memory.
	inputs  []*ort.Tensor[float32]
	outputs []*ort.Tensor[float32]
	scores  []float32
	closed  bool

	// The detectors beside the classifier (nil without them): objects on
	// every photo, faces only where a person was seen.
	objects *objectDetector
	faces   *faceDetector
	// text reads the words in photos that look like text; nil with
	// Options.NoText.
	text   *text.Reader
	faceIn []float32
	fit    *preprocess.Letterbox // where a photo lands in the detectors' input
}

// Open loads the descriptor, the labels and the model, checks that they
// agree, and prepares a session to run.
func Open(opts Options) (_ *Classifier, err error) {
	desc, err := model.Load(opts.Descriptor)
	if err != nil {
		return nil, err
	}
	labels, err := desc.ReadLabels()
	if err != nil {
		return nil, err
	}
	onnx, err := os.ReadFile(desc.ModelPath())
	if err != nil {
		return nil, fmt.Errorf("Cannot read the model file %s: %v. Run `make model` or choose another model", desc.ModelPath(), err)
	}
	lib, err := ortlib.Locate(opts.Library)
	if err != nil {
		return nil, err
	}
	if err := ortlib.Acquire(lib); err != nil {
		return nil, err
	}
	c := &Classifier{desc: desc, labels: labels, top: opts.Top}
	if !opts.NoText {
		if c.text, err = text.NewReader(opts.Languages); err != nil {
			return nil, fmt.Errorf("%w. Or turn text reading off (Settings, or --no-text)", err)
		}
	}
	// The detectors load on a goroutine of their own while the classifier
	// loads here: making a session is mostly ONNX Runtime optimising the
	// graph, one core's work, and the first photo waits for all three.
	detectors := make(chan error, 1)
	if opts.ClassifierAlone {
		detectors <- nil
	} else {
		go func() { detectors <- c.openDetectors(opts.Threads) }()
	}
	joined := false
	join := func() error {
		if joined {
			return nil
		}
		joined = true
		return <-detectors
	}
	defer func() {
		if err != nil {
			join()
			c.Close()
		}
	}()
	if c.top <= 0 {
		c.top = 5
	}
	ins, outs, err := checkModel(desc, onnx, len(labels))
	if err != nil {
		return nil, err
	}
	if c.names, err = desc.NameTable(); err != nil {
		return nil, err
	}

	in := desc.Input
	c.inSize = 3 * in.Width * in.Height
	c.classes = desc.Classes(len(labels))
	maxBatch := 1
	if batchDynamic(ins, in.Name) && batchDynamic(outs, desc.Output.Name) {
		maxBatch = DefaultMaxBatch
	}
	c.batchIn = make([]float32, maxBatch*c.inSize)
	c.batchOut = make([]float32, maxBatch*c.classes)
	for n := int64(1); n <= int64(maxBatch); n++ {
		inShape := ort.NewShape(n, 3, int64(in.Height), int64(in.Width))
		if in.Layout == model.NHWC {
			inShape = ort.NewShape(n, int64(in.Height), int64(in.Width), 3)
		}
		input, err := ort.NewTensor(inShape, c.batchIn)
		if err != nil {
			return nil, fmt.Errorf("Cannot make the input tensor: %w", err)
		}
		c.inputs = append(c.inputs, input)
		output, err := ort.NewTensor(ort.NewShape(n, int64(c.classes)), c.batchOut)
		if err != nil {
			return nil, fmt.Errorf("Cannot make the output tensor: %w", err)
		}
		c.outputs = append(c.outputs, output)
	}
	if c.session, err = newSession(onnx, desc, []string{in.Name}, []string{desc.Output.Name}, opts.Threads); err != nil {
		return nil, err
	}
	if err := join(); err != nil {
		return nil, err
	}
	c.inputLen = c.NewTensor().Len()
	c.scores = make([]float32, len(labels))
	// ONNX Runtime allocates and plans on the first run; doing it here, off
	// the person's clock, makes the first photo as fast as the rest.
	if err := c.runBatch(context.Background(), 1); err != nil {
		return nil, fmt.Errorf("ONNX Runtime cannot run the model %s: %v", desc.ModelPath(), err)
	}
	if err := c.warmDetectors(); err != nil {
		return nil, err
	}
	return c, nil
}

// batchDynamic reports whether the named tensor's first dimension takes
// any batch size.
func batchDynamic(infos []ort.InputOutputInfo, name string) bool {
	for _, info := range infos {
		if info.Name == name {
			return len(info.Dimensions) > 0 && info.Dimensions[0] < 1
		}
	}
	return false
}

func tensors(infos []ort.InputOutputInfo) []model.Tensor {
	out := make([]model.Tensor, len(infos))
	for i, info := range infos {
		out[i] = model.Tensor{
			Name:    info.Name,
			Dims:    info.Dimensions,
			Float32: info.OrtValueType == ort.ONNXTypeTensor && info.DataType == ort.TensorElementDataTypeFloat,
		}
	}
	return out
}

// Descriptor is the classifier's descriptor.
func (c *Classifier) Descriptor() *model.Descriptor { return c.desc }

// Models are the descriptors of every model that runs: the classifier
// first, then the object and face detectors when they run. Together they
// are the model set an answer belongs to.
func (c *Classifier) Models() []*model.Descriptor {
	out := []*model.Descriptor{c.desc}
	if c.objects != nil {
		out = append(out, c.objects.desc)
	}
	if c.faces != nil {
		out = append(out, c.faces.desc)
	}
	return out
}

// NewTensor returns a preprocessor for this model set, so another goroutine
// can prepare the next photo while this one runs.
func (c *Classifier) NewTensor() preprocess.Preparer {
	t := preprocess.NewTensor(c.desc.Input, c.desc.Crop)
	if c.objects == nil {
		return t
	}
	return &setInput{crop: t, box: preprocess.NewLetterbox(c.objects.desc.Input, c.objects.desc.Letterbox)}
}

// MaxBatch is the most inputs RunBatch takes at once: DefaultMaxBatch, or
// 1 for a model whose batch dimension is fixed.
func (c *Classifier) MaxBatch() int { return len(c.inputs) }

// Run classifies an input prepared by a tensor from NewTensor.
func (c *Classifier) Run(ctx context.Context, input []float32) (prediction.Result, error) {
	res, err := c.RunBatch(ctx, [][]float32{input})
	if err != nil {
		return prediction.Result{}, err
	}
	return res[0], nil
}

// RunBatch classifies up to MaxBatch prepared inputs in one run of the
// model and returns their results in the same order. Each result's
// inference time is an equal share of the run's. When ctx is cancelled
// during the run, ONNX Runtime is told to stop and ctx.Err() is returned.
func (c *Classifier) RunBatch(ctx context.Context, inputs [][]float32) ([]prediction.Result, error) {
	if c.closed {
		return nil, errors.New("The classifier is closed")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := len(inputs)
	if n == 0 || n > c.MaxBatch() {
		return nil, fmt.Errorf("a batch of %d photos; this model takes 1 to %d at a time", n, c.MaxBatch())
	}
	for i, input := range inputs {
		if len(input) != c.inputLen {
			return nil, fmt.Errorf("the prepared input has %d values, the model takes %d", len(input), c.inputLen)
		}
		copy(c.batchIn[i*c.inSize:], input[:c.inSize])
	}
	// The detectors run on a goroutine of their own while the classifier
	// runs on this one: each session is still touched by one goroutine,
	// and on two cores a photo's answer comes sooner.
	var seen []fuse.Seen
	var detErr error
	detected := make(chan struct{})
	start := time.Now()
	if c.objects != nil {
		go func() {
			defer close(detected)
			seen, detErr = c.detectAll(ctx, inputs)
		}()
	} else {
		close(detected)
	}
	err := c.runBatch(ctx, n)
	<-detected
	if err == nil {
		err = detErr
	}
	if err != nil {
		return nil, err
	}
	share := time.Since(start) / time.Duration(n)
	results := make([]prediction.Result, n)
	for i := range results {
		scores := c.batchOut[i*c.classes : (i+1)*c.classes][c.desc.Output.LabelOffset:]
		copy(c.scores, scores)
		if c.desc.Output.Kind == model.Logits {
			prediction.Softmax(c.scores)
		}
		results[i].Predictions = prediction.TopK(c.scores, c.labels, c.top)
		if c.names != nil {
			results[i].Everyday = c.names.Answer(c.scores)
			results[i].TextLikely = fuse.TextMass(c.names, c.scores)
		}
		if seen != nil {
			// Fusion checks the detector's words against the classifier's
			// belief in them.
			if c.names != nil {
				seen[i].Sums = c.names.Sums(c.scores)
			}
			fuse.Fuse(seen[i], &results[i])
		}
		results[i].Timing.Inference = share
	}
	return results, nil
}

// runBatch runs the session on the first n inputs of batchIn, stopping
// when ctx ends.
func (c *Classifier) runBatch(ctx context.Context, n int) error {
	return c.session.run(ctx, []ort.Value{c.inputs[n-1]}, []ort.Value{c.outputs[n-1]})
}

// Close destroys the session, the tensors and the run options, and releases
// the environment. It is safe to call more than once.
func (c *Classifier) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	var errs []error
	errs = append(errs, c.session.destroy())
	for _, t := range slices.Concat(c.inputs, c.outputs) {
		errs = append(errs, t.Destroy())
	}
	errs = append(errs, c.objects.close(), c.faces.close())
	if c.text != nil {
		c.text.Close()
	}
	errs = append(errs, ortlib.Release())
	return errors.Join(errs...)
}
