package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = classify(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestClassifyCommand(t *testing.T) {
	inferencetest.Library(t)
	model := inferencetest.Descriptor(t)
	dog := inferencetest.Photo(t, "dog.jpg")
	eagle := inferencetest.Photo(t, "eagle.jpg")

	code, out, errs := runCLI(t, "--model", model, dog, eagle)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], dog+": malamute") || !strings.HasPrefix(lines[1], eagle+": kite") {
		t.Errorf("output:\n%s", out)
	}

	notes := filepath.Join(t.TempDir(), "notes.jpg")
	if err := os.WriteFile(notes, []byte("not a photo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, "--model", model, "--json", "--top", "3", dog, notes)
	if code != 1 {
		t.Errorf("exit %d with one bad file, want 1", code)
	}
	var good, bad jsonLine
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&good); err != nil {
		t.Fatal(err, out)
	}
	if err := dec.Decode(&bad); err != nil {
		t.Fatal(err, out)
	}
	if good.Path != dog || len(good.Predictions) != 3 || good.MS == nil || *good.MS <= 0 || good.Error != "" {
		t.Errorf("good line %+v", good)
	}
	if p := good.Predictions[0]; !strings.HasPrefix(p.Label, "malamute") || p.Probability < 0.3 || p.Probability > 1 {
		t.Errorf("top prediction %+v", p)
	}
	if bad.Path != notes || !strings.Contains(bad.Error, "text file") || bad.Predictions != nil {
		t.Errorf("bad line %+v", bad)
	}
	if !strings.Contains(out, `"probability":`) || !strings.Contains(out, `"error":`) {
		t.Errorf("JSON field names changed:\n%s", out)
	}
}

func TestClassifyUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"--top", "0", "x.jpg"}, {"--no-such-flag"}} {
		if code, _, errs := runCLI(t, args...); code != 2 || !strings.Contains(errs, "Usage") {
			t.Errorf("classify %q: exit %d, stderr %q; want 2 and usage", args, code, errs)
		}
	}
}

func TestClassifyWithoutLibrary(t *testing.T) {
	t.Setenv("ONNXRUNTIME_SHARED_LIBRARY_PATH", filepath.Join(t.TempDir(), "missing.so"))
	code, _, errs := runCLI(t, "--model", inferencetest.Descriptor(t), "x.jpg")
	if code != 1 || !strings.Contains(errs, "make runtime") {
		t.Errorf("exit %d, stderr %q; want 1 and advice to run make runtime", code, errs)
	}
	code, out, _ := runCLI(t, "--json", "--model", inferencetest.Descriptor(t), "a.jpg", "b.jpg")
	var lines []jsonLine
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var l jsonLine
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if code != 1 || len(lines) != 2 || lines[1].Path != "b.jpg" || !strings.Contains(lines[1].Error, "make runtime") {
		t.Errorf("--json without a library: exit %d, lines %+v", code, lines)
	}
}
