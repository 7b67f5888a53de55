package main

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/library/catalog"
)

// memory is the catalogue seen by the stream, for one model: a photo it
// knows unchanged is answered from it, every other photo's outcome is kept
// in it.
type memory struct {
	cat   *catalog.Catalog
	model *modelRef
	// fresh classifies every photo again (--fresh, "Classify again") and
	// keeps the new answers.
	fresh bool
	// top is how many predictions the caller shows; a kept answer with
	// fewer is classified again.
	top int
	// misses holds, per job, what Lookup learned of the file (its
	// fingerprint above all), so Keep does not read the file again.
	misses sync.Map // job ID → catalog.Entry
}

func newMemory(cat *catalog.Catalog, model *modelRef, fresh bool, top int) *memory {
	return &memory{cat: cat, model: model, fresh: fresh, top: top}
}

// Recall answers from the catalogue. A photo that failed before is tried
// again: the file may have been completed, or Spotter learned its format.
func (m *memory) Recall(_ context.Context, job pipeline.Job) (prediction.Result, bool) {
	model, ok := m.model.get()
	if !ok {
		return prediction.Result{}, false
	}
	fi, err := os.Stat(job.Path)
	if err != nil || !fi.Mode().IsRegular() {
		return prediction.Result{}, false
	}
	e, hit, err := m.cat.Lookup(job.Path, fi, model)
	if err != nil {
		slog.Warn("the catalogue cannot answer", "path", job.Path, "err", err)
	}
	if hit && e.Error == "" && !m.fresh && !job.Fresh && len(e.Predictions) >= m.top {
		return resultOf(e), true
	}
	m.misses.Store(job.ID, catalog.Entry{Path: e.Path, Size: e.Size, MTime: e.MTime, Fingerprint: e.Fingerprint, Model: model})
	return prediction.Result{}, false
}

// Keep stores a finished photo's answer or error; the catalogue's writer
// commits it off this goroutine.
func (m *memory) Keep(d pipeline.Done) {
	v, ok := m.misses.LoadAndDelete(d.ID)
	if !ok {
		return // not a file Recall could see: nothing to keep it under
	}
	e := v.(catalog.Entry)
	e.When = time.Now()
	if d.Err != nil {
		e.Error = d.Err.Error()
	} else {
		fillEntry(&e, d.Result)
	}
	m.cat.Put(e)
}

func fillEntry(e *catalog.Entry, res prediction.Result) {
	e.Predictions = convert(res.Predictions, func(p prediction.Prediction) catalog.Prediction {
		return catalog.Prediction{Label: p.Label, Probability: p.Probability}
	})
	a := res.Everyday
	e.Name, e.Confidence, e.Categories = a.Name, a.Confidence, a.Categories
	e.Class, e.ClassProbability = a.Class, a.ClassProbability
	e.Fused, e.Title, e.People = res.Fused, res.Title, res.People
	e.Width, e.Height = res.Size[0], res.Size[1]
	e.Keywords = convert(res.Keywords, func(k prediction.Keyword) catalog.Keyword {
		return catalog.Keyword{Word: k.Word, Path: k.Path, Source: k.Source, Confidence: k.Confidence}
	})
	e.Objects = convert(res.Objects, func(o prediction.Object) catalog.Object {
		return catalog.Object{Name: o.Name, Label: o.Label, Score: o.Score, Box: catalog.Box(o.Box), Path: o.Path}
	})
	e.Faces = convert(res.Faces, func(f prediction.Face) catalog.Face {
		return catalog.Face{Score: f.Score, Box: catalog.Box(f.Box), Landmarks: f.Landmarks}
	})
	e.Lines = convert(res.Lines, func(l prediction.Line) catalog.Line {
		return catalog.Line{Text: l.Text, Confidence: l.Confidence, Box: catalog.Box(l.Box)}
	})
}

// resultOf turns a stored entry back into the answer the stream gives.
func resultOf(e catalog.Entry) prediction.Result {
	return prediction.Result{
		Predictions: convert(e.Predictions, func(p catalog.Prediction) prediction.Prediction {
			return prediction.Prediction{Label: p.Label, Probability: p.Probability}
		}),
		Everyday: names.Answer{Name: e.Name, Confidence: e.Confidence, Categories: e.Categories,
			Class: e.Class, ClassProbability: e.ClassProbability},
		Fused: e.Fused, Title: e.Title, People: e.People, Size: [2]int{e.Width, e.Height},
		Keywords: convert(e.Keywords, func(k catalog.Keyword) prediction.Keyword {
			return prediction.Keyword{Word: k.Word, Path: k.Path, Source: k.Source, Confidence: k.Confidence}
		}),
		Objects: convert(e.Objects, func(o catalog.Object) prediction.Object {
			return prediction.Object{Name: o.Name, Label: o.Label, Score: o.Score, Box: prediction.Box(o.Box), Path: o.Path}
		}),
		Faces: convert(e.Faces, func(f catalog.Face) prediction.Face {
			return prediction.Face{Score: f.Score, Box: prediction.Box(f.Box), Landmarks: f.Landmarks}
		}),
		Lines: convert(e.Lines, func(l catalog.Line) prediction.Line {
			return prediction.Line{Text: l.Text, Confidence: l.Confidence, Box: prediction.Box(l.Box)}
		}),
	}
}

// convert maps a list between the engine's types and the catalogue's,
// keeping an empty one nil so that an answer read back equals the one
// stored.
func convert[From, To any](in []From, f func(From) To) []To {
	if len(in) == 0 {
		return nil
	}
	out := make([]To, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
