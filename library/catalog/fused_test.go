package catalog

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// setAB is a model set: a classifier and a detector run together.
var setAB = ModelSet(modelA, Model{Name: "yolox", SHA256: strings.Repeat("c", 64)})

// fused is the entry the model set would have made: keyword words, each
// under its path, and one object per word; people counted from
// "person" objects.
func fused(e Entry, words ...string) Entry {
	e = classified(e, "llama", 0.8, "animal", "llama")
	e.Model, e.Fused, e.Width, e.Height = setAB, true, 640, 480
	e.Keywords, e.Objects, e.Faces, e.People = nil, nil, nil, 0
	for i, w := range words {
		path := "animal|" + w
		if w == "person" {
			path = "people|person"
			e.People++
		}
		score := 0.9 - float32(i)/10
		e.Keywords = append(e.Keywords, Keyword{Word: w, Path: path, Source: "objects", Confidence: score})
		e.Objects = append(e.Objects, Object{Name: w, Label: w, Score: score, Box: Box{1, 2, 300.5, 400.25}, Path: path})
	}
	if e.People > 0 {
		e.Faces = []Face{{Score: 0.7, Box: Box{40, 30, 80, 80}, Landmarks: [5][2]float32{{50, 45}, {70, 45}, {60, 55}, {52, 68}, {68, 68}}}}
	}
	e.Title = strings.Join(words, ", ")
	return e
}

func TestModelSet(t *testing.T) {
	yolox := Model{Name: "yolox", SHA256: strings.Repeat("c", 64)}
	set := ModelSet(modelA, yolox)
	if set.Name != "mobilenet + yolox" || set.SHA256 != sha256Hex(modelA.SHA256+yolox.SHA256) {
		t.Errorf("ModelSet = %+v", set)
	}
	// Any member changed is another set; a set of one is its model, so the
	// answers of the classifier alone keep their key.
	if ModelSet(modelB, yolox) == set || ModelSet(yolox, modelA) == set || ModelSet(modelA) != modelA {
		t.Error("model sets are not told apart")
	}
}

// openMigrated opens a catalogue file that setup (SQL) made as an earlier
// release left it, and checks that it was brought up to date without a
// warning. It is closed with the test.
func openMigrated(t *testing.T, setup string) *Catalog {
	t.Helper()
	path := filepath.Join(t.TempDir(), "catalog.db")
	db, err := sql.Open("sqlite3", dsn(path, "_foreign_keys=1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(setup); err != nil {
		t.Fatal(err)
	}
	db.Close()
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if w := c.Warnings(); len(w) > 0 {
		t.Errorf("warnings: %q", w)
	}
	var version int
	if err := c.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(migrations) {
		t.Errorf("user_version %d, %v; want %d", version, err, len(migrations))
	}
	return c
}

// putReopen keeps e for the photo at path in c, opens c's file again and
// checks that e reads back from it as it went in. e gets the time it was
// kept. The second catalogue is closed with the test.
func putReopen(t *testing.T, c *Catalog, e *Entry, path string) *Catalog {
	t.Helper()
	e.When = time.Unix(0, time.Now().UnixNano())
	c.Put(*e)
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	c2, err := Open(c.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c2.Close() })
	got := mustHit(t, c2, path, setAB)
	got.Cached = false
	if !reflect.DeepEqual(got, *e) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, *e)
	}
	return c2
}

// A fused answer comes back from the catalogue as it went in, also when
// it is found by content after a copy.
func TestFusedAnswerRoundTrips(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	p, fi := photo(t, dir, "a.jpg", content(1, 100))
	e, _, err := c.Lookup(p, fi, setAB)
	if err != nil {
		t.Fatal(err)
	}
	e = fused(e, "person", "dog", "horse")
	c2 := putReopen(t, c, &e, p)

	// A copy is found by content; its keywords go with it into search.
	cp, _ := photo(t, dir, "copy.jpg", content(1, 100))
	if hit := mustHit(t, c2, cp, setAB); !reflect.DeepEqual(hit.Keywords, e.Keywords) {
		t.Errorf("the copy's keywords: %+v", hit.Keywords)
	}
	if err := c2.Flush(); err != nil {
		t.Fatal(err)
	}
	if n, err := c2.Count(Filter{Keyword: "horse"}); err != nil || n != 2 {
		t.Errorf("photos with a horse after the copy: %d, %v; want 2", n, err)
	}

	// Classified again with less found: the keywords it no longer has go.
	again := fused(e, "dog")
	c2.Put(again)
	if err := c2.Flush(); err != nil {
		t.Fatal(err)
	}
	if n, _ := c2.Count(Filter{Keyword: "horse"}); n != 1 {
		t.Errorf("photos with a horse after the original lost it: %d; want 1 (the copy)", n)
	}
}

func TestFusedFiltersAndFacets(t *testing.T) {
	c, _ := openTemp(t)
	put := func(i int, words ...string) {
		c.Put(fused(Entry{Path: fmt.Sprintf("/p/%d.jpg", i)}, words...))
	}
	put(1, "person", "dog")
	put(2, "dog")
	put(3, "person", "teddy bear")
	put(4) // sure of nothing, though the classifier said llama at 0.8
	put(5, "horse")
	c.Put(Entry{Path: "/p/6.jpg", Model: setAB, Error: "cut off"})
	// The classifier alone keeps its categories, also beside a model set.
	c.Put(classified(Entry{Path: "/p/7.jpg", Model: modelA}, "dog", 0.9, "animal", "dog"))
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	f, err := c.Facets(setAB, 0.5, time.Time{})
	if want := "{[] [{dog 2} {person 2} {horse 1} {teddy bear 1}] 1 1}"; err != nil || fmt.Sprint(f) != want {
		t.Errorf("facets of the set: %v, %v; want %v", f, err, want)
	}
	if f, _ := c.Facets(modelA, 0.5, time.Time{}); fmt.Sprint(f) != "{[{animal 1}] [] 0 0}" {
		t.Errorf("facets of the classifier alone: %v", f)
	}

	two := &Span{2, 2}
	cases := []struct {
		f    Filter
		want []int
	}{
		{Filter{Model: setAB, Keyword: "dog"}, []int{1, 2}},
		{Filter{Model: setAB, Keyword: "teddy bear"}, []int{3}},
		{Filter{Model: setAB, Keyword: "cat"}, nil},
		{Filter{Model: setAB, NotSure: true, Threshold: 0.5}, []int{4}},
		{Filter{Model: setAB, Category: "animal", Threshold: 0.5}, nil}, // a fused answer goes by keywords
		{Filter{Category: "animal", Threshold: 0.5}, []int{7}},
		{Filter{Text: "Teddy Bear"}, []int{3}},        // a keyword whole, any case
		{Filter{Text: "dog"}, []int{1, 2, 7}},         // a keyword, or the classifier's name as before
		{Filter{Text: "llama"}, []int{1, 2, 3, 4, 5}}, // the classifier's name still matches
		{Filter{Text: "ors"}, nil},                    // keywords match whole, not in part
		{Filter{People: &Span{1, 1}}, []int{1, 3}},
		{Filter{People: &Span{0, 0}}, []int{2, 4, 5}}, // the classifier alone counts no one: not 7
		{Filter{People: &Span{1, 9}, Keyword: "dog"}, []int{1}},
		{Filter{People: two}, nil},
	}
	for _, tc := range cases {
		page, err := c.Page(tc.f, 0, 100)
		var got []int
		for _, e := range page {
			var i int
			fmt.Sscanf(filepath.Base(e.Path), "%d.jpg", &i)
			got = append(got, i)
		}
		slices.Sort(got)
		n, cerr := c.Count(tc.f)
		if err != nil || cerr != nil || !slices.Equal(got, tc.want) || n != len(tc.want) {
			t.Errorf("%+v: Page %v (%v), Count %d (%v); want %v", tc.f, got, err, n, cerr, tc.want)
		}
	}
	if found, err := c.Search(Filter{Text: "person", People: &Span{1, 1}}, 10); err != nil || len(found) != 2 {
		t.Errorf("search person with one person: %d, %v", len(found), err)
	}
}

// A catalogue of the first release is brought up to date: its results
// stay, read as the classifier's alone, and the model set's can be kept
// beside them.
func TestMigrationFromVersion1(t *testing.T) {
	c := openMigrated(t, migrations[0]+`PRAGMA user_version = 1;
		INSERT INTO models(id, name, sha256) VALUES(1, 'mobilenet', '`+modelA.SHA256+`');
		INSERT INTO photos(id, path, base, size, mtime_ns, fingerprint, added_ns) VALUES(1, CAST('/p/old.jpg' AS BLOB), CAST('old.jpg' AS BLOB), 10, 1, X'00', 1);
		INSERT INTO results(photo_id, model_id, at_ns, outcome, name, confidence, categories, top_category)
			VALUES(1, 1, 5, 'ok', 'dog', 0.9, '["animal","dog"]', 'animal');`)
	old, err := c.Page(Filter{}, 0, 10)
	if err != nil || len(old) != 1 || old[0].Name != "dog" || old[0].Fused || old[0].Keywords != nil || old[0].Objects != nil || old[0].People != 0 {
		t.Fatalf("the first release's result: %+v, %v", old, err)
	}
	if f, err := c.Facets(modelA, 0.5, time.Time{}); err != nil || fmt.Sprint(f) != "{[{animal 1}] [] 0 0}" {
		t.Errorf("its facets: %v, %v", f, err)
	}
	c.Put(fused(Entry{Path: "/p/new.jpg"}, "person", "dog"))
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Count(Filter{Keyword: "person"}); err != nil || n != 1 {
		t.Errorf("the model set's answer beside it: %d, %v", n, err)
	}
	if n, _ := c.Count(Filter{}); n != 2 {
		t.Errorf("%d results; want the old one and the new", n)
	}
}
