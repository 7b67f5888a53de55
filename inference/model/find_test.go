package model

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	models, err := filepath.Abs(filepath.Join("..", "..", "models"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(models, "mobilenet_v2_1.0_224_quant", "model.qdq.onnx")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the test model is missing: make model")
		}
		t.Skip("the test model is missing: make model")
	}
	t.Setenv(EnvVar, "")
	got, err := Find(models)
	if err != nil || filepath.Base(got) != "mobilenet_v2_1.0_224_quant.json" {
		t.Errorf("Find(models/) = %q, %v; want the quantised model first", got, err)
	}
	t.Setenv(EnvVar, filepath.Join(models, "mobilenet_v2_1.0_224_quant_float.json"))
	if got, err := Find(""); err != nil || filepath.Base(got) != "mobilenet_v2_1.0_224_quant_float.json" {
		t.Errorf("Find with %s set = %q, %v", EnvVar, got, err)
	}
	t.Setenv(EnvVar, "")
	onnx := filepath.Join(t.TempDir(), "m.onnx")
	if err := os.WriteFile(onnx, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Find(onnx); err == nil || !strings.Contains(err.Error(), "m.json") {
		t.Errorf("an .onnx without descriptor gave %v, want a message naming m.json", err)
	}
	if _, err := Find(filepath.Join(t.TempDir(), "nope.json")); err == nil {
		t.Error("a missing --model was accepted")
	}
	d, err := Load(got)
	if err != nil || d.Path != got {
		t.Errorf("Load(%s).Path = %q, %v", got, d.Path, err)
	}
}
