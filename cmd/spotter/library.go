package main

import (
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/ui"
)

// modelRef is the model set whose answers the window shows and keeps:
// known from the descriptors before the models load, and again whenever
// the settings load another.
type modelRef struct{ p atomic.Pointer[modelSet] }

// modelSet is the catalogue's key for the models that run together, and
// whether their answers are fused (detectors ran beside the classifier):
// those are listed by keyword, the classifier's alone by category.
type modelSet struct {
	key   catalog.Model
	fused bool
}

// use makes the set of descs (the classifier first, as
// inference.Classifier.Models lists them) and the text models (as its
// TextModels lists them) the current one: an answer with text read is
// another answer than one without, so photos classified before reading
// was on are classified again, and read. A model file that cannot be read
// leaves the window listing every model's answers and keeping none.
func (r *modelRef) use(descs []*model.Descriptor, textModels []string) {
	var members []catalog.Model
	add := func(name, path string) bool {
		m, err := catalog.ModelFor(name, path)
		if err != nil {
			slog.Warn("cannot tell the model apart in the catalogue", "model", path, "err", err)
			r.p.Store(nil)
			return false
		}
		members = append(members, m)
		return true
	}
	for _, d := range descs {
		if !add(d.Name, d.ModelPath()) {
			return
		}
	}
	for _, f := range textModels {
		if !add("tesseract "+strings.TrimSuffix(filepath.Base(f), ".traineddata"), f) {
			return
		}
	}
	r.p.Store(&modelSet{key: catalog.ModelSet(members...), fused: len(descs) > 1})
}

func (r *modelRef) get() (catalog.Model, bool) {
	if s := r.p.Load(); s != nil {
		return s.key, true
	}
	return catalog.Model{}, false
}

// fused reports whether the current set's answers are fused.
func (r *modelRef) fused() bool {
	s := r.p.Load()
	return s != nil && s.fused
}

// withCompanions lists the models inference.Open runs for the classifier
// desc: it and the detectors beside it. The window keys its answers by them
// before the engine opens, the same key the engine's Models give later.
func withCompanions(desc *model.Descriptor) []*model.Descriptor {
	out := []*model.Descriptor{desc}
	objects, faces := model.Companions(desc)
	for _, d := range []*model.Descriptor{objects, faces} {
		if d != nil {
			out = append(out, d)
		}
	}
	return out
}

// library is the catalogue as the window consumes it: the photos it lists
// for the current model, and the person's verdicts on keywords.
type library struct {
	cat   *catalog.Catalog
	model *modelRef
}

// filter is the window's query in the catalogue's terms. The window's
// categories are the facets: the keywords of a model set's fused answers,
// the classifier's categories when it runs alone.
func (l library) filter(q ui.Query) catalog.Filter {
	m, _ := l.model.get()
	f := catalog.Filter{Model: m, Text: q.Text, Before: q.Before, Threshold: q.Threshold}
	switch {
	case q.Category == names.NotSure:
		f.NotSure = true
	case l.model.fused():
		f.Keyword = q.Category
	default:
		f.Category = q.Category
	}
	return f
}

// Facets counts the current model set's photos by keyword ("person 41 ·
// dog 12 …") for fused answers and by category for the classifier's alone,
// with those Spotter is not sure of.
func (l library) Facets(q ui.Query) (map[string]int, error) {
	out := map[string]int{}
	m, ok := l.model.get()
	if !ok {
		return out, nil
	}
	f, err := l.cat.Facets(m, q.Threshold, q.Before)
	for _, c := range f.Categories {
		if c.Name != "" {
			out[c.Name] = c.Count
		}
	}
	for _, k := range f.Keywords {
		out[k.Name] = k.Count
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
