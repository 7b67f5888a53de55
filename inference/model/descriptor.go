// Package model reads a model descriptor: the JSON file that says how to feed
// an .onnx classifier and how to read its answer. It knows nothing about ONNX
// Runtime; the classifier hands it the session's real inputs and outputs to
// check against.
package model

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spotter-app/spotter/inference/names"
)

// Layout is the order of a 4-D image tensor's axes.
type Layout string

// The two layouts image classifiers use.
const (
	NCHW Layout = "NCHW"
	NHWC Layout = "NHWC"
)

// CropMode says which central part of a photo the model was trained on.
type CropMode string

const (
	// CropSquare takes the central square whose side is Fraction of the
	// photo's shorter side: "resize shorter side to 256, crop 224" is
	// CropSquare with Fraction 0.875.
	CropSquare CropMode = "square"
	// CropEachSide keeps Fraction of the width and of the height, as
	// TF-slim's central_crop does, and lets the resize change the aspect.
	CropEachSide CropMode = "each_side"
)

// OutputKind says whether the output still needs a softmax.
type OutputKind string

// Output kinds.
const (
	Logits        OutputKind = "logits"
	Probabilities OutputKind = "probabilities"
)

// Kind says what a model finds in a photo, and so how it is fed and read.
type Kind string

// The model kinds Spotter runs.
const (
	// Classifier gives whole-photo class probabilities after a central crop.
	Classifier Kind = "classifier"
	// ObjectDetector gives boxes with a class and a score (YOLOX's grid),
	// fed a letterboxed photo.
	ObjectDetector Kind = "object_detector"
	// FaceDetector gives face boxes with five landmarks (YuNet's strides),
	// fed a letterboxed photo.
	FaceDetector Kind = "face_detector"
)

// Descriptor is the JSON file beside a model. Paths inside it are relative
// to the descriptor's folder and may not leave it.
type Descriptor struct {
	Name string `json:"name"`
	// Kind is Classifier when empty, as every descriptor before detectors.
	Kind    Kind   `json:"kind,omitempty"`
	Model   string `json:"model"`
	Labels  string `json:"labels,omitempty"`
	License string `json:"license,omitempty"`
	Input   Input  `json:"input"`
	// Crop is a classifier's; Letterbox a detector's.
	Crop      Crop      `json:"crop,omitzero"`
	Letterbox Letterbox `json:"letterbox,omitzero"`
	Output    Output    `json:"output"`
	// Names is the table of everyday names for the labels (package names),
	// such as "imagenet-1k"; empty for none.
	Names string `json:"names,omitempty"`

	// Dir is the folder the descriptor was read from; relative paths resolve
	// against it. Path is the descriptor file itself.
	Dir  string `json:"-"`
	Path string `json:"-"`
}

// Input describes the image tensor.
type Input struct {
	Name     string `json:"name"`
	Layout   Layout `json:"layout"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Channels string `json:"channels"` // "RGB" or "BGR"
	// Value fed = (pixel - Mean[c]) / Std[c], with pixels in 0…255 and c in
	// the order given by Channels.
	Mean [3]float32 `json:"mean"`
	Std  [3]float32 `json:"std"`
}

// Crop describes the central region taken before resizing.
type Crop struct {
	Mode     CropMode `json:"mode"`
	Fraction float64  `json:"fraction"`
}

// Letterbox describes a detector's input: the photo scaled to fit the input
// whole, keeping its aspect, at the top-left corner, the rest filled with
// Pad.
type Letterbox struct {
	Pad uint8 `json:"pad"`
}

// Output describes the scores tensor of a classifier, or the decoding of a
// detector's outputs.
type Output struct {
	// Name is a classifier's or a YOLOX detector's output; YuNet's twelve
	// outputs are named by their strides (cls_8, obj_8, bbox_8, kps_8, …).
	Name string     `json:"name,omitempty"`
	Kind OutputKind `json:"kind,omitempty"`
	// LabelOffset is how many leading scores have no label (for example a
	// "background" class at index 0).
	LabelOffset int `json:"label_offset,omitempty"`
	// Strides are a detector's grid levels, finest first.
	Strides []int `json:"strides,omitempty"`
	// MinScore is the lowest score a detector's decoding keeps, and NMSIoU
	// the overlap above which the weaker of two boxes is dropped: the
	// decoding the model's README states. What counts as sure is decided
	// later, from measurements (package fuse).
	MinScore float32 `json:"min_score,omitempty"`
	NMSIoU   float32 `json:"nms_iou,omitempty"`
}

// KindOrDefault is the descriptor's kind, Classifier when it names none.
func (d *Descriptor) KindOrDefault() Kind {
	if d.Kind == "" {
		return Classifier
	}
	return d.Kind
}

// Load reads and validates the descriptor at path. It does not open the
// model; see CheckIO for that.
func Load(path string) (*Descriptor, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("The model descriptor %s does not exist: %s, or pass --model with a descriptor (.json) file", path, fetchModel())
		}
		return nil, fmt.Errorf("Cannot read model descriptor %s: %w", path, err)
	}
	d, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("The model descriptor %s: %w", path, err)
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("The model descriptor %s: %w", path, err)
	}
	d.Dir = abs
	d.Path = filepath.Join(abs, filepath.Base(path))
	return d, nil
}

// Parse decodes and validates a descriptor. Unknown fields are refused so a
// typo ("lables") is reported rather than silently ignored.
func Parse(data []byte) (*Descriptor, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d Descriptor
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("not a valid descriptor: %w", err)
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// maxInputSide bounds the tensor a descriptor can ask for, so a broken file
// cannot make us allocate gigabytes.
const maxInputSide = 4096

func (d *Descriptor) validate() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if d.Model == "" {
		bad(`"model" (the .onnx file) is missing`)
	}
	kind := d.KindOrDefault()
	if kind != Classifier && kind != ObjectDetector && kind != FaceDetector {
		bad(`"kind" must be %q, %q or %q, not %q`, Classifier, ObjectDetector, FaceDetector, d.Kind)
	}
	if d.Labels == "" && kind != FaceDetector {
		bad(`"labels" (the labels file) is missing`)
	}
	for _, p := range []struct{ field, path string }{{"model", d.Model}, {"labels", d.Labels}, {"license", d.License}} {
		if p.path != "" && !filepath.IsLocal(filepath.FromSlash(p.path)) {
			bad("%q path %q must stay inside the descriptor's folder", p.field, p.path)
		}
	}
	if d.Input.Name == "" {
		bad(`"input.name" is missing`)
	}
	if d.Input.Layout != NCHW && d.Input.Layout != NHWC {
		bad(`"input.layout" must be "NCHW" or "NHWC", not %q`, d.Input.Layout)
	}
	if d.Input.Width < 1 || d.Input.Height < 1 || d.Input.Width > maxInputSide || d.Input.Height > maxInputSide {
		bad(`"input.width" and "input.height" must be between 1 and %d, not %d×%d`, maxInputSide, d.Input.Width, d.Input.Height)
	}
	if d.Input.Channels != "RGB" && d.Input.Channels != "BGR" {
		bad(`"input.channels" must be "RGB" or "BGR", not %q`, d.Input.Channels)
	}
	for c, s := range d.Input.Std {
		if !(s > 0) {
			bad(`"input.std" must be three positive numbers; item %d is %v`, c, s)
			break
		}
	}
	if kind == Classifier {
		d.validateClassifier(bad)
	} else {
		d.validateDetector(bad)
	}
	if _, err := d.NameTable(); err != nil {
		bad("%v", err)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func (d *Descriptor) validateClassifier(bad func(string, ...any)) {
	if d.Crop.Mode != CropSquare && d.Crop.Mode != CropEachSide {
		bad(`"crop.mode" must be "square" or "each_side", not %q`, d.Crop.Mode)
	}
	if !(d.Crop.Fraction > 0 && d.Crop.Fraction <= 1) {
		bad(`"crop.fraction" must be more than 0 and at most 1, not %v`, d.Crop.Fraction)
	}
	if d.Output.Name == "" {
		bad(`"output.name" is missing`)
	}
	if d.Output.Kind != Logits && d.Output.Kind != Probabilities {
		bad(`"output.kind" must be "logits" or "probabilities", not %q`, d.Output.Kind)
	}
	if d.Output.LabelOffset < 0 {
		bad(`"output.label_offset" cannot be negative`)
	}
}

// maxStride bounds a detector's grid step; YOLOX's and YuNet's coarsest is 32.
const maxStride = 256

func (d *Descriptor) validateDetector(bad func(string, ...any)) {
	if d.Crop != (Crop{}) {
		bad(`a detector is letterboxed, not cropped: remove "crop"`)
	}
	if d.Input.Layout != NCHW || d.Input.Mean != [3]float32{} || d.Input.Std != [3]float32{1, 1, 1} {
		bad(`a detector takes raw 0…255 values in NCHW: "layout" "NCHW", "mean" [0, 0, 0], "std" [1, 1, 1]`)
	}
	if d.KindOrDefault() == ObjectDetector && d.Output.Name == "" {
		bad(`"output.name" is missing`)
	}
	if d.Output.Kind != "" || d.Output.LabelOffset != 0 {
		bad(`"output.kind" and "output.label_offset" are a classifier's`)
	}
	if len(d.Output.Strides) == 0 || len(d.Output.Strides) > 8 {
		bad(`"output.strides" must list the detector's 1 to 8 grid steps`)
	}
	for _, s := range d.Output.Strides {
		if s < 1 || s > maxStride || d.Input.Width%s != 0 || d.Input.Height%s != 0 {
			bad(`"output.strides": %d must be between 1 and %d and divide the input's width and height`, s, maxStride)
			break
		}
	}
	if !(d.Output.MinScore > 0 && d.Output.MinScore < 1) {
		bad(`"output.min_score" must be between 0 and 1, not %v`, d.Output.MinScore)
	}
	if !(d.Output.NMSIoU > 0 && d.Output.NMSIoU <= 1) {
		bad(`"output.nms_iou" must be more than 0 and at most 1, not %v`, d.Output.NMSIoU)
	}
	if d.Names != "" && d.KindOrDefault() == FaceDetector {
		bad(`a face detector has no labels to name: remove "names"`)
	}
}

// Cells is how many grid cells a detector's output rows cover: one per
// cell of every stride.
func (d *Descriptor) Cells() int {
	n := 0
	for _, s := range d.Output.Strides {
		n += (d.Input.Width / s) * (d.Input.Height / s)
	}
	return n
}

// NameTable is the table of everyday names the descriptor names, or nil
// when it names none.
func (d *Descriptor) NameTable() (*names.Table, error) {
	if d.Names == "" {
		return nil, nil
	}
	return names.Lookup(d.Names)
}

// ModelPath is the absolute path of the .onnx file.
func (d *Descriptor) ModelPath() string { return d.resolve(d.Model) }

// LabelsPath is the absolute path of the labels file.
func (d *Descriptor) LabelsPath() string { return d.resolve(d.Labels) }

// LicensePath is the absolute path of the licence file, or "" if none.
func (d *Descriptor) LicensePath() string {
	if d.License == "" {
		return ""
	}
	return d.resolve(d.License)
}

func (d *Descriptor) resolve(rel string) string {
	return filepath.Join(d.Dir, filepath.FromSlash(rel))
}

// maxLabels bounds the labels file; ImageNet-21k is the largest set a
// classifier descriptor here could plausibly name.
const maxLabels = 100_000

// ReadLabels reads one label per line. Blank lines count: a label file's
// line number is its class index, so dropping one would shift every label
// after it.
func (d *Descriptor) ReadLabels() ([]string, error) {
	f, err := os.Open(d.LabelsPath())
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("The labels file %s is missing: %s", d.LabelsPath(), fetchModel())
		}
		return nil, fmt.Errorf("Cannot read the labels file: %w", err)
	}
	defer f.Close()
	var labels []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if len(labels) == maxLabels {
			return nil, fmt.Errorf("The labels file %s has more than %d lines; is it really a labels file?", d.LabelsPath(), maxLabels)
		}
		labels = append(labels, strings.TrimSpace(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("Cannot read the labels file %s: %w", d.LabelsPath(), err)
	}
	return labels, nil
}
