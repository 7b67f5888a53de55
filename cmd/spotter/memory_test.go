package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/library/catalog"
)

// A model set's answer kept in the catalogue is recalled whole: the
// classifier's classes and everyday answer, and every fused field.
func TestMemoryRecallsTheWholeAnswer(t *testing.T) {
	cat, err := catalog.Open(filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	var ref modelRef
	ref.p.Store(&modelSet{key: catalog.Model{Name: "mobilenet + yolox + yunet", SHA256: "set"}, fused: true})
	mem := newMemory(cat, &ref, false, 2)

	answers := map[string]prediction.Result{
		"person.jpg": {
			Predictions: []prediction.Prediction{{Label: "llama", Probability: 0.8}, {Label: "ram, tup", Probability: 0.04}},
			Everyday:    names.Answer{Name: "llama", Confidence: 0.8, Categories: []string{"animal"}, Class: "llama", ClassProbability: 0.8},
			Objects: []prediction.Object{
				{Name: "person", Label: "person", Score: 0.88, Box: prediction.Box{188.66, 97.9, 276.91, 374.54}, Path: "people|person"},
				{Name: "sofa", Label: "couch", Score: 0.61, Box: prediction.Box{0, 264.2, 201, 350.87}, Path: "furniture|sofa"},
			},
			Faces: []prediction.Face{{Score: 0.91, Box: prediction.Box{200, 100, 240, 150},
				Landmarks: [5][2]float32{{210, 120}, {230, 120}, {220, 130}, {212, 140}, {228, 140}}}},
			Size:   [2]int{640, 427},
			People: 1,
			Keywords: []prediction.Keyword{
				{Word: "person", Path: "people|person", Source: "objects", Confidence: 0.88},
				{Word: "portrait", Path: "people|portrait", Source: "faces", Confidence: 0.91},
				{Word: "sofa", Path: "furniture|sofa", Source: "objects", Confidence: 0.61},
			},
			Title: "person, portrait, sofa",
			Fused: true,
		},
		// The text recognised, line by line with its boxes.
		"receipt.jpg": {
			Predictions: []prediction.Prediction{{Label: "envelope", Probability: 0.3}, {Label: "menu", Probability: 0.2}},
			Everyday:    names.Answer{Name: "envelope", Confidence: 0.3, Class: "envelope", ClassProbability: 0.3},
			Size:        [2]int{1200, 1600},
			Keywords: []prediction.Keyword{
				{Word: "text", Path: "text", Source: "text", Confidence: 0.9},
				{Word: "receipt", Path: "text|receipt", Source: "text", Confidence: 0.8},
			},
			Title: "receipt",
			Fused: true,
			Lines: []prediction.Line{
				{Text: "Café Müller", Confidence: 0.93, Box: prediction.Box{100, 80, 700, 140}},
				{Text: "TOTAL 9.50 EUR", Confidence: 0.88, Box: prediction.Box{100, 1300, 900, 1360.5}},
			},
		},
		// Sure of nothing is an answer too, and stays one.
		"card.jpg": {
			Predictions: []prediction.Prediction{{Label: "matchstick", Probability: 0.05}, {Label: "theater curtain", Probability: 0.04}},
			Everyday:    names.Answer{Name: "thing", Confidence: 0.05, Class: "matchstick", ClassProbability: 0.05},
			Size:        [2]int{1600, 1200},
			Fused:       true,
		},
	}
	dir := t.TempDir()
	id := uint64(0)
	for name, want := range answers {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		id++
		job := pipeline.Job{ID: id, Path: p}
		if _, ok := mem.Recall(context.Background(), job); ok {
			t.Fatalf("%s recalled before it was kept", name)
		}
		want.Timing = prediction.Timing{Inference: time.Millisecond}
		mem.Keep(pipeline.Done{Job: job, Result: want})
		if err := cat.Flush(); err != nil {
			t.Fatal(err)
		}
		got, ok := mem.Recall(context.Background(), pipeline.Job{ID: id + 100, Path: p})
		want.Timing = prediction.Timing{} // an answer from the catalogue took no time
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s recalled as\n%+v\nwant\n%+v", name, got, want)
		}
	}
}

// The window keys its answers by the model set before the engine opens;
// the engine's own models must give the same key, or the window would list
// nothing it classified.
func TestWindowKeysAsTheEngine(t *testing.T) {
	inferencetest.Library(t)
	path := inferencetest.Descriptor(t)
	desc, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var before, after modelRef
	before.use(withCompanions(desc), (&engineFlags{}).textModels())
	clf, err := inference.Open(inference.Options{Descriptor: path})
	if err != nil {
		t.Fatal(err)
	}
	defer clf.Close()
	after.use(clf.Models(), clf.TextModels())
	k1, ok1 := before.get()
	k2, ok2 := after.get()
	if !ok1 || !ok2 || k1 != k2 || !strings.HasSuffix(k1.Name, " + tesseract eng") || strings.Count(k1.Name, " + ") != 3 || !before.fused() {
		t.Errorf("before the engine opens: %+v (fused %v); the engine's: %+v", k1, before.fused(), k2)
	}
	// Reading off is another answer, under another key.
	var off modelRef
	off.use(clf.Models(), (&engineFlags{noText: true}).textModels())
	if k3, _ := off.get(); k3 == k1 || strings.Contains(k3.Name, "tesseract") {
		t.Errorf("without reading: %+v, with: %+v", k3, k1)
	}
}
