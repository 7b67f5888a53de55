// Package inference classifies photos with an ONNX Runtime session. It is
// the only package that talks to ONNX Runtime's session API; it never
// imports Fyne.
package inference

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/ortlib"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
)

// DefaultThreads is two intra-op threads. On these 2-core machines the
// default quantised MobileNetV2's Run took 4.2–5.3 ms with two threads
// against 5.7–8.0 ms with one (`make bench`); the float32 model is the
// other way round, and --threads 1 suits it. Pool threads do not spin (see
// Open), so the second core is free whenever the model is not running.
const DefaultThreads = 2

// Options choose the model, the library and how to run.
type Options struct {
	Descriptor string // path of the model descriptor (.json)
	Library    string // explicit ONNX Runtime library path; "" looks in the usual places
	Threads    int    // intra-op threads; 0 means DefaultThreads
	Top        int    // how many predictions to return; 0 means 5
}

// Classifier owns one ONNX Runtime session and its tensors. It is not safe
// for concurrent use: one goroutine must own it.
type Classifier struct {
	desc    *model.Descriptor
	labels  []string
	top     int
	session *ort.AdvancedSession
	input   *ort.Tensor[float32]
	output  *ort.Tensor[float32]
	run     *ort.RunOptions
	tensor  *preprocess.Tensor
	scores  []float32
	closed  bool
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
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	if c.top <= 0 {
		c.top = 5
	}
	ins, outs, err := ort.GetInputOutputInfoWithONNXData(onnx)
	if err != nil {
		return nil, fmt.Errorf("The model file %s is damaged or not an ONNX model (%v). Run `make model` again or choose another model", desc.ModelPath(), err)
	}
	if err := desc.CheckIO(tensors(ins), tensors(outs), len(labels)); err != nil {
		return nil, err
	}

	in := desc.Input
	inShape := ort.NewShape(1, 3, int64(in.Height), int64(in.Width))
	if in.Layout == model.NHWC {
		inShape = ort.NewShape(1, int64(in.Height), int64(in.Width), 3)
	}
	classes := desc.Classes(len(labels))
	if c.input, err = ort.NewEmptyTensor[float32](inShape); err != nil {
		return nil, fmt.Errorf("Cannot allocate the input tensor: %w", err)
	}
	if c.output, err = ort.NewEmptyTensor[float32](ort.NewShape(1, int64(classes))); err != nil {
		return nil, fmt.Errorf("Cannot allocate the output tensor: %w", err)
	}
	if c.run, err = ort.NewRunOptions(); err != nil {
		return nil, fmt.Errorf("Cannot create run options: %w", err)
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("Cannot create session options: %w", err)
	}
	defer so.Destroy()
	threads := opts.Threads
	if threads <= 0 {
		threads = DefaultThreads
	}
	if err := so.SetIntraOpNumThreads(threads); err != nil {
		return nil, fmt.Errorf("Cannot set %d intra-op threads: %w", threads, err)
	}
	// Idle pool threads would otherwise spin on the second core, slowing
	// the decode of the next photo and the window's drawing.
	if err := so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"); err != nil {
		return nil, fmt.Errorf("Cannot configure ONNX Runtime's threads: %w", err)
	}
	if err := so.SetInterOpNumThreads(1); err != nil {
		return nil, fmt.Errorf("Cannot set inter-op threads: %w", err)
	}
	c.session, err = ort.NewAdvancedSessionWithONNXData(onnx, []string{in.Name}, []string{desc.Output.Name},
		[]ort.Value{c.input}, []ort.Value{c.output}, so)
	if err != nil {
		return nil, fmt.Errorf("ONNX Runtime cannot load the model %s: %v", desc.ModelPath(), err)
	}
	c.tensor = preprocess.NewTensor(in, desc.Crop)
	c.scores = make([]float32, len(labels))
	// ONNX Runtime allocates and plans on the first run; doing it here, off
	// the person's clock, makes the first photo as fast as the rest.
	if err := c.session.RunWithOptions(c.run); err != nil {
		return nil, fmt.Errorf("ONNX Runtime cannot run the model %s: %v", desc.ModelPath(), err)
	}
	return c, nil
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

// Descriptor is the model's descriptor.
func (c *Classifier) Descriptor() *model.Descriptor { return c.desc }

// ClassifyFile decodes the photo at path and classifies it.
func (c *Classifier) ClassifyFile(ctx context.Context, path string) (prediction.Result, error) {
	start := time.Now()
	photo, err := preprocess.LoadAtLeast(ctx, path, c.tensor.MinSide())
	if err != nil {
		return prediction.Result{}, err
	}
	decode := time.Since(start)
	res, err := c.Classify(ctx, photo)
	res.Timing.Decode = decode
	return res, err
}

// Classify runs the model on a decoded photo. When ctx is cancelled during
// the run, ONNX Runtime is told to stop and ctx.Err() is returned.
func (c *Classifier) Classify(ctx context.Context, photo preprocess.Photo) (res prediction.Result, err error) {
	if err := c.usable(ctx); err != nil {
		return res, err
	}
	start := time.Now()
	if err := c.tensor.Fill(photo, c.input.GetData()); err != nil {
		return res, err
	}
	res.Timing.Preprocess = time.Since(start)
	return c.infer(ctx, res)
}

// NewTensor returns a preprocessor for this model, so another goroutine can
// prepare the next photo while this one runs.
func (c *Classifier) NewTensor() *preprocess.Tensor {
	return preprocess.NewTensor(c.desc.Input, c.desc.Crop)
}

// Run classifies an input prepared by a tensor from NewTensor.
func (c *Classifier) Run(ctx context.Context, input []float32) (res prediction.Result, err error) {
	if err := c.usable(ctx); err != nil {
		return res, err
	}
	dst := c.input.GetData()
	if len(input) != len(dst) {
		return res, fmt.Errorf("the prepared input has %d values, the model takes %d", len(input), len(dst))
	}
	copy(dst, input)
	return c.infer(ctx, res)
}

func (c *Classifier) usable(ctx context.Context) error {
	if c.closed {
		return errors.New("The classifier is closed")
	}
	return ctx.Err()
}

// infer runs the session on the input tensor as filled and ranks the
// scores into res.
func (c *Classifier) infer(ctx context.Context, res prediction.Result) (prediction.Result, error) {
	if err := ctx.Err(); err != nil {
		return res, err
	}
	start := time.Now()
	if err := c.runCancellable(ctx); err != nil {
		return res, err
	}
	res.Timing.Inference = time.Since(start)

	scores := c.output.GetData()[c.desc.Output.LabelOffset:]
	copy(c.scores, scores)
	if c.desc.Output.Kind == model.Logits {
		prediction.Softmax(c.scores)
	}
	res.Predictions = prediction.TopK(c.scores, c.labels, c.top)
	return res, nil
}

// runCancellable runs the session while a watcher sets ONNX Runtime's
// terminate flag if ctx ends first. The flag is cleared again before
// returning, so the next run is not stopped by a stale cancellation.
func (c *Classifier) runCancellable(ctx context.Context) error {
	terminated := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(terminated)
		if err := c.run.Terminate(); err != nil {
			slog.Error("cannot terminate the run", "err", err)
		}
	})
	runErr := c.session.RunWithOptions(c.run)
	if !stop() {
		<-terminated
		if err := c.run.UnsetTerminate(); err != nil {
			return fmt.Errorf("Cannot reset ONNX Runtime after a cancelled run: %w", err)
		}
		return ctx.Err()
	}
	if runErr != nil {
		return fmt.Errorf("ONNX Runtime failed to classify the photo: %w", runErr)
	}
	return nil
}

// Close destroys the session, the tensors and the run options, and releases
// the environment. It is safe to call more than once.
func (c *Classifier) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	var errs []error
	if c.session != nil {
		errs = append(errs, c.session.Destroy())
	}
	for _, t := range []*ort.Tensor[float32]{c.input, c.output} {
		if t != nil {
			errs = append(errs, t.Destroy())
		}
	}
	if c.run != nil {
		errs = append(errs, c.run.Destroy())
	}
	errs = append(errs, ortlib.Release())
	return errors.Join(errs...)
}
