package main

import (
	"log/slog"
	"maps"
	"slices"
	"sync/atomic"

	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/ui"
)

// modelRef is the model whose answers the window shows and keeps: known
// from the descriptor before the model loads, and again whenever the
// settings load another.
type modelRef struct{ p atomic.Pointer[catalog.Model] }

// use makes desc's model the current one. A model file that cannot be read
// leaves the window listing every model's answers and keeping none.
func (r *modelRef) use(desc *model.Descriptor) {
	m, err := catalog.ModelFor(desc.Name, desc.ModelPath())
	if err != nil {
		slog.Warn("cannot tell the model apart in the catalogue", "model", desc.ModelPath(), "err", err)
		r.p.Store(nil)
		return
	}
	r.p.Store(&m)
}

func (r *modelRef) get() (catalog.Model, bool) {
	if m := r.p.Load(); m != nil {
		return *m, true
	}
	return catalog.Model{}, false
}

// library is the catalogue as the window consumes it: the photos it lists
// for the current model, and the person's verdicts on keywords.
type library struct {
	cat   *catalog.Catalog
	model *modelRef
}

func (l library) filter(q ui.Query) catalog.Filter {
	m, _ := l.model.get()
	f := catalog.Filter{Model: m, Text: q.Text, Before: q.Before, Threshold: q.Threshold}
	if q.Category == names.NotSure {
		f.NotSure = true
	} else {
		f.Category = q.Category
	}
	return f
}

func (l library) Facets(q ui.Query) (map[string]int, error) {
	out := map[string]int{}
	m, ok := l.model.get()
	if !ok {
		return out, nil
	}
	f, err := l.cat.Facets(m, q.Threshold, q.Before)
	for _, c := range f.Categories {
		if c.Category != "" {
			out[c.Category] = c.Count
		}
	}
	if f.NotSure > 0 {
		out[names.NotSure] = f.NotSure
	}
	return out, err
}

func (l library) Count(q ui.Query) (int, error) { return l.cat.Count(l.filter(q)) }

func (l library) Page(q ui.Query, offset, n int) ([]ui.Entry, error) {
	entries, err := l.cat.Page(l.filter(q), offset, n)
	out := make([]ui.Entry, len(entries))
	for i, e := range entries {
		out[i] = ui.Entry{Path: e.Path, Result: resultOf(e), Err: e.Error, When: e.When, Missing: e.Missing}
	}
	return out, err
}

func (l library) Forget(paths ...string) error { return l.cat.Forget(paths...) }

func (l library) Rejected(photo string) ([]string, error) {
	rejected, err := rejectedIn(l.cat, photo)
	return slices.Collect(maps.Keys(rejected)), err
}

// rejectedIn are the keywords the person turned down for the photo at
// path: never suggested or written again.
func rejectedIn(cat *catalog.Catalog, path string) (map[string]bool, error) {
	reviews, err := cat.Reviews(path)
	out := map[string]bool{}
	for k, s := range reviews {
		if s == catalog.Rejected {
			out[k] = true
		}
	}
	return out, err
}

func (l library) Review(photo, keyword string, accepted bool) error {
	state := catalog.Rejected
	if accepted {
		state = catalog.Accepted
	}
	return l.cat.SetReview(photo, keyword, state)
}
