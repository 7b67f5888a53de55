package model

import (
	"fmt"
	"strings"
)

// Tensor is what the classifier learns about one of a session's inputs or
// outputs. A dimension below 1 is dynamic (any size).
type Tensor struct {
	Name    string
	Dims    []int64
	Float32 bool // a tensor of float32 elements
}

func (t Tensor) String() string {
	dims := make([]string, len(t.Dims))
	for i, d := range t.Dims {
		if d < 1 {
			dims[i] = "N"
		} else {
			dims[i] = fmt.Sprint(d)
		}
	}
	kind := "float32"
	if !t.Float32 {
		kind = "non-float32"
	}
	return fmt.Sprintf("%s %s[%s]", t.Name, kind, strings.Join(dims, ","))
}

// Classes is how many scores the model gives per image; it is what the
// output tensor must hold and what the labels must cover.
func (d *Descriptor) Classes(numLabels int) int { return numLabels + d.Output.LabelOffset }

// CheckIO compares the descriptor with the model's real inputs and outputs
// and with the number of labels, so a mismatch is refused at load with a
// message that names both sides instead of failing at the first photo.
func (d *Descriptor) CheckIO(inputs, outputs []Tensor, numLabels int) error {
	mismatch := func(format string, args ...any) error {
		return fmt.Errorf("The model %s does not match its descriptor: %s", d.ModelPath(), fmt.Sprintf(format, args...))
	}
	if len(inputs) != 1 {
		return mismatch("it has %d inputs (%s) but Spotter feeds exactly one image input", len(inputs), list(inputs))
	}
	in := inputs[0]
	if in.Name != d.Input.Name {
		return mismatch("the descriptor names input %q, the model's input is %s", d.Input.Name, in)
	}
	want := []int64{1, 3, int64(d.Input.Height), int64(d.Input.Width)}
	if d.Input.Layout == NHWC {
		want = []int64{1, int64(d.Input.Height), int64(d.Input.Width), 3}
	}
	if !in.Float32 || !dimsFit(in.Dims, want) {
		return mismatch("the descriptor expects input %s (%s), the model has %s", Tensor{in.Name, want, true}, d.Input.Layout, in)
	}

	switch d.KindOrDefault() {
	case ObjectDetector:
		return d.checkYOLOX(outputs, numLabels, mismatch)
	case FaceDetector:
		return d.checkYuNet(outputs, mismatch)
	}
	out := find(outputs, d.Output.Name)
	if out == nil {
		return mismatch("the descriptor names output %q, the model's outputs are %s", d.Output.Name, list(outputs))
	}
	classes := int64(d.Classes(numLabels))
	if !out.Float32 || !dimsFit(out.Dims, []int64{1, classes}) {
		return mismatch("with %d labels and label_offset %d the output should be %s, the model has %s",
			numLabels, d.Output.LabelOffset, Tensor{out.Name, []int64{1, classes}, true}, out)
	}
	if table, err := d.NameTable(); err != nil {
		return err
	} else if table != nil && table.Len() != numLabels {
		return mismatch("it names the table %q of %d classes for %d labels, so the names would not fit the labels; remove \"names\" or name the table made for these labels",
			d.Names, table.Len(), numLabels)
	}
	return nil
}

// checkYOLOX wants one row per grid cell: a box, an objectness and a score
// per label.
func (d *Descriptor) checkYOLOX(outputs []Tensor, numLabels int, mismatch func(string, ...any) error) error {
	out := find(outputs, d.Output.Name)
	if out == nil {
		return mismatch("the descriptor names output %q, the model's outputs are %s", d.Output.Name, list(outputs))
	}
	want := []int64{1, int64(d.Cells()), int64(5 + numLabels)}
	if !out.Float32 || !dimsFit(out.Dims, want) {
		return mismatch("with %d labels and strides %v the output should be %s, the model has %s",
			numLabels, d.Output.Strides, Tensor{out.Name, want, true}, out)
	}
	return nil
}

// YuNetOutputs are the names of a YuNet face detector's outputs at stride
// s, with the values each cell holds: a class score, an objectness, a box
// and five landmarks.
func YuNetOutputs(s int) (names [4]string, widths [4]int64) {
	return [4]string{fmt.Sprintf("cls_%d", s), fmt.Sprintf("obj_%d", s), fmt.Sprintf("bbox_%d", s), fmt.Sprintf("kps_%d", s)},
		[4]int64{1, 1, 4, 10}
}

func (d *Descriptor) checkYuNet(outputs []Tensor, mismatch func(string, ...any) error) error {
	for _, s := range d.Output.Strides {
		names, widths := YuNetOutputs(s)
		cells := int64((d.Input.Width / s) * (d.Input.Height / s))
		for i, name := range names {
			out := find(outputs, name)
			if out == nil {
				return mismatch("a YuNet face detector with stride %d has an output %q; the model's outputs are %s", s, name, list(outputs))
			}
			want := []int64{1, cells, widths[i]}
			if !out.Float32 || !dimsFit(out.Dims, want) {
				return mismatch("at %d×%d the output should be %s, the model has %s", d.Input.Width, d.Input.Height, Tensor{name, want, true}, out)
			}
		}
	}
	return nil
}

func find(ts []Tensor, name string) *Tensor {
	for i := range ts {
		if ts[i].Name == name {
			return &ts[i]
		}
	}
	return nil
}

// dimsFit reports whether real dimensions accept the wanted ones, treating
// dynamic dimensions as matching anything.
func dimsFit(real, want []int64) bool {
	if len(real) != len(want) {
		return false
	}
	for i := range real {
		if real[i] >= 1 && real[i] != want[i] {
			return false
		}
	}
	return true
}

func list(ts []Tensor) string {
	if len(ts) == 0 {
		return "none"
	}
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}
