package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/report"
)

// runCLI runs `spotter classify` in process, with a catalogue of the
// test's own unless args name one.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if os.Getenv("SPOTTER_CATALOG") == "" {
		t.Setenv("SPOTTER_CATALOG", filepath.Join(t.TempDir(), "catalog.db"))
	}
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
	// Each line leads with the model set's title, then the classifier's
	// classes.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], dog+": dog, car, bicycle — malamute") ||
		!strings.HasPrefix(lines[1], eagle+": bird — kite") {
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
	var good, bad report.Record
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&good); err != nil {
		t.Fatal(err, out)
	}
	if err := dec.Decode(&bad); err != nil {
		t.Fatal(err, out)
	}
	// The first run classified the dog: this answer comes from the catalogue.
	if good.Path != dog || len(good.Predictions) != 3 || good.MS != nil || good.Cached == nil || !*good.Cached || good.Error != "" {
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

// The model set's answer in JSON: person.jpg shows a person, a dog and a
// horse (the classifier alone calls it a llama, which is never a keyword),
// and kite.jpg people on a beach.
func TestClassifyJSONModelSet(t *testing.T) {
	inferencetest.Library(t)
	person := inferencetest.Photo(t, "person.jpg")
	kite := inferencetest.Photo(t, "kite.jpg")
	card := writeCard(t, t.TempDir(), magentaCard)
	code, out, errs := runCLI(t, "--model", inferencetest.Descriptor(t), "--json", person, kite, card)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	recs := records(t, out)
	if len(recs) != 3 {
		t.Fatalf("records %s", out)
	}
	p := recs[0]
	var names []string
	for _, o := range p.Objects {
		names = append(names, o.Name)
		if o.Label == "" || o.Score < 0.35 || o.Score > 1 || !(o.Box[0] < o.Box[2] && o.Box[1] < o.Box[3]) || o.Box[0] < 0 {
			t.Errorf("person.jpg object %+v", o)
		}
	}
	if !slices.Equal(names, []string{"person", "dog", "horse"}) || p.People == nil || *p.People != 1 ||
		!slices.Equal(p.Keywords, []string{"person", "dog", "horse"}) || p.Title != "person, dog, horse" || p.Sure == nil || !*p.Sure {
		t.Errorf("person.jpg: objects %q, people %v, keywords %q, title %q, sure %v", names, p.People, p.Keywords, p.Title, p.Sure)
	}
	if p.Name != "llama" || slices.Contains(p.Keywords, "llama") || strings.Contains(p.Title, "llama") {
		t.Errorf("person.jpg: the classifier's %q must stay out of the keywords %q and title %q", p.Name, p.Keywords, p.Title)
	}
	for _, field := range []string{`"objects":[{"name":"person","label":"person","score":`, `"box":[`, `"people":1`, `"keywords":["person","dog","horse"]`, `"sure":true`} {
		if !strings.Contains(out, field) {
			t.Errorf("no %s in\n%s", field, out)
		}
	}
	if k := recs[1]; k.People == nil || *k.People < 2 || !slices.Contains(k.Keywords, "people") || !strings.Contains(k.Title, "people") {
		t.Errorf("kite.jpg: people %v, keywords %q, title %q; want people counted", k.People, k.Keywords, k.Title)
	}
	if c := recs[2]; c.Sure == nil || *c.Sure || c.Keywords != nil || c.Title != "" || c.People == nil || *c.People != 0 {
		t.Errorf("a plain card: %+v; want not sure, no keywords, nobody", c)
	}
	for _, f := range p.Faces {
		if f.Score <= 0 || f.Box[2] <= f.Box[0] {
			t.Errorf("person.jpg face %+v", f)
		}
	}
}

func TestClassifyUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"--top", "0", "x.jpg"}, {"--no-such-flag"}} {
		if code, _, errs := runCLI(t, args...); code != 2 || !strings.Contains(errs, "Usage") {
			t.Errorf("classify %q: exit %d, stderr %q; want 2 and usage", args, code, errs)
		}
	}
}

// --no-text turns text recognition off, and the help says so.
func TestClassifyNoText(t *testing.T) {
	for args, want := range map[string]bool{"": false, "--no-text": true} {
		fs := flag.NewFlagSet("classify", flag.ContinueOnError)
		var ef engineFlags
		ef.register(fs)
		if err := fs.Parse(strings.Fields(args)); err != nil {
			t.Fatal(err)
		}
		if got := ef.options("m.json", 5); got.NoText != want {
			t.Errorf("%q: NoText %v; want %v", args, got.NoText, want)
		}
	}
	if code, _, errs := runCLI(t, "-h"); code != 0 || !strings.Contains(errs, "-no-text") || !strings.Contains(errs, `"text","lines"`) {
		t.Errorf("classify -h: exit %d, %q", code, errs)
	}
}

// The text read in a photo is in --json as "text" and "lines", and in
// --csv as the last column, its lines in one quoted field; a photo
// without text has neither.
func TestClassifyOutputCarriesText(t *testing.T) {
	sign := prediction.Result{
		Predictions: []prediction.Prediction{{Label: "street sign", Probability: 0.6}},
		Keywords:    []prediction.Keyword{{Word: "sign", Path: "text|sign", Source: "text", Confidence: 0.8}},
		Title:       "sign",
		Fused:       true,
		Lines: []prediction.Line{
			{Text: "NO PARKING", Confidence: 0.95, Box: prediction.Box{10, 20, 400, 90}},
			{Text: `"tow-away", zone`, Confidence: 0.7, Box: prediction.Box{12, 100, 380.5, 150}},
		},
	}
	plain := sign
	plain.Lines = nil

	var jsonOut bytes.Buffer
	o, err := newOutput(&jsonOut, io.Discard, true, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	o.write(report.New("sign.jpg", sign, nil, false))
	o.write(report.New("plain.jpg", plain, nil, false))
	type textFields struct {
		Text  *string
		Lines []struct {
			Text       string
			Confidence float32
			Box        [4]float32
		}
	}
	var got []textFields
	for dec := json.NewDecoder(&jsonOut); dec.More(); {
		var r textFields
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != 2 || got[0].Text == nil || *got[0].Text != "NO PARKING\n\"tow-away\", zone" || len(got[0].Lines) != 2 ||
		got[0].Lines[1].Box != [4]float32{12, 100, 380.5, 150} || got[0].Lines[0].Confidence != 0.95 ||
		got[1].Text != nil || got[1].Lines != nil {
		t.Errorf("--json records %+v", got)
	}

	var csvOut bytes.Buffer
	if o, err = newOutput(&csvOut, io.Discard, false, true, 1); err != nil {
		t.Fatal(err)
	}
	o.write(report.New("sign.jpg", sign, nil, false))
	o.write(report.New("plain.jpg", plain, nil, false))
	rows, err := csv.NewReader(&csvOut).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][len(rows[0])-1] != "text" || rows[1][len(rows[1])-1] != "NO PARKING\n\"tow-away\", zone" ||
		rows[2][len(rows[2])-1] != "" || len(rows[1]) != len(rows[0]) {
		t.Errorf("--csv rows %q", rows)
	}
}

func TestClassifyWithoutLibrary(t *testing.T) {
	t.Setenv("ONNXRUNTIME_SHARED_LIBRARY_PATH", filepath.Join(t.TempDir(), "missing.so"))
	code, _, errs := runCLI(t, "--model", inferencetest.Descriptor(t), "x.jpg")
	if code != 1 || !strings.Contains(errs, "make runtime") {
		t.Errorf("exit %d, stderr %q; want 1 and advice to run make runtime", code, errs)
	}
	code, out, _ := runCLI(t, "--json", "--model", inferencetest.Descriptor(t), "a.jpg", "b.jpg")
	var lines []report.Record
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var l report.Record
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if code != 1 || len(lines) != 2 || lines[1].Path != "b.jpg" || !strings.Contains(lines[1].Error, "make runtime") {
		t.Errorf("--json without a library: exit %d, lines %+v", code, lines)
	}
}

func TestClassifyFolderAsCSV(t *testing.T) {
	inferencetest.Library(t)
	dir := t.TempDir()
	for _, name := range []string{"dog.jpg", "eagle.jpg"} {
		data, err := os.ReadFile(inferencetest.Photo(t, name))
		if err != nil {
			t.Fatal(err)
		}
		sub := filepath.Join(dir, "trip", name[:1])
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "trip", "notes.txt"), []byte("skip me"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "--model", inferencetest.Descriptor(t), "--csv", "--top", "2", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"path", "label_1", "probability_1", "label_2", "probability_2", "ms", "error", "name", "confidence", "categories", "cached",
		"people", "keywords", "title", "sure", "objects", "text"}}
	if len(rows) != 3 || !slices.Equal(rows[0], want[0]) {
		t.Fatalf("CSV:\n%s", out)
	}
	if !strings.HasSuffix(rows[1][0], "d/dog.jpg") || !strings.HasPrefix(rows[1][1], "malamute") || rows[1][7] != "dog" || rows[1][9] != "animal" ||
		!strings.HasSuffix(rows[2][0], "e/eagle.jpg") || rows[2][1] != "kite" || rows[2][6] != "" || rows[2][7] != "bird" || rows[2][10] != "false" {
		t.Errorf("CSV rows %q", rows[1:])
	}
	// The model set's columns: people, keywords, title, sure, objects.
	if !slices.Equal(rows[1][11:15], []string{"0", "dog;car;bicycle", "dog, car, bicycle", "true"}) || !strings.HasPrefix(rows[1][15], "dog 0.") ||
		strings.Count(rows[1][15], ";") != 2 || !slices.Equal(rows[2][11:15], []string{"0", "bird", "bird", "true"}) {
		t.Errorf("the model set's columns %q", [][]string{rows[1][11:], rows[2][11:]})
	}
	if p, err := strconv.ParseFloat(rows[1][2], 64); err != nil || p < 0.3 || p > 1 {
		t.Errorf("probability %q", rows[1][2])
	}
	if c, err := strconv.ParseFloat(rows[1][8], 64); err != nil || c < 0.5 || c > 1 {
		t.Errorf("the dog's summed confidence %q", rows[1][8])
	}
	if errs != "" {
		t.Errorf("stderr is not a terminal, yet got %q", errs)
	}
}

func TestClassifyFolderWithoutPhotos(t *testing.T) {
	inferencetest.Library(t)
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("no photo here"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "--model", inferencetest.Descriptor(t), "--json", empty)
	var rec report.Record
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("%v: stdout %q, stderr %q", err, out, errs)
	}
	if code != 1 || rec.Path != empty || !strings.Contains(rec.Error, "holds no photos") {
		t.Errorf("exit %d, record %+v; want 1 and a record saying the folder holds no photos", code, rec)
	}

	code, out, errs = runCLI(t, "--model", inferencetest.Descriptor(t), empty, inferencetest.Photo(t, "dog.jpg"))
	if code != 1 || !strings.Contains(out, "malamute") || !strings.Contains(errs, empty+": error: "+empty+" holds no photos") {
		t.Errorf("an empty folder beside a photo: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// Under LANG=C.UTF-8, the default of most containers, the real program's
// stderr holds nothing but its own messages: Fyne's start-up used to print
// "Error parsing user locale C" three times on every run.
func TestClassifyStderrQuietUnderCLocale(t *testing.T) {
	lib := inferencetest.Library(t)
	bin := buildSpotter(t)
	for _, lang := range []string{"C.UTF-8", "C", "POSIX"} {
		cmd := exec.Command(bin, "classify", "--ort-lib", lib, "--model", inferencetest.Descriptor(t), inferencetest.Photo(t, "dog.jpg"))
		cmd.Env = []string{"LANG=" + lang, "HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("LANG=%s: %v\n%s", lang, err, stderr.String())
		}
		if stderr.Len() != 0 || !strings.Contains(stdout.String(), "malamute") {
			t.Errorf("LANG=%s: stdout %q, stderr %q; want the answer and an empty stderr", lang, stdout.String(), stderr.String())
		}
	}
}
