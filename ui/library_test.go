package ui

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
)

// memLibrary is a catalogue in memory, newest first. The real one is
// reached through an adapter in cmd/spotter, which this package cannot
// import; this one also records how it was asked.
type memLibrary struct {
	mu      sync.Mutex
	entries []Entry
	pages   []int // n of every Page call
	queries []Query
}

func (m *memLibrary) keep(q Query) []Entry {
	var out []Entry
	for _, e := range m.entries {
		a := answerOf(e.Result)
		text := strings.ToLower(strings.Join(append([]string{a.Name, a.Class, filepath.Base(e.Path)}, a.Categories...), " "))
		if (q.Before.IsZero() || e.When.Before(q.Before)) && strings.Contains(text, strings.ToLower(q.Text)) &&
			(q.Category == "" || slices.Contains(facetsOfEntry(e, q.Threshold), q.Category)) {
			out = append(out, e)
		}
	}
	return out
}

func (m *memLibrary) Count(q Query) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.queries = append(m.queries, q)
	return len(m.keep(q)), nil
}

func (m *memLibrary) Page(q Query, offset, n int) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pages = append(m.pages, n)
	kept := m.keep(q)
	return slices.Clone(kept[min(offset, len(kept)):min(offset+n, len(kept))]), nil
}

func (m *memLibrary) Forget(paths ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = slices.DeleteFunc(m.entries, func(e Entry) bool { return slices.Contains(paths, e.Path) })
	return nil
}

// Facets counts as the window counts its rows (facetsOf): by keyword, by
// broadest category of the classifier's sure name, or "not sure".
func (m *memLibrary) Facets(q Query) (map[string]int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for _, e := range m.keep(Query{Before: q.Before}) {
		for _, f := range facetsOfEntry(e, q.Threshold) {
			out[f]++
		}
	}
	return out, nil
}

func facetsOfEntry(e Entry, threshold float32) []string {
	if e.Err != "" {
		return nil
	}
	return facetsOf(e.Result, threshold)
}

func (m *memLibrary) asked() (pages []int, queries []Query) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.pages), slices.Clone(m.queries)
}

// library makes n entries, newest first, each a class of the ImageNet
// table in turn; the photos exist except every tenth, which is missing.
func library(t *testing.T, n int) *memLibrary {
	dir, paths := copies(t, "dog.jpg")
	table := names.ImageNet()
	m := &memLibrary{}
	now := time.Now()
	for i := range n {
		c := table.Class(i % table.Len())
		path := paths[0]
		if i%10 == 9 {
			path = filepath.Join(dir, fmt.Sprintf("gone-%d.jpg", i))
		}
		res := prediction.Result{Predictions: []prediction.Prediction{{Label: c.Label, Probability: 0.9}},
			Everyday: names.Answer{Name: c.Name, Confidence: 0.9, Categories: c.Categories, Class: c.Label, ClassProbability: 0.9}}
		m.entries = append(m.entries, Entry{Path: path, Result: res, When: now.Add(-time.Duration(i+1) * time.Minute)})
	}
	return m
}

// The window opens with what the catalogue knows, read a page at a time
// as the list shows it; this session's photos come first; missing photos
// say so; the filter reaches the catalogue; Forget removes a photo from it.
func TestOpensWithTheLibrary(t *testing.T) {
	lib := library(t, 450)
	h := startWith(t, realOpener(t, &counting{}), Options{Library: lib})
	h.until("the catalogue is counted", func() bool { return h.w.table.lib.count == 450 })
	if h.w.zone.Visible() || !h.w.main.Visible() {
		t.Fatal("a window with a catalogue shows the drop zone instead of the photos")
	}
	if got := h.w.status.text.Text; got != "450 photos classified before." {
		t.Errorf("status %q", got)
	}
	h.until("the first page is read for the rows on screen", func() bool { r, _ := h.w.table.at(0); return r != nil })
	if len(h.w.table.lib.pages) != 1 {
		t.Errorf("%d pages read at start, want only the one on screen", len(h.w.table.lib.pages))
	}
	first, _ := h.w.table.at(0)
	if first.path != lib.entries[0].Path || first.state != done || first.answer().Name != lib.entries[0].Result.Everyday.Name {
		t.Errorf("first row %s %q, want the newest entry", first.name, first.answer().Name)
	}
	h.until("the rows on screen get thumbnails", func() bool { return first.thumb != nil })
	if it := h.item(first.id); it == nil || it.thumb.Image == nil {
		t.Error("the first row's thumbnail is not shown")
	}
	h.w.selectRow(first.id)
	if want := lib.entries[0].When.Local().Format("2 January 2006, 15:04"); !strings.HasSuffix(h.w.viewer.caption.Text, want) {
		t.Errorf("the detail panel says %q, not when the photo was classified (%s)", h.w.viewer.caption.Text, want)
	}
	gone, _ := h.w.table.at(9)
	if !gone.missing {
		t.Error("a photo that no longer exists is not marked missing")
	}
	h.w.browser.scrollTo(9)
	if it := h.item(gone.id); it == nil || !strings.HasSuffix(it.detail.Text, "missing") {
		t.Error("the list does not say the photo is missing")
	}

	h.w.browser.scrollTo(h.w.table.length() - 1)
	h.until("the last page is read", func() bool { r, _ := h.w.table.at(449); return r != nil })
	pages, queries := lib.asked()
	for _, n := range pages {
		if n > libPage {
			t.Errorf("a page of %d rows was asked for", n)
		}
	}
	if len(queries) == 0 || queries[0].Before.IsZero() || queries[0].Before.After(time.Now()) {
		t.Errorf("queries %+v: the library is not asked for what it held when the window opened", queries)
	}

	// This session's photos come first.
	h.win.drop(t, inferencetest.Photo(t, "eagle.jpg"))
	h.until("the eagle is classified", func() bool { return len(h.w.table.rows) == 1 && h.idle() })
	if r, _ := h.w.table.at(0); r == nil || r.name != "eagle.jpg" || h.w.table.length() != 451 {
		t.Errorf("after a drop the list starts with %v and holds %d rows", r, h.w.table.length())
	}
	if r, _ := h.w.table.at(1); r == nil || r.path != lib.entries[0].Path {
		t.Error("the library does not follow this session's photos")
	}

	// Export writes every row shown, the library's read as it goes.
	var out bytes.Buffer
	if n, err := h.w.exportTo(&out, ".csv"); err != nil || n != 451 {
		t.Fatalf("exported %d rows: %v", n, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 452 || !strings.HasPrefix(lines[1], inferencetest.Photo(t, "eagle.jpg")+",") ||
		!strings.HasPrefix(lines[451], lib.entries[449].Path+",") {
		t.Errorf("export: %d lines, the second %q, the last %q", len(lines), lines[1], lines[len(lines)-1])
	}

	// The filter reaches the catalogue.
	want := lib.keep(Query{Text: "tench"})
	h.w.search.SetText("tench")
	h.until("the filtered count", func() bool { return h.w.table.lib.count == len(want) })
	h.until("the filtered page", func() bool { r, _ := h.w.table.at(0); return r != nil })
	if r, _ := h.w.table.at(0); r.answer().Class != "tench" {
		t.Errorf("filtered by tench, the first row is %q", r.answer().Class)
	}
	h.w.search.SetText("")
	h.until("the count again", func() bool { return h.w.table.lib.count == 450 })

	// Forget the newest library photo.
	h.until("the first page again", func() bool { r, _ := h.w.table.at(1); return r != nil })
	target, _ := h.w.table.at(9 + 1) // a missing one: its path is its own
	h.w.selectRow(target.id)
	h.w.forgetSelected()
	h.until("the photo is forgotten", func() bool { return h.w.table.lib.count == 449 })
	if slices.ContainsFunc(lib.entries, func(e Entry) bool { return e.Path == target.path }) {
		t.Error("Forget left the photo in the catalogue")
	}
}

// A page read beyond the few kept drops the farthest, but never the
// selected row.
func TestLibraryPagesAreBounded(t *testing.T) {
	tb := newTable(names.DefaultThreshold)
	var id uint64
	ids := func() uint64 { id++; return id }
	entries := make([]Entry, libPage)
	for i := range entries {
		entries[i] = Entry{Path: fmt.Sprintf("/photos/%d.jpg", i)}
	}
	tb.lib.count = (libPages + 2) * libPage
	first := tb.addPage(0, entries, ids, 0)
	selected := first[5].id
	for p := 1; p <= libPages+1; p++ {
		tb.addPage(p, entries, ids, selected)
	}
	if len(tb.lib.pages) != libPages || tb.lib.pages[0] != nil {
		t.Errorf("%d pages kept, page 0 kept: %v", len(tb.lib.pages), tb.lib.pages[0] != nil)
	}
	if len(tb.byID) != libPages*libPage+1 || tb.byID[selected] == nil {
		t.Errorf("%d rows kept; the selected one: %v", len(tb.byID), tb.byID[selected] != nil)
	}
	if tb.index(selected) != -1 {
		t.Error("a row whose page was dropped still has a place in the list")
	}
}

// memMemory remembers results by path, as the catalogue does behind
// pipeline.Memory.
type memMemory struct {
	mu   sync.Mutex
	kept map[string]prediction.Result
}

func (m *memMemory) Recall(_ context.Context, j pipeline.Job) (prediction.Result, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	res, ok := m.kept[j.Path]
	return res, ok && !j.Fresh
}

func (m *memMemory) Keep(d pipeline.Done) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d.Err == nil {
		m.kept[d.Path] = d.Result
	}
}

// A photo the catalogue knows is answered from it, without the model, and
// says so; Classify again goes past the catalogue and stores the new answer.
func TestCachedAndClassifyAgain(t *testing.T) {
	dog := inferencetest.Photo(t, "dog.jpg")
	tench := names.ImageNet().Class(0)
	remembered := prediction.Result{Predictions: []prediction.Prediction{{Label: tench.Label, Probability: 0.8}},
		Everyday: names.Answer{Name: tench.Name, Confidence: 0.8, Categories: tench.Categories, Class: tench.Label, ClassProbability: 0.8}}
	mem := &memMemory{kept: map[string]prediction.Result{dog: remembered}}
	clf := &counting{}
	h := startWith(t, realOpener(t, clf), Options{Memory: mem})
	h.win.drop(t, dog)
	h.until("the answer", func() bool { return len(h.w.table.rows) == 1 && h.idle() })
	r := h.rowNamed("dog.jpg")
	if !r.cached || r.answer().Class != tench.Label || clf.calls.Load() != 0 {
		t.Fatalf("a remembered photo: cached %v, class %q, %d model runs", r.cached, r.answer().Class, clf.calls.Load())
	}
	if it := h.item(r.id); it == nil || !strings.Contains(it.detail.Text, "from the catalogue") {
		t.Error("the row does not say its answer came from the catalogue")
	}
	h.until("a thumbnail for the photo never decoded", func() bool { return r.thumb != nil })

	h.w.selectRow(r.id)
	h.w.classifyAgain()
	if r.state != waiting || !h.busy() {
		t.Fatalf("after Classify again: state %d, busy %v", r.state, h.busy())
	}
	h.until("the fresh answer", h.idle)
	if r.cached || r.state != done || r.answer().Class == tench.Label || clf.calls.Load() != 1 {
		t.Errorf("classified again: cached %v, class %q, %d model runs", r.cached, r.answer().Class, clf.calls.Load())
	}
	mem.mu.Lock()
	defer mem.mu.Unlock()
	if got := mem.kept[dog]; got.Top().Label != r.top().Label {
		t.Errorf("the catalogue keeps %q, the window shows %q", got.Top().Label, r.top().Label)
	}
}
