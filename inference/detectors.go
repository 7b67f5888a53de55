package inference

import (
	"context"
	"errors"
	"fmt"
	"os"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/spotter-app/spotter/inference/detect"
	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/names"
)

// readModel reads a descriptor's .onnx file and checks it against the
// descriptor and its numLabels labels.
func readModel(desc *model.Descriptor, numLabels int) ([]byte, error) {
	onnx, err := os.ReadFile(desc.ModelPath())
	if err != nil {
		return nil, fmt.Errorf("Cannot read the model file %s: %v. Run `make model` or choose another model", desc.ModelPath(), err)
	}
	if _, _, err := checkModel(desc, onnx, numLabels); err != nil {
		return nil, err
	}
	return onnx, nil
}

// checkModel reads a model's real inputs and outputs and checks them
// against its descriptor and its numLabels labels.
func checkModel(desc *model.Descriptor, onnx []byte, numLabels int) (ins, outs []ort.InputOutputInfo, err error) {
	if ins, outs, err = ort.GetInputOutputInfoWithONNXData(onnx); err != nil {
		return nil, nil, fmt.Errorf("The model file %s is damaged or not an ONNX model (%v). Run `make model` again or choose another model", desc.ModelPath(), err)
	}
	if err := desc.CheckIO(tensors(ins), tensors(outs), numLabels); err != nil {
		return nil, nil, err
	}
	return ins, outs, nil
}

// tensorPair is a model's input or output tensor over a buffer of its own.
type tensorPair struct {
	buf []float32
	t   *ort.Tensor[float32]
}

func newTensorPair(dims ...int64) (tensorPair, error) {
	shape := ort.NewShape(dims...)
	buf := make([]float32, shape.FlattenedSize())
	t, err := ort.NewTensor(shape, buf)
	if err != nil {
		return tensorPair{}, fmt.Errorf("Cannot make a tensor of %v: %w", dims, err)
	}
	return tensorPair{buf, t}, nil
}

func (p tensorPair) destroy() error {
	if p.t == nil {
		return nil
	}
	return p.t.Destroy()
}

// objectDetector runs a YOLOX object detector on a letterboxed input.
type objectDetector struct {
	desc    *model.Descriptor
	labels  []string
	names   *names.Table
	session *session
	in, out tensorPair
}

func openObjectDetector(desc *model.Descriptor, threads int) (_ *objectDetector, err error) {
	d := &objectDetector{desc: desc}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	if d.labels, err = desc.ReadLabels(); err != nil {
		return nil, err
	}
	if d.names, err = desc.NameTable(); err != nil {
		return nil, err
	}
	if d.names == nil || d.names.Len() != len(d.labels) {
		return nil, fmt.Errorf("The object detector %s needs a name table for its %d labels (\"names\": \"coco-80\")", desc.Path, len(d.labels))
	}
	onnx, err := readModel(desc, len(d.labels))
	if err != nil {
		return nil, err
	}
	in := desc.Input
	if d.in, err = newTensorPair(1, 3, int64(in.Height), int64(in.Width)); err != nil {
		return nil, err
	}
	if d.out, err = newTensorPair(1, int64(desc.Cells()), int64(5+len(d.labels))); err != nil {
		return nil, err
	}
	if d.session, err = newSession(onnx, desc, []string{in.Name}, []string{desc.Output.Name}, threads); err != nil {
		return nil, err
	}
	return d, nil
}

// detect runs the model on a letterboxed input.
func (d *objectDetector) detect(ctx context.Context, input []float32, l detect.Letterbox) ([]detect.Object, error) {
	copy(d.in.buf, input)
	if err := d.session.run(ctx, []ort.Value{d.in.t}, []ort.Value{d.out.t}); err != nil {
		return nil, err
	}
	o := d.desc.Output
	return detect.YOLOX(d.out.buf, len(d.labels), d.desc.Input.Width, d.desc.Input.Height, o.Strides, l, o.MinScore, o.NMSIoU), nil
}

func (d *objectDetector) close() error {
	if d == nil {
		return nil
	}
	return errors.Join(d.session.destroy(), d.in.destroy(), d.out.destroy())
}

// faceDetector runs a YuNet face detector on a letterboxed input.
type faceDetector struct {
	desc    *model.Descriptor
	session *session
	in      tensorPair
	outs    []tensorPair // cls, obj, bbox, kps for each stride in turn
}

func openFaceDetector(desc *model.Descriptor, threads int) (_ *faceDetector, err error) {
	f := &faceDetector{desc: desc}
	defer func() {
		if err != nil {
			f.close()
		}
	}()
	onnx, err := readModel(desc, 0)
	if err != nil {
		return nil, err
	}
	in := desc.Input
	if f.in, err = newTensorPair(1, 3, int64(in.Height), int64(in.Width)); err != nil {
		return nil, err
	}
	var outNames []string
	for _, s := range desc.Output.Strides {
		names, widths := model.YuNetOutputs(s)
		cells := int64((in.Width / s) * (in.Height / s))
		for i, name := range names {
			p, err := newTensorPair(1, cells, widths[i])
			if err != nil {
				return nil, err
			}
			f.outs = append(f.outs, p)
			outNames = append(outNames, name)
		}
	}
	if f.session, err = newSession(onnx, desc, []string{in.Name}, outNames, threads); err != nil {
		return nil, err
	}
	return f, nil
}

// detect runs the model on a letterboxed input.
func (f *faceDetector) detect(ctx context.Context, input []float32, l detect.Letterbox) ([]detect.Face, error) {
	copy(f.in.buf, input)
	outs := make([]ort.Value, len(f.outs))
	for i, p := range f.outs {
		outs[i] = p.t
	}
	if err := f.session.run(ctx, []ort.Value{f.in.t}, outs); err != nil {
		return nil, err
	}
	levels := make([]detect.YuNetLevel, len(f.desc.Output.Strides))
	for i, s := range f.desc.Output.Strides {
		levels[i] = detect.YuNetLevel{Stride: s, Cls: f.outs[4*i].buf, Obj: f.outs[4*i+1].buf, Box: f.outs[4*i+2].buf, Kpts: f.outs[4*i+3].buf}
	}
	o := f.desc.Output
	return detect.YuNet(levels, f.desc.Input.Width, l, o.MinScore, o.NMSIoU), nil
}

func (f *faceDetector) close() error {
	if f == nil {
		return nil
	}
	errs := []error{f.session.destroy(), f.in.destroy()}
	for _, p := range f.outs {
		errs = append(errs, p.destroy())
	}
	return errors.Join(errs...)
}
