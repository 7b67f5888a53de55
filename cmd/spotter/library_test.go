package main

import (
	"fmt"
	"maps"
	"path/filepath"
	"testing"

	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/ui"
)

// The window's categories are the model set's keywords, a photo of a
// person and a dog counted under both; with the classifier alone they are
// its broadest categories, as before.
func TestLibraryFacetsFollowTheModelSet(t *testing.T) {
	cat, err := catalog.Open(filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	set := catalog.Model{Name: "mobilenet + yolox", SHA256: "set"}
	alone := catalog.Model{Name: "mobilenet", SHA256: "alone"}
	kw := func(words ...string) []catalog.Keyword {
		var out []catalog.Keyword
		for _, w := range words {
			out = append(out, catalog.Keyword{Word: w, Path: "x|" + w})
		}
		return out
	}
	for i, words := range [][]string{{"person", "dog"}, {"dog"}, nil} {
		cat.Put(catalog.Entry{Path: fmt.Sprintf("/p/%d.jpg", i), Model: set, Fused: true, Keywords: kw(words...),
			Name: "llama", Confidence: 0.9, Categories: []string{"animal"}})
	}
	cat.Put(catalog.Entry{Path: "/p/a.jpg", Model: alone, Name: "dog", Confidence: 0.9, Categories: []string{"animal"}})
	cat.Put(catalog.Entry{Path: "/p/b.jpg", Model: alone, Name: "car", Confidence: 0.2, Categories: []string{"vehicle"}})
	if err := cat.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ref    modelSet
		facets map[string]int
		counts map[string]int
	}{
		{modelSet{key: set, fused: true}, map[string]int{"dog": 2, "person": 1, names.NotSure: 1}, map[string]int{"dog": 2, "person": 1, "animal": 0, names.NotSure: 1}},
		{modelSet{key: alone}, map[string]int{"animal": 1, names.NotSure: 1}, map[string]int{"animal": 1, "dog": 0, names.NotSure: 1}},
	} {
		var ref modelRef
		ref.p.Store(&tc.ref)
		lib := library{cat: cat, model: &ref}
		q := ui.Query{Threshold: 0.5}
		if got, err := lib.Facets(q); err != nil || !maps.Equal(got, tc.facets) {
			t.Errorf("%s: facets %v, %v; want %v", tc.ref.key.Name, got, err, tc.facets)
		}
		for facet, want := range tc.counts {
			q.Category = facet
			if n, err := lib.Count(q); err != nil || n != want {
				t.Errorf("%s, %q: %d photos, %v; want %d", tc.ref.key.Name, facet, n, err, want)
			}
		}
	}
}
