package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var (
	modelA = Model{Name: "mobilenet", SHA256: strings.Repeat("a", 64)}
	modelB = Model{Name: "mobilenet", SHA256: strings.Repeat("b", 64)}
)

func openTemp(t testing.TB) (*Catalog, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "spotter", "catalog.db")
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Warnings(); len(w) > 0 {
		t.Fatalf("a fresh catalogue warns: %q", w)
	}
	t.Cleanup(func() { c.Close() })
	return c, path
}

// photo writes a file and returns its path and FileInfo.
func photo(t testing.TB, dir, name string, content []byte) (string, os.FileInfo) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, stat(t, p)
}

func stat(t testing.TB, p string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

func content(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7+i/251)
	}
	return b
}

// classified is the entry a classifier would have made for the photo.
func classified(e Entry, name string, conf float32, cats ...string) Entry {
	e.Predictions = []Prediction{{name + " class", conf * 0.8}, {"runner-up", 0.1}}
	e.Name, e.Confidence, e.Categories = name, conf, cats
	e.Class, e.ClassProbability = name+" class", conf*0.8
	return e
}

// store looks the photo up (a miss), stores a result for it and commits.
func store(t testing.TB, c *Catalog, path string, fi os.FileInfo, m Model, name string, conf float32, cats ...string) Entry {
	t.Helper()
	e, hit, err := c.Lookup(path, fi, m)
	if err != nil || hit {
		t.Fatalf("first lookup of %q: hit %v, err %v", path, hit, err)
	}
	e = classified(e, name, conf, cats...)
	c.Put(e)
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	return e
}

func mustHit(t *testing.T, c *Catalog, path string, m Model) Entry {
	t.Helper()
	e, hit, err := c.Lookup(path, stat(t, path), m)
	if err != nil || !hit || !e.Cached {
		t.Fatalf("lookup of %q: hit %v, cached %v, err %v; want a hit", path, hit, e.Cached, err)
	}
	return e
}

func mustMiss(t *testing.T, c *Catalog, path string, m Model) Entry {
	t.Helper()
	e, hit, err := c.Lookup(path, stat(t, path), m)
	if err != nil || hit {
		t.Fatalf("lookup of %q: hit %v (%q), err %v; want a miss", path, hit, e.Name, err)
	}
	return e
}

func TestMigrationsFromEmpty(t *testing.T) {
	c, path := openTemp(t)
	var version int
	var mode string
	var fk bool
	if err := c.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := c.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := c.db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if version != len(migrations) || mode != "wal" || !fk {
		t.Errorf("user_version %d, journal_mode %q, foreign_keys %v; want %d, wal, true", version, mode, fk, len(migrations))
	}
	for _, table := range []string{"models", "photos", "results", "reviews", "keywords", "texts", "text_search", "folders", "state", "index_lock"} {
		var n int
		if err := c.db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: %d, %v", table, n, err)
		}
	}
	if c.Path() != path || !c.Saving() {
		t.Errorf("Path %q Saving %v; want %q, true", c.Path(), c.Saving(), path)
	}
	fi := stat(t, filepath.Dir(path))
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("catalogue folder mode %v; want 0700", fi.Mode().Perm())
	}
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "catalog.db")
	c, err := Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	p, fi := photo(t, dir, "dog.jpg", content(1, 1000))
	want := store(t, c, p, fi, modelA, "dog", 0.9, "animal", "dog")
	c.Put(classified(Entry{Path: p, Size: fi.Size(), MTime: fi.ModTime(), Model: modelB}, "cat", 0.4))
	// Close, not Flush: Close must write what is pending.
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := mustHit(t, c, p, modelA)
	if got.Name != "dog" || got.Confidence != 0.9 || fmt.Sprint(got.Categories) != "[animal dog]" ||
		got.Class != "dog class" || got.ClassProbability != want.ClassProbability ||
		fmt.Sprint(got.Predictions) != fmt.Sprint(want.Predictions) || got.Fingerprint != want.Fingerprint ||
		got.Model != modelA || got.Path != p || got.Size != 1000 || !got.MTime.Equal(fi.ModTime()) || got.When.IsZero() {
		t.Errorf("after reopening: %+v\nwant %+v", got, want)
	}
	if got := mustHit(t, c, p, modelB); got.Name != "cat" {
		t.Errorf("model B's result after Close: %q", got.Name)
	}
}

func TestUnchangedPhotoIsAnsweredFromSizeAndTime(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	p, fi := photo(t, dir, "a.jpg", content(1, 300<<10))
	first := store(t, c, p, fi, modelA, "dog", 0.9, "animal", "dog")
	if first.Fingerprint.IsZero() {
		t.Fatal("the first lookup computed no fingerprint")
	}
	// Other content, same size and time: if Lookup read the file, it would
	// see another fingerprint and miss.
	if err := os.WriteFile(p, content(99, 300<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	got := mustHit(t, c, p, modelA)
	if got.Name != "dog" || got.Fingerprint != first.Fingerprint {
		t.Errorf("got %q fingerprint %v; want the stored dog, %v", got.Name, got.Fingerprint, first.Fingerprint)
	}
}

func TestChangedPhotoIsClassifiedAgain(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	p, fi := photo(t, dir, "a.jpg", content(1, 200<<10))
	first := store(t, c, p, fi, modelA, "dog", 0.9)
	store(t, c, p, fi, modelB, "wolf", 0.5)
	if err := os.WriteFile(p, content(2, 200<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	later := fi.ModTime().Add(time.Minute)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	e := mustMiss(t, c, p, modelA)
	if e.Fingerprint.IsZero() || e.Fingerprint == first.Fingerprint {
		t.Fatalf("miss carries fingerprint %v; want a new one", e.Fingerprint)
	}
	c.Put(classified(e, "cat", 0.7))
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := mustHit(t, c, p, modelA); got.Name != "cat" {
		t.Errorf("after storing the new result: %q", got.Name)
	}
	// Model B's result was for the old content.
	mustMiss(t, c, p, modelB)

	// Only the time changed: the fingerprint recognises the content.
	touched := later.Add(time.Minute)
	if err := os.Chtimes(p, touched, touched); err != nil {
		t.Fatal(err)
	}
	if got := mustHit(t, c, p, modelA); got.Name != "cat" || !got.MTime.Equal(touched) {
		t.Errorf("touched photo: %q at %v", got.Name, got.MTime)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	var mtime int64
	if err := c.db.QueryRow("SELECT mtime_ns FROM photos WHERE path = ?", []byte(p)).Scan(&mtime); err != nil || mtime != touched.UnixNano() {
		t.Errorf("stored mtime %d, %v; want %d", mtime, err, touched.UnixNano())
	}
}

func TestMovedPhotoIsRecognised(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	old, fi := photo(t, dir, "IMG_0001.jpg", content(5, 500<<10))
	store(t, c, old, fi, modelA, "kite", 0.6, "animal", "bird")
	if err := c.SetReview(old, "bird", Rejected); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "sorted"), 0o755); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(dir, "sorted", "eagle.jpg")
	if err := os.Rename(old, moved); err != nil {
		t.Fatal(err)
	}
	got := mustHit(t, c, moved, modelA)
	if got.Name != "kite" || got.Path != moved {
		t.Errorf("moved photo: %q at %q", got.Name, got.Path)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	page, err := c.Page(Filter{}, 0, 10)
	if err != nil || len(page) != 1 || page[0].Path != moved {
		t.Fatalf("after the move the catalogue holds %+v, %v; want only %q", page, err, moved)
	}
	if r, err := c.Reviews(moved); err != nil || r["bird"] != Rejected {
		t.Errorf("the review did not follow the photo: %v, %v", r, err)
	}

	// A copy keeps the original and gains a row of its own.
	copied := filepath.Join(dir, "copy.jpg")
	data, _ := os.ReadFile(moved)
	if err := os.WriteFile(copied, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := mustHit(t, c, copied, modelA); got.Name != "kite" {
		t.Errorf("copied photo: %q", got.Name)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Count(Filter{Model: modelA}); err != nil || n != 2 {
		t.Errorf("after the copy %d results, %v; want 2", n, err)
	}
	mustHit(t, c, moved, modelA)
}

func TestModelChange(t *testing.T) {
	c, _ := openTemp(t)
	p, fi := photo(t, t.TempDir(), "a.jpg", content(1, 10))
	store(t, c, p, fi, modelA, "dog", 0.9)
	e := mustMiss(t, c, p, modelB)
	c.Put(classified(e, "wolf", 0.8))
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := mustHit(t, c, p, modelA); got.Name != "dog" {
		t.Errorf("model A after model B: %q", got.Name)
	}
	if got := mustHit(t, c, p, modelB); got.Name != "wolf" {
		t.Errorf("model B: %q", got.Name)
	}
	for m, want := range map[Model]int{modelA: 1, modelB: 1, {}: 2} {
		if n, err := c.Count(Filter{Model: m}); err != nil || n != want {
			t.Errorf("Count(%v) = %d, %v; want %d", m, n, err, want)
		}
	}
}

func TestErrorsAreKept(t *testing.T) {
	c, _ := openTemp(t)
	p, fi := photo(t, t.TempDir(), "broken.jpg", []byte("not a photo"))
	e, _, _ := c.Lookup(p, fi, modelA)
	e.Error = "broken.jpg is not a photo."
	c.Put(e)
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	got := mustHit(t, c, p, modelA)
	if got.Error != e.Error || got.Name != "" || got.Predictions != nil {
		t.Errorf("stored error: %+v", got)
	}
	f, err := c.Facets(modelA, 0.5, time.Time{})
	if err != nil || f.Failed != 1 || f.NotSure != 0 || len(f.Categories) != 0 {
		t.Errorf("facets %+v, %v; want one failure", f, err)
	}
}

func TestOddPathsRoundTrip(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	names := []string{"bad\xff\xfeutf8.jpg", "new\nline.jpg", "per%cent?q=1#x.jpg", "ünïcödé 写真.jpg"}
	for i, n := range names {
		p, fi := photo(t, dir, n, content(byte(i), 100))
		store(t, c, p, fi, modelA, "dog", 0.9)
		if got := mustHit(t, c, p, modelA); got.Path != p {
			t.Errorf("path %q came back as %q", p, got.Path)
		}
	}
	page, err := c.Page(Filter{}, 0, 10)
	if err != nil || len(page) != len(names) {
		t.Fatalf("page: %d entries, %v", len(page), err)
	}
	seen := map[string]bool{}
	for _, e := range page {
		seen[e.Path] = true
	}
	for _, n := range names {
		if !seen[filepath.Join(dir, n)] {
			t.Errorf("%q is not in the page", n)
		}
	}
	if got, err := c.Search(Filter{Model: modelA, Text: "\xff\xfe"}, 10); err != nil || len(got) != 1 || got[0].Path != filepath.Join(dir, names[0]) {
		t.Errorf("search for the invalid bytes: %v, %v", got, err)
	}
	if err := c.Forget(filepath.Join(dir, names[0]), filepath.Join(dir, names[1])); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.Count(Filter{}); n != len(names)-2 {
		t.Errorf("after forgetting two of %d: %d", len(names), n)
	}
}

func TestDatabaseFileInAnOddPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "my ca%talog?\xff", "c#.db")
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if w := c.Warnings(); len(w) > 0 {
		t.Fatal(w)
	}
	c.Put(Entry{Path: "/x.jpg", Model: modelA, Name: "dog"})
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the catalogue is not where it was asked to be: %v", err)
	}
}

func TestForgetRemovesResultsAndReviews(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	a, fa := photo(t, dir, "a.jpg", content(1, 10))
	b, fb := photo(t, dir, "b.jpg", content(2, 10))
	store(t, c, a, fa, modelA, "dog", 0.9)
	store(t, c, a, fa, modelB, "dog", 0.9)
	store(t, c, b, fb, modelA, "cat", 0.9)
	if err := c.SetReview(a, "dog", Accepted); err != nil {
		t.Fatal(err)
	}
	if err := c.Forget(a, filepath.Join(dir, "never-seen.jpg")); err != nil {
		t.Fatal(err)
	}
	mustMiss(t, c, a, modelA)
	mustMiss(t, c, a, modelB)
	mustHit(t, c, b, modelA)
	var reviews int
	if err := c.db.QueryRow("SELECT count(*) FROM reviews").Scan(&reviews); err != nil || reviews != 0 {
		t.Errorf("%d reviews left, %v", reviews, err)
	}
}

func TestCheckMissing(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	var paths []string
	for i := range 5 {
		p, fi := photo(t, dir, fmt.Sprintf("%d.jpg", i), content(byte(i), 10))
		store(t, c, p, fi, modelA, "dog", 0.9)
		paths = append(paths, p)
	}
	os.Remove(paths[1])
	os.Remove(paths[3])
	n, err := c.CheckMissing(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("CheckMissing = %d, %v; want 2", n, err)
	}
	page, err := c.Page(Filter{}, 0, 10)
	if err != nil || len(page) != 5 {
		t.Fatalf("missing photos must stay: %d, %v", len(page), err)
	}
	for _, e := range page {
		want := e.Path == paths[1] || e.Path == paths[3]
		if e.Missing != want {
			t.Errorf("%s: missing %v, want %v", e.Path, e.Missing, want)
		}
	}
	// A photo that comes back (the disk is mounted again) is found again.
	if err := os.WriteFile(paths[1], content(1, 10), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := c.CheckMissing(context.Background()); err != nil || n != 1 {
		t.Errorf("after one came back: %d, %v; want 1", n, err)
	}
	if err := c.MarkMissing(paths[0]); err != nil {
		t.Fatal(err)
	}
	if page, _ := c.Page(Filter{Text: "0.jpg"}, 0, 1); len(page) != 1 || !page[0].Missing {
		t.Errorf("MarkMissing: %+v", page)
	}
	if got := mustHit(t, c, paths[0], modelA); got.Missing {
		t.Error("a photo looked up is there, not missing")
	}
}

func TestPagingNewestFirstAndFilter(t *testing.T) {
	c, _ := openTemp(t)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	kinds := []struct {
		name string
		cats []string
	}{{"dog", []string{"animal", "dog"}}, {"car", []string{"vehicle"}}, {"butterfly", []string{"animal", "butterfly"}}}
	for i := range 30 {
		k := kinds[i%3]
		e := classified(Entry{Path: fmt.Sprintf("/photos/%02d.jpg", i), Size: 1, MTime: base, Model: modelA}, k.name, float32(i)/30, k.cats...)
		e.When = base.Add(time.Duration(i) * time.Second)
		c.Put(e)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for off := 0; off < 30; off += 7 {
		page, err := c.Page(Filter{Model: modelA}, off, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			got = append(got, filepath.Base(e.Path))
		}
	}
	if len(got) != 30 || got[0] != "29.jpg" || got[29] != "00.jpg" {
		t.Fatalf("pages: %v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] >= got[i-1] {
			t.Fatalf("not newest first at %d: %v", i, got)
		}
	}
	cases := []struct {
		f    Filter
		want int
	}{
		{Filter{Text: "dog"}, 10},
		{Filter{Text: "ANIMAL"}, 20},                                              // categories, any case
		{Filter{Text: "utter"}, 10},                                               // part of a name
		{Filter{Text: "car class"}, 10},                                           // the class
		{Filter{Text: "07.jp"}, 1},                                                // the file name
		{Filter{Text: "photos"}, 0},                                               // folders are not file names
		{Filter{Text: "%"}, 0},                                                    // LIKE characters are literal
		{Filter{Category: "animal"}, 20},                                          // any level
		{Filter{Category: "butterfly"}, 10},                                       //
		{Filter{Category: "animal", Threshold: 0.5}, 10},                          // i ≥ 15
		{Filter{NotSure: true, Threshold: 0.5}, 15},                               // i < 15
		{Filter{Text: "dog", Category: "animal", Threshold: 0.5}, 5},              //
		{Filter{Model: modelB}, 0},                                                // a model never seen
		{Filter{Model: modelA, Text: "vehicle", NotSure: true, Threshold: 1}, 10}, //
	}
	for _, tc := range cases {
		n, err := c.Count(tc.f)
		page, perr := c.Page(tc.f, 0, 100)
		if err != nil || perr != nil || n != tc.want || len(page) != tc.want {
			t.Errorf("%+v: Count %d (%v), Page %d (%v); want %d", tc.f, n, err, len(page), perr, tc.want)
		}
	}
}

func TestFacets(t *testing.T) {
	c, _ := openTemp(t)
	add := func(i int, m Model, name string, conf float32, cats ...string) {
		c.Put(classified(Entry{Path: fmt.Sprintf("/p/%d.jpg", i), Model: m}, name, conf, cats...))
	}
	add(1, modelA, "dog", 0.9, "animal", "dog")
	add(2, modelA, "cat", 0.8, "animal", "cat")
	add(3, modelA, "car", 0.7, "vehicle")
	add(4, modelA, "dog", 0.3, "animal", "dog")
	add(5, modelA, "thing", 0.6)
	add(6, modelB, "car", 0.9, "vehicle")
	c.Put(Entry{Path: "/p/7.jpg", Model: modelA, Error: "cut off"})
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	f, err := c.Facets(modelA, 0.5, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := "{[{animal 2} { 1} {vehicle 1}] [] 1 1}"
	if fmt.Sprint(f) != want {
		t.Errorf("facets %v; want %v", f, want)
	}
	if f, err := c.Facets(Model{Name: "unknown"}, 0.5, time.Time{}); err != nil || len(f.Categories) != 0 {
		t.Errorf("facets of an unknown model: %v, %v", f, err)
	}
	// The window counts what was stored before it opened; its own rows
	// it counts itself.
	opened := time.Now()
	add(8, modelA, "cat", 0.9, "animal", "cat")
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if f, err := c.Facets(modelA, 0.5, opened); err != nil || fmt.Sprint(f) != want {
		t.Errorf("facets before the window opened: %v, %v; want %v", f, err, want)
	}
	if f, _ := c.Facets(modelA, 0.5, time.Time{}); f.Categories[0] != (Facet{"animal", 3}) {
		t.Errorf("facets of everything: %v; want animal 3 first", f)
	}
}

func TestSearchBestFirst(t *testing.T) {
	c, _ := openTemp(t)
	confs := []float32{0.3, 0.9, 0.5, 0.7}
	for i, conf := range confs {
		c.Put(classified(Entry{Path: fmt.Sprintf("/p/%d.jpg", i), Model: modelA}, "butterfly", conf, "animal", "butterfly"))
	}
	c.Put(classified(Entry{Path: "/p/dog.jpg", Model: modelA}, "dog", 0.99, "animal", "dog"))
	c.Put(classified(Entry{Path: "/p/b.jpg", Model: modelB}, "butterfly", 0.95, "animal", "butterfly"))
	c.Put(Entry{Path: "/p/butterfly-broken.jpg", Model: modelA, Error: "cut off"})
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := c.Search(Filter{Model: modelA, Text: "Butterfly"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, e := range got {
		s = append(s, fmt.Sprintf("%s %.1f", filepath.Base(e.Path), e.Confidence))
	}
	if want := "[1.jpg 0.9 3.jpg 0.7 2.jpg 0.5]"; fmt.Sprint(s) != want {
		t.Errorf("search: %v; want %v", s, want)
	}
	if got, _ := c.Search(Filter{Text: "butterfly"}, 10); len(got) != 5 || got[0].Model != modelB {
		t.Errorf("search of every model: %d results, first %+v", len(got), got)
	}
}

func TestReviews(t *testing.T) {
	c, _ := openTemp(t)
	p, fi := photo(t, t.TempDir(), "a.jpg", content(1, 10))
	if err := c.SetReview(p, "dog", Accepted); err == nil || !strings.Contains(err.Error(), "classify it") {
		t.Errorf("review of a photo not in the catalogue: %v", err)
	}
	store(t, c, p, fi, modelA, "dog", 0.9, "animal", "dog")
	for _, r := range []struct {
		k string
		s ReviewState
	}{{"dog", Accepted}, {"animal", Rejected}, {"dog", Written}} {
		if err := c.SetReview(p, r.k, r.s); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.SetReview(p, "cat", "maybe"); err == nil {
		t.Error("an unknown review state was accepted")
	}
	got, err := c.Reviews(p)
	if err != nil || fmt.Sprint(got) != "map[animal:rejected dog:written]" {
		t.Errorf("reviews %v, %v", got, err)
	}
	// A new classification of the same photo keeps the person's decisions.
	c.Put(classified(Entry{Path: p, Size: fi.Size(), MTime: fi.ModTime(), Model: modelB}, "dog", 0.9))
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Reviews(p); got["animal"] != Rejected {
		t.Errorf("after another model's result: %v", got)
	}
}

func TestModelFor(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.onnx")
	if err := os.WriteFile(p, []byte("weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := ModelFor("mobilenet", p)
	if err != nil || m.Name != "mobilenet" || m.SHA256 != sha256Hex("weights") {
		t.Fatalf("ModelFor = %+v, %v", m, err)
	}
	// Other weights of another size are another model.
	if err := os.WriteFile(p, []byte("retrained weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	m2, err := ModelFor("mobilenet", p)
	if err != nil || m2 == m || m2.SHA256 != sha256Hex("retrained weights") {
		t.Errorf("after retraining: %+v, %v", m2, err)
	}
	if _, err := ModelFor("x", filepath.Join(dir, "none.onnx")); err == nil {
		t.Error("a missing model file gave no error")
	}
}

func TestFingerprint(t *testing.T) {
	dir := t.TempDir()
	big := content(1, 1<<20)
	p1, _ := photo(t, dir, "1", big)
	f1, err := FingerprintFile(p1)
	if err != nil {
		t.Fatal(err)
	}
	changed := func(name string, edit func([]byte) []byte) {
		b := edit(bytes.Clone(big))
		p, _ := photo(t, dir, name, b)
		f, err := FingerprintFile(p)
		if err != nil || f == f1 {
			t.Errorf("%s: fingerprint unchanged (%v)", name, err)
		}
	}
	changed("head", func(b []byte) []byte { b[10]++; return b })
	changed("tail", func(b []byte) []byte { b[len(b)-10]++; return b })
	changed("longer", func(b []byte) []byte { return append(b, 0) })
	small := content(3, 1000)
	ps, _ := photo(t, dir, "s", small)
	fs1, _ := FingerprintFile(ps)
	small[500]++
	ps2, _ := photo(t, dir, "s2", small)
	if fs2, _ := FingerprintFile(ps2); fs2 == fs1 {
		t.Error("a small file is hashed whole: its middle counts")
	}
	if f1.String() == "" || len(f1.String()) != 64 {
		t.Errorf("String: %q", f1.String())
	}
}

func TestClosedCatalogue(t *testing.T) {
	c, _ := openTemp(t)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	c.Put(Entry{Path: "/x", Model: modelA}) // must not panic or block
	if err := c.Forget("/x"); err == nil {
		t.Error("Forget after Close gave no error")
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestLookupSeesPutsNotYetCommitted(t *testing.T) {
	c, path := openTemp(t)
	p, fi := photo(t, t.TempDir(), "a.jpg", content(1, 10))
	// Another process holds the write lock, so the writer cannot commit.
	other, err := sql.Open("sqlite3", dsn(path, connParams))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec("INSERT INTO models(name, sha256) VALUES('other', 'x')"); err != nil {
		t.Fatal(err)
	}
	e, _, _ := c.Lookup(p, fi, modelA)
	c.Put(classified(e, "dog", 0.9))
	if got := mustHit(t, c, p, modelA); got.Name != "dog" {
		t.Errorf("pending result: %q", got.Name)
	}
	var onDisk int
	if err := c.db.QueryRow("SELECT count(*) FROM results").Scan(&onDisk); err != nil || onDisk != 0 {
		t.Fatalf("%d results on disk (%v) while another process held the lock", onDisk, err)
	}
	lock.Rollback()
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := c.db.QueryRow("SELECT count(*) FROM results").Scan(&onDisk); err != nil || onDisk != 1 {
		t.Errorf("%d results after Flush, %v", onDisk, err)
	}
}
