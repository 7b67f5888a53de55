package model

import (
	"path/filepath"
	"strings"
	"testing"
)

// realDescriptor is the quant descriptor as Load gives it, so ModelPath is
// the real path.
func realDescriptor(t *testing.T) *Descriptor {
	t.Helper()
	d, err := Load(quantDescriptor)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func realInput() Tensor  { return Tensor{Name: "input", Dims: []int64{-1, 3, 224, 224}, Float32: true} }
func realOutput() Tensor { return Tensor{Name: "probs", Dims: []int64{-1, 1000}, Float32: true} }

func TestCheckIOAcceptsRealModel(t *testing.T) {
	d := realDescriptor(t)
	if err := d.CheckIO([]Tensor{realInput()}, []Tensor{realOutput()}, 1000); err != nil {
		t.Errorf("CheckIO of the real model's shapes = %v", err)
	}
}

func TestCheckIOAccepts(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(d *Descriptor)
		inputs    []Tensor
		outputs   []Tensor
		numLabels int
	}{
		{"fixed batch", nil,
			[]Tensor{{"input", []int64{1, 3, 224, 224}, true}},
			[]Tensor{{"probs", []int64{1, 1000}, true}}, 1000},
		{"dynamic spatial dims", nil,
			[]Tensor{{"input", []int64{-1, 3, -1, -1}, true}},
			[]Tensor{{"probs", []int64{-1, -1}, true}}, 1000},
		{"zero means dynamic", nil,
			[]Tensor{{"input", []int64{0, 3, 224, 224}, true}},
			[]Tensor{{"probs", []int64{0, 1000}, true}}, 1000},
		{"output among several", nil,
			[]Tensor{realInput()},
			[]Tensor{{"features", []int64{-1, 1280}, true}, {"probs", []int64{-1, 1000}, true}, {"argmax", []int64{-1}, false}}, 1000},
		{"label offset 1", func(d *Descriptor) { d.Output.LabelOffset = 1 },
			[]Tensor{realInput()},
			[]Tensor{{"probs", []int64{-1, 1001}, true}}, 1000},
		{"NHWC", func(d *Descriptor) { d.Input.Layout = NHWC },
			[]Tensor{{"input", []int64{-1, 224, 224, 3}, true}},
			[]Tensor{realOutput()}, 1000},
		{"non-square", func(d *Descriptor) { d.Input.Width, d.Input.Height = 320, 240 },
			[]Tensor{{"input", []int64{-1, 3, 240, 320}, true}},
			[]Tensor{realOutput()}, 1000},
		{"non-square NHWC", func(d *Descriptor) { d.Input.Layout, d.Input.Width, d.Input.Height = NHWC, 320, 240 },
			[]Tensor{{"input", []int64{-1, 240, 320, 3}, true}},
			[]Tensor{realOutput()}, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := realDescriptor(t)
			if tc.edit != nil {
				tc.edit(d)
			}
			if err := d.CheckIO(tc.inputs, tc.outputs, tc.numLabels); err != nil {
				t.Errorf("CheckIO = %v", err)
			}
		})
	}
}

func TestCheckIORefuses(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(d *Descriptor)
		inputs    []Tensor
		outputs   []Tensor
		numLabels int
		want      []string // the descriptor's side and the model's side
	}{
		{"wrong input name", nil,
			[]Tensor{{"data", []int64{-1, 3, 224, 224}, true}}, []Tensor{realOutput()}, 1000,
			[]string{`input "input"`, "data float32[N,3,224,224]"}},
		{"two inputs", nil,
			[]Tensor{realInput(), {"mask", []int64{-1, 224, 224}, true}}, []Tensor{realOutput()}, 1000,
			[]string{"2 inputs", "input float32[N,3,224,224]", "mask float32[N,224,224]", "exactly one"}},
		{"no inputs", nil,
			nil, []Tensor{realOutput()}, 1000,
			[]string{"0 inputs", "none", "exactly one"}},
		{"non-float input", nil,
			[]Tensor{{"input", []int64{-1, 3, 224, 224}, false}}, []Tensor{realOutput()}, 1000,
			[]string{"input float32[1,3,224,224] (NCHW)", "input non-float32[N,3,224,224]"}},
		{"model NHWC, descriptor NCHW", nil,
			[]Tensor{{"input", []int64{-1, 224, 224, 3}, true}}, []Tensor{realOutput()}, 1000,
			[]string{"input float32[1,3,224,224] (NCHW)", "input float32[N,224,224,3]"}},
		{"model NCHW, descriptor NHWC", func(d *Descriptor) { d.Input.Layout = NHWC },
			[]Tensor{realInput()}, []Tensor{realOutput()}, 1000,
			[]string{"input float32[1,224,224,3] (NHWC)", "input float32[N,3,224,224]"}},
		{"wrong size", nil,
			[]Tensor{{"input", []int64{-1, 3, 299, 299}, true}}, []Tensor{realOutput()}, 1000,
			[]string{"input float32[1,3,224,224] (NCHW)", "input float32[N,3,299,299]"}},
		{"width and height swapped", func(d *Descriptor) { d.Input.Width, d.Input.Height = 320, 240 },
			[]Tensor{{"input", []int64{-1, 3, 320, 240}, true}}, []Tensor{realOutput()}, 1000,
			[]string{"input float32[1,3,240,320] (NCHW)", "input float32[N,3,320,240]"}},
		{"wrong rank", nil,
			[]Tensor{{"input", []int64{3, 224, 224}, true}}, []Tensor{realOutput()}, 1000,
			[]string{"input float32[1,3,224,224] (NCHW)", "input float32[3,224,224]"}},
		{"grey input", nil,
			[]Tensor{{"input", []int64{-1, 1, 224, 224}, true}}, []Tensor{realOutput()}, 1000,
			[]string{"input float32[1,3,224,224] (NCHW)", "input float32[N,1,224,224]"}},
		{"missing output name", nil,
			[]Tensor{realInput()}, []Tensor{{"logits", []int64{-1, 1000}, true}}, 1000,
			[]string{`output "probs"`, "logits float32[N,1000]"}},
		{"no outputs", nil,
			[]Tensor{realInput()}, nil, 1000,
			[]string{`output "probs"`, "none"}},
		{"labels count mismatch", nil,
			[]Tensor{realInput()}, []Tensor{realOutput()}, 999,
			[]string{"999 labels", "label_offset 0", "probs float32[1,999]", "probs float32[N,1000]"}},
		{"label offset 1 but no background class", func(d *Descriptor) { d.Output.LabelOffset = 1 },
			[]Tensor{realInput()}, []Tensor{realOutput()}, 1000,
			[]string{"1000 labels", "label_offset 1", "probs float32[1,1001]", "probs float32[N,1000]"}},
		{"background class without label offset", nil,
			[]Tensor{realInput()}, []Tensor{{"probs", []int64{-1, 1001}, true}}, 1000,
			[]string{"probs float32[1,1000]", "probs float32[N,1001]"}},
		{"non-float output", nil,
			[]Tensor{realInput()}, []Tensor{{"probs", []int64{-1, 1000}, false}}, 1000,
			[]string{"probs float32[1,1000]", "probs non-float32[N,1000]"}},
		{"name table for other labels", nil,
			[]Tensor{realInput()}, []Tensor{{"probs", []int64{-1, 1001}, true}}, 1001,
			[]string{`table "imagenet-1k" of 1000 classes for 1001 labels`, `remove "names"`}},
		{"output rank 3", nil,
			[]Tensor{realInput()}, []Tensor{{"probs", []int64{-1, 1000, 1}, true}}, 1000,
			[]string{"probs float32[1,1000]", "probs float32[N,1000,1]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := realDescriptor(t)
			if tc.edit != nil {
				tc.edit(d)
			}
			err := d.CheckIO(tc.inputs, tc.outputs, tc.numLabels)
			if err == nil {
				t.Fatalf("CheckIO accepted inputs %v, outputs %v, %d labels", tc.inputs, tc.outputs, tc.numLabels)
			}
			msg := err.Error()
			wantAll := append([]string{"does not match its descriptor", d.ModelPath()}, tc.want...)
			for _, w := range wantAll {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
		})
	}
}

func TestCheckIONamesModelFile(t *testing.T) {
	d := realDescriptor(t)
	err := d.CheckIO(nil, nil, 1000)
	if err == nil {
		t.Fatal("CheckIO accepted a model without inputs")
	}
	want := filepath.Join(d.Dir, "mobilenet_v2_1.0_224_quant", "model.qdq.onnx")
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %s", err, want)
	}
}

func TestTensorString(t *testing.T) {
	tests := []struct {
		in   Tensor
		want string
	}{
		{Tensor{"input", []int64{-1, 3, 224, 224}, true}, "input float32[N,3,224,224]"},
		{Tensor{"x", []int64{0, 7}, false}, "x non-float32[N,7]"},
		{Tensor{"scalar", nil, true}, "scalar float32[]"},
	}
	for _, tc := range tests {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestClasses(t *testing.T) {
	d := &Descriptor{}
	if got := d.Classes(1000); got != 1000 {
		t.Errorf("Classes(1000) with no offset = %d", got)
	}
	d.Output.LabelOffset = 1
	if got := d.Classes(1000); got != 1001 {
		t.Errorf("Classes(1000) with offset 1 = %d", got)
	}
}

func TestDimsFit(t *testing.T) {
	tests := []struct {
		real, want []int64
		fit        bool
	}{
		{[]int64{1, 3}, []int64{1, 3}, true},
		{[]int64{-1, 3}, []int64{1, 3}, true},
		{[]int64{-1, -1}, []int64{1, 3}, true},
		{[]int64{2, 3}, []int64{1, 3}, false},
		{[]int64{1, 3, 1}, []int64{1, 3}, false},
		{[]int64{}, []int64{1}, false},
		{nil, nil, true},
	}
	for _, tc := range tests {
		if got := dimsFit(tc.real, tc.want); got != tc.fit {
			t.Errorf("dimsFit(%v, %v) = %v, want %v", tc.real, tc.want, got, tc.fit)
		}
	}
}
