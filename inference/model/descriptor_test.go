package model

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const quantDescriptor = "../../models/mobilenet_v2_1.0_224_quant.json"

// quantJSON is the text of the default model's descriptor, read from disk.
func quantJSON(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(quantDescriptor)
	if err != nil {
		t.Fatalf("reading the real descriptor: %v", err)
	}
	return data
}

// mutated returns the quant descriptor's JSON with one field changed (or
// removed when value is the remove sentinel). path is dot-separated.
func mutated(t *testing.T, path string, value any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(quantJSON(t), &m); err != nil {
		t.Fatal(err)
	}
	keys := strings.Split(path, ".")
	obj := m
	for _, k := range keys[:len(keys)-1] {
		next, ok := obj[k].(map[string]any)
		if !ok {
			t.Fatalf("no object %q in descriptor", k)
		}
		obj = next
	}
	last := keys[len(keys)-1]
	if value == remove {
		delete(obj, last)
	} else {
		obj[last] = value
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type removeT struct{}

var remove = removeT{}

func TestParseValid(t *testing.T) {
	d, err := Parse(quantJSON(t))
	if err != nil {
		t.Fatalf("Parse(real descriptor) = %v", err)
	}
	want := &Descriptor{
		Name:    "MobileNetV2 1.0/224, quantised (TF-slim, ImageNet-1k)",
		Model:   "mobilenet_v2_1.0_224_quant/model.qdq.onnx",
		Labels:  "mobilenet_v2_1.0_224_quant/labels.txt",
		License: "mobilenet_v2_1.0_224_quant/LICENSE",
		Input: Input{
			Name:     "input",
			Layout:   NCHW,
			Width:    224,
			Height:   224,
			Channels: "RGB",
			Mean:     [3]float32{128, 128, 128},
			Std:      [3]float32{128, 128, 128},
		},
		Crop:   Crop{Mode: CropEachSide, Fraction: 0.875},
		Output: Output{Name: "probs", Kind: Probabilities, LabelOffset: 0},
		Names:  "imagenet-1k",
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("Parse(real descriptor) =\n%+v\nwant\n%+v", d, want)
	}
	if d.Dir != "" {
		t.Errorf("Parse set Dir to %q; only Load should", d.Dir)
	}
}

// TestParseShippedDescriptors parses every descriptor in models/.
func TestParseShippedDescriptors(t *testing.T) {
	paths, err := filepath.Glob("../../models/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no descriptors found in ../../models")
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(data); err != nil {
				t.Errorf("Parse(%s) = %v", p, err)
			}
		})
	}
}

func TestParseZooDescriptor(t *testing.T) {
	data, err := os.ReadFile("../../models/mobilenetv2-12.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if d.Input.Mean != [3]float32{123.675, 116.28, 103.53} || d.Input.Std != [3]float32{58.395, 57.12, 57.375} {
		t.Errorf("mean/std = %v / %v", d.Input.Mean, d.Input.Std)
	}
	if d.Crop != (Crop{Mode: CropSquare, Fraction: 0.875}) {
		t.Errorf("crop = %+v", d.Crop)
	}
	if d.Output.Kind != Logits || d.License != "" {
		t.Errorf("output kind %q, license %q", d.Output.Kind, d.License)
	}
}

func TestParseInvalidField(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		value any
		want  []string // every one must appear in the error
	}{
		{"model missing", "model", remove, []string{`"model"`, "missing"}},
		{"model empty", "model", "", []string{`"model"`, "missing"}},
		{"labels missing", "labels", remove, []string{`"labels"`, "missing"}},
		{"labels empty", "labels", "", []string{`"labels"`, "missing"}},
		{"labels escape", "labels", "../../etc/passwd", []string{`"labels"`, "../../etc/passwd", "inside the descriptor's folder"}},
		{"labels absolute", "labels", "/etc/passwd", []string{`"labels"`, "/etc/passwd", "inside the descriptor's folder"}},
		{"model escape", "model", "../model.onnx", []string{`"model"`, "../model.onnx", "inside"}},
		{"model escape after descent", "model", "a/../../model.onnx", []string{`"model"`, "inside"}},
		{"model absolute", "model", "/tmp/model.onnx", []string{`"model"`, "/tmp/model.onnx", "inside"}},
		{"model parent", "model", "..", []string{`"model"`, "inside"}},
		{"license escape", "license", "../LICENSE", []string{`"license"`, "../LICENSE", "inside"}},
		{"license absolute", "license", "/usr/share/common-licenses/GPL", []string{`"license"`, "inside"}},
		{"input name missing", "input.name", "", []string{`"input.name"`}},
		{"input layout unknown", "input.layout", "CHW", []string{`"input.layout"`, `"CHW"`}},
		{"input layout lower case", "input.layout", "nchw", []string{`"input.layout"`, `"nchw"`}},
		{"input layout missing", "input.layout", remove, []string{`"input.layout"`}},
		{"input width zero", "input.width", 0, []string{`"input.width"`, "0×224"}},
		{"input height negative", "input.height", -1, []string{`"input.height"`, "224×-1"}},
		{"input width too big", "input.width", 5000, []string{`"input.width"`, "4096", "5000×224"}},
		{"input height too big", "input.height", 4097, []string{`"input.height"`, "4096"}},
		{"input channels RGBA", "input.channels", "RGBA", []string{`"input.channels"`, `"RGBA"`}},
		{"input channels lower case", "input.channels", "rgb", []string{`"input.channels"`}},
		{"input channels missing", "input.channels", remove, []string{`"input.channels"`}},
		{"input std zero", "input.std", []float64{128, 0, 128}, []string{`"input.std"`, "item 1"}},
		{"input std negative", "input.std", []float64{-1, 1, 1}, []string{`"input.std"`, "item 0"}},
		{"input std short", "input.std", []float64{1, 1}, []string{`"input.std"`, "item 2"}},
		{"input std missing", "input.std", remove, []string{`"input.std"`}},
		{"crop mode unknown", "crop.mode", "center", []string{`"crop.mode"`, `"center"`}},
		{"crop mode missing", "crop.mode", remove, []string{`"crop.mode"`}},
		{"crop fraction zero", "crop.fraction", 0, []string{`"crop.fraction"`}},
		{"crop fraction negative", "crop.fraction", -0.5, []string{`"crop.fraction"`, "-0.5"}},
		{"crop fraction above one", "crop.fraction", 1.5, []string{`"crop.fraction"`, "1.5"}},
		{"output name missing", "output.name", "", []string{`"output.name"`}},
		{"output kind unknown", "output.kind", "softmax", []string{`"output.kind"`, `"softmax"`}},
		{"output kind missing", "output.kind", remove, []string{`"output.kind"`}},
		{"output label_offset negative", "output.label_offset", -1, []string{`"output.label_offset"`}},
		{"names unknown", "names", "imagenet-21k", []string{`name table "imagenet-21k"`, "imagenet-1k"}},
		{"wrong type", "input.width", "224", []string{"not a valid descriptor", "width"}},
		{"wrong type for object", "crop", "square", []string{"not a valid descriptor", "crop"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(mutated(t, tc.path, tc.value))
			if err == nil {
				t.Fatalf("Parse accepted %s = %v: %+v", tc.path, tc.value, d)
			}
			if d != nil {
				t.Errorf("Parse returned a descriptor with its error: %+v", d)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestParseValidVariants(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		value any
	}{
		{"no license", "license", remove},
		{"empty license", "license", ""},
		{"dot path", "labels", "./labels.txt"},
		{"descent then back inside", "labels", "a/../labels.txt"},
		{"NHWC", "input.layout", "NHWC"},
		{"BGR", "input.channels", "BGR"},
		{"square crop", "crop.mode", "square"},
		{"full crop", "crop.fraction", 1},
		{"logits", "output.kind", "logits"},
		{"label offset", "output.label_offset", 1},
		{"largest input", "input.width", 4096},
		{"smallest input", "input.height", 1},
		{"no name", "name", remove},
		{"no name table", "names", remove},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse(mutated(t, tc.path, tc.value)); err != nil {
				t.Errorf("Parse with %s = %v: %v", tc.path, tc.value, err)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	data := []byte(`{
		"model": "../m.onnx", "labels": "",
		"input": {"name": "", "layout": "CHW", "width": 0, "height": 0, "channels": "X", "mean": [0,0,0], "std": [0,0,0]},
		"crop": {"mode": "", "fraction": 2},
		"output": {"name": "", "kind": "", "label_offset": -1}
	}`)
	_, err := Parse(data)
	if err == nil {
		t.Fatal("Parse accepted a descriptor where every field is wrong")
	}
	for _, field := range []string{`"model"`, `"labels"`, `"input.name"`, `"input.layout"`, `"input.width"`,
		`"input.channels"`, `"input.std"`, `"crop.mode"`, `"crop.fraction"`, `"output.name"`, `"output.kind"`, `"output.label_offset"`} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error does not mention %s: %v", field, err)
		}
	}
}

func TestParseRefusesUnknownField(t *testing.T) {
	tests := []struct {
		name, path, field string
	}{
		{"top level typo", "lables", "lables"},
		{"nested typo", "input.means", "means"},
		{"crop extra", "crop.size", "size"},
		{"output extra", "output.softmax", "softmax"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(mutated(t, tc.path, "x"))
			if err == nil {
				t.Fatalf("Parse accepted unknown field %s", tc.path)
			}
			if !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), "unknown field") {
				t.Errorf("error %q does not name unknown field %q", err, tc.field)
			}
		})
	}
}

func TestParseNotJSON(t *testing.T) {
	for _, data := range []string{"", "not json", "[1,2,3]", `{"model": `} {
		if _, err := Parse([]byte(data)); err == nil || !strings.Contains(err.Error(), "not a valid descriptor") {
			t.Errorf("Parse(%q) = %v, want a 'not a valid descriptor' error", data, err)
		}
	}
}

func TestLoadRealDescriptor(t *testing.T) {
	d, err := Load(quantDescriptor)
	if err != nil {
		t.Fatalf("Load(%s) = %v", quantDescriptor, err)
	}
	wantDir, err := filepath.Abs("../../models")
	if err != nil {
		t.Fatal(err)
	}
	if d.Dir != wantDir {
		t.Errorf("Dir = %q, want %q", d.Dir, wantDir)
	}
	checks := []struct{ what, got, want string }{
		{"ModelPath", d.ModelPath(), filepath.Join(wantDir, "mobilenet_v2_1.0_224_quant", "model.qdq.onnx")},
		{"LabelsPath", d.LabelsPath(), filepath.Join(wantDir, "mobilenet_v2_1.0_224_quant", "labels.txt")},
		{"LicensePath", d.LicensePath(), filepath.Join(wantDir, "mobilenet_v2_1.0_224_quant", "LICENSE")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
		if !filepath.IsAbs(c.got) {
			t.Errorf("%s = %q is not absolute", c.what, c.got)
		}
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadTempDescriptor(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "my model.json")
	writeFile(t, path, mutated(t, "license", remove))
	d, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	wantDir := filepath.Join(dir, "sub")
	if d.Dir != wantDir {
		t.Errorf("Dir = %q, want %q", d.Dir, wantDir)
	}
	if got, want := d.ModelPath(), filepath.Join(wantDir, "mobilenet_v2_1.0_224_quant", "model.qdq.onnx"); got != want {
		t.Errorf("ModelPath = %q, want %q", got, want)
	}
	if got, want := d.LabelsPath(), filepath.Join(wantDir, "mobilenet_v2_1.0_224_quant", "labels.txt"); got != want {
		t.Errorf("LabelsPath = %q, want %q", got, want)
	}
	if got := d.LicensePath(); got != "" {
		t.Errorf("LicensePath without a license = %q, want \"\"", got)
	}
}

func TestLoadRelativePathMadeAbsolute(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "d.json"), quantJSON(t))
	t.Chdir(dir)
	d, err := Load("d.json")
	if err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if d.Dir != wd {
		t.Errorf("Dir = %q, want the working directory %q", d.Dir, wd)
	}
	if !filepath.IsAbs(d.ModelPath()) {
		t.Errorf("ModelPath %q is not absolute", d.ModelPath())
	}
}

func TestLoadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.json")
	d, err := Load(path)
	if err == nil {
		t.Fatalf("Load of a missing file returned %+v", d)
	}
	for _, w := range []string{path, "does not exist", "make model"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

func TestLoadInvalid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	writeFile(t, path, mutated(t, "labels", "../../etc/passwd"))
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load accepted a descriptor whose labels leave its folder")
	}
	for _, w := range []string{path, `"labels"`, "../../etc/passwd"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir)
	if err == nil {
		t.Fatal("Load of a folder succeeded")
	}
	if !strings.Contains(err.Error(), dir) || strings.Contains(err.Error(), "make model") {
		t.Errorf("error %q should name %s and not blame a missing file", err, dir)
	}
}

// descriptorWithLabels writes a labels file beside a descriptor and returns
// the descriptor loaded from disk.
func descriptorWithLabels(t *testing.T, labels string) *Descriptor {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "d.json"), mutated(t, "labels", "l/labels.txt"))
	writeFile(t, filepath.Join(dir, "l", "labels.txt"), []byte(labels))
	d, err := Load(filepath.Join(dir, "d.json"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestReadLabels(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"simple", "cat\ndog\nbird\n", []string{"cat", "dog", "bird"}},
		{"no final newline", "cat\ndog", []string{"cat", "dog"}},
		{"blank lines kept", "background\n\ncat\n\n\ndog\n", []string{"background", "", "cat", "", "", "dog"}},
		{"leading blank line", "\ncat\n", []string{"", "cat"}},
		{"white space only line", "cat\n   \t\ndog\n", []string{"cat", "", "dog"}},
		{"trimmed", "  cat \n\tdog\t\n", []string{"cat", "dog"}},
		{"CRLF", "cat\r\ndog\r\n\r\nbird\r\n", []string{"cat", "dog", "", "bird"}},
		{"commas kept", "great white shark, white shark\n", []string{"great white shark, white shark"}},
		{"unicode", "café\nŻubr\n", []string{"café", "Żubr"}},
		{"empty file", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := descriptorWithLabels(t, tc.text).ReadLabels()
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
				t.Errorf("ReadLabels(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestReadLabelsLineIsClassIndex(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 1000; i++ {
		if i%10 == 3 {
			b.WriteString("\n") // an unnamed class
			continue
		}
		b.WriteString("class " + strconv.Itoa(i) + "\n")
	}
	got, err := descriptorWithLabels(t, b.String()).ReadLabels()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1000 {
		t.Fatalf("got %d labels, want 1000", len(got))
	}
	for i, l := range got {
		want := "class " + strconv.Itoa(i)
		if i%10 == 3 {
			want = ""
		}
		if l != want {
			t.Fatalf("label %d = %q, want %q", i, l, want)
		}
	}
}

func TestReadLabelsReal(t *testing.T) {
	d, err := Load(quantDescriptor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d.LabelsPath()); err != nil {
		t.Skipf("the real labels file is not installed (%v); `make model` provides it", err)
	}
	labels, err := d.ReadLabels()
	if err != nil {
		t.Fatal(err)
	}
	if len(labels) != 1000 {
		t.Errorf("got %d labels, want 1000", len(labels))
	}
	if labels[0] != "tench, Tinca tinca" {
		t.Errorf("label 0 = %q", labels[0])
	}
}

func TestReadLabelsMissing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.json")
	writeFile(t, path, quantJSON(t))
	d, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	labels, err := d.ReadLabels()
	if err == nil {
		t.Fatalf("ReadLabels of a missing file = %q", labels)
	}
	for _, w := range []string{d.LabelsPath(), "missing", "make model"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

func TestReadLabelsTooMany(t *testing.T) {
	line := "x\n"
	ok := descriptorWithLabels(t, strings.Repeat(line, maxLabels))
	if labels, err := ok.ReadLabels(); err != nil || len(labels) != maxLabels {
		t.Fatalf("ReadLabels of exactly %d lines = %d labels, %v", maxLabels, len(labels), err)
	}
	tooMany := descriptorWithLabels(t, strings.Repeat(line, maxLabels+1))
	labels, err := tooMany.ReadLabels()
	if err == nil {
		t.Fatalf("ReadLabels accepted %d lines", len(labels))
	}
	if !strings.Contains(err.Error(), strconv.Itoa(maxLabels)) || !strings.Contains(err.Error(), tooMany.LabelsPath()) {
		t.Errorf("error %q should name the file and the limit", err)
	}
}
