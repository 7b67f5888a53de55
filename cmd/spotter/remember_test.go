package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/report"
)

func records(t *testing.T, out string) []report.Record {
	t.Helper()
	var recs []report.Record
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r report.Record
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%v in\n%s", err, out)
		}
		recs = append(recs, r)
	}
	return recs
}

// cached reads a classified record's "cached" field, which must be there.
func cached(t *testing.T, r report.Record) bool {
	t.Helper()
	if r.Cached == nil {
		t.Fatalf(`%s: no "cached" field in %+v`, r.Path, r)
	}
	return *r.Cached
}

// copyPhotos puts copies of shared photos in a fresh folder.
func copyPhotos(t *testing.T, names ...string) (dir string, paths []string) {
	t.Helper()
	dir = t.TempDir()
	for _, name := range names {
		data, err := os.ReadFile(inferencetest.Photo(t, name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return dir, paths
}

// The cards writeCard makes: ImageMagick's fills of a whole photo, in which
// Spotter is sure of nothing.
const (
	magentaCard = "xc:#ff00ff"
	// gradientCard's thumbnail has many colours, as a photo's has.
	gradientCard = "gradient:magenta-cyan"
)

// writeCard makes a 1600×1200 card, plain.jpg, in dir.
func writeCard(t *testing.T, dir, fill string) string {
	t.Helper()
	_, err := exec.LookPath("convert")
	inferencetest.Need(t, err == nil, "convert (apt-get install imagemagick)")
	card := filepath.Join(dir, "plain.jpg")
	if out, err := exec.Command("convert", "-size", "1600x1200", fill, card).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
	return card
}

// The second run answers from the catalogue, the same answers, and says
// so; --fresh and --no-catalog classify again; a moved photo is known.
func TestClassifyRemembers(t *testing.T) {
	inferencetest.Library(t)
	model := inferencetest.Descriptor(t)
	db := filepath.Join(t.TempDir(), "catalog.db")
	dir, paths := copyPhotos(t, "dog.jpg", "eagle.jpg")

	run := func(args ...string) []report.Record {
		t.Helper()
		code, out, errs := runCLI(t, append([]string{"--model", model, "--catalog", db, "--json"}, args...)...)
		if code != 0 || errs != "" {
			t.Fatalf("classify %q: exit %d, stderr %q", args, code, errs)
		}
		if !strings.Contains(out, `"cached":`) {
			t.Errorf(`no "cached" field in %s`, out)
		}
		return records(t, out)
	}
	first := run(dir)
	if len(first) != 2 || cached(t, first[0]) || cached(t, first[1]) {
		t.Fatalf("first run: %+v", first)
	}
	if first[0].Name != "dog" || first[1].Name != "bird" || len(first[0].Categories) == 0 || first[0].Categories[0] != "animal" {
		t.Errorf("everyday names: %+v", first)
	}
	again := run(dir)
	for i, r := range again {
		if !cached(t, r) || r.Name != first[i].Name || *r.Confidence != *first[i].Confidence ||
			len(r.Predictions) != len(first[i].Predictions) || r.Predictions[0] != first[i].Predictions[0] {
			t.Errorf("second run, %s: %+v; want the first run's answer, cached", r.Path, r)
		}
	}
	for _, flag := range []string{"--fresh", "--no-catalog"} {
		for _, r := range run(flag, dir) {
			if cached(t, r) {
				t.Errorf("%s: %s came from the catalogue", flag, r.Path)
			}
		}
	}
	// Moved: the catalogue knows it by its content, without classifying it.
	moved := filepath.Join(t.TempDir(), "renamed.jpg")
	if err := os.Rename(paths[0], moved); err != nil {
		t.Fatal(err)
	}
	if r := run(moved); len(r) != 1 || !cached(t, r[0]) || r[0].Name != "dog" {
		t.Errorf("a moved photo: %+v", r)
	}
	// Changed: classified again.
	data, err := os.ReadFile(inferencetest.Photo(t, "giraffe.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(paths[1], data, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(paths[1]); len(r) != 1 || cached(t, r[0]) || r[0].Name == "bird" {
		t.Errorf("a photo replaced by another: %+v", r)
	}
}

// Another model means classifying again; the first model's answers stay.
func TestClassifyPerModel(t *testing.T) {
	inferencetest.Library(t)
	qdq := inferencetest.Descriptor(t)
	f32 := filepath.Join(filepath.Dir(qdq), "mobilenet_v2_1.0_224_quant_float.json")
	if _, err := os.Stat(f32); err != nil {
		t.Fatalf("the float32 descriptor: %v", err)
	}
	db := filepath.Join(t.TempDir(), "catalog.db")
	dog := inferencetest.Photo(t, "dog.jpg")
	cached := func(model string) bool {
		code, out, errs := runCLI(t, "--model", model, "--catalog", db, "--json", dog)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		return cached(t, records(t, out)[0])
	}
	if cached(qdq) || cached(f32) || !cached(qdq) || !cached(f32) {
		t.Error("each model's first answer must be fresh and its second cached")
	}
}

func TestSearch(t *testing.T) {
	inferencetest.Library(t)
	db := filepath.Join(t.TempDir(), "catalog.db")
	search1 := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb strings.Builder
		code := search(append([]string{"--catalog", db}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, _, errs := search1("dog"); code != 1 || !strings.Contains(errs, "no catalogue") {
		t.Errorf("no catalogue yet: exit %d, %q", code, errs)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("searching created a catalogue")
	}
	_, paths := copyPhotos(t, "dog.jpg", "eagle.jpg", "giraffe.jpg")
	if code, _, errs := runCLI(t, append([]string{"--model", inferencetest.Descriptor(t), "--catalog", db}, paths...)...); code != 0 {
		t.Fatalf("classify: %s", errs)
	}
	code, out, errs := search1("--json", "dog")
	recs := records(t, out)
	if code != 0 || len(recs) != 1 || recs[0].Path != paths[0] || recs[0].Name != "dog" || !cached(t, recs[0]) {
		t.Errorf("search dog: exit %d, %+v, stderr %q", code, recs, errs)
	}
	// Categories match too, most confident first.
	_, out, _ = search1("--json", "animal")
	recs = records(t, out)
	if len(recs) != 3 {
		t.Fatalf("search animal: %+v", recs)
	}
	for i := 1; i < len(recs); i++ {
		if *recs[i].Confidence > *recs[i-1].Confidence {
			t.Errorf("not most confident first: %+v", recs)
		}
	}
	if code, out, _ := search1("submarine"); code != 1 || out != "" {
		t.Errorf("no match: exit %d, %q", code, out)
	}
	if code, out, _ := search1("eagle.jpg"); code != 0 || !strings.Contains(out, paths[1]) {
		t.Errorf("a file name: exit %d, %q", code, out)
	}
	// A damaged catalogue is reported and left as it is: searching only
	// reads.
	garbage := []byte(strings.Repeat("this is not SQLite ", 1000))
	if err := os.WriteFile(db, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = search1("dog")
	asides, _ := filepath.Glob(db + ".corrupt-*")
	if after, _ := os.ReadFile(db); code != 2 || !strings.Contains(errs, "cannot be read") || !strings.Contains(errs, "spotter classify once") ||
		!bytes.Equal(after, garbage) || len(asides) != 0 {
		t.Errorf("damaged catalogue: exit %d, %q; file kept %v, moved aside %v", code, errs, bytes.Equal(after, garbage), asides)
	}
}

// Search finds the model set's keywords whole and photos by how many
// people they show, alone or with words.
func TestSearchKeywordsAndPeople(t *testing.T) {
	inferencetest.Library(t)
	db := filepath.Join(t.TempDir(), "catalog.db")
	dir, paths := copyPhotos(t, "dog.jpg", "person.jpg", "kite.jpg")
	dog, person, kite := paths[0], paths[1], paths[2]
	if code, _, errs := runCLI(t, "--model", inferencetest.Descriptor(t), "--catalog", db, dir); code != 0 {
		t.Fatalf("classify: %s", errs)
	}
	found := func(args ...string) []string {
		t.Helper()
		var out, errb strings.Builder
		code := search(append([]string{"--catalog", db, "--json"}, args...), &out, &errb)
		var got []string
		for _, r := range records(t, out.String()) {
			got = append(got, r.Path)
		}
		slices.Sort(got)
		if (code == 0) != (len(got) > 0) || errb.Len() > 0 {
			t.Errorf("search %q: exit %d with %d photos, stderr %q", args, code, len(got), errb.String())
		}
		return got
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"horse"}, []string{person}}, // a keyword the classifier never said (it says llama)
		{[]string{"bicycle"}, []string{dog}},  //
		{[]string{"people"}, []string{kite}},  // the photo with five people, not the one with one
		{[]string{"llama"}, []string{person}}, // the classifier's name, as before
		{[]string{"--people", "1"}, []string{person}},
		{[]string{"--people", "2-10"}, []string{kite}},
		{[]string{"--people", "0"}, []string{dog}},
		{[]string{"--people", "0-1", "dog"}, []string{dog, person}},
		{[]string{"--people", "1", "bicycle"}, nil},
	} {
		if got := found(tc.args...); !slices.Equal(got, tc.want) {
			t.Errorf("search %q: %q; want %q", tc.args, got, tc.want)
		}
	}
	var out, errb strings.Builder
	if code := search([]string{"--catalog", db, "--people", "many"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "a range such as 3-10") {
		t.Errorf("--people many: exit %d, %q", code, errb.String())
	}
}
