package keywords

import (
	"slices"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/names"
)

func TestSuggestAndFor(t *testing.T) {
	cat := names.Answer{Name: "cat", Confidence: 0.9, Categories: []string{"animal"}, Class: "Egyptian cat", ClassProbability: 0.6}
	if got := Suggest(cat, true); !slices.Equal(got, []string{"cat", "animal"}) {
		t.Errorf("Suggest = %q", got)
	}
	if got := Suggest(cat, false); got != nil {
		t.Errorf("not sure, yet Suggest = %q", got)
	}
	date := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	k, ok := For(cat, nil, "mobilenet", date)
	if !ok || !slices.Equal(k.Subjects, []string{"animal", "cat"}) || !slices.Equal(k.Hierarchies, []string{"animal|cat"}) ||
		k.Class != "Egyptian cat" || k.Probability != 0.6 || k.Model != "mobilenet" || !k.Date.Equal(date) {
		t.Errorf("For = %+v, %v", k, ok)
	}
	k, ok = For(cat, map[string]bool{"animal": true}, "m", date)
	if !ok || !slices.Equal(k.Subjects, []string{"cat"}) || !slices.Equal(k.Hierarchies, []string{"cat"}) {
		t.Errorf("with animal rejected: %+v", k)
	}
	if _, ok := For(cat, map[string]bool{"animal": true, "cat": true}, "m", date); ok {
		t.Error("every keyword rejected, yet For has some")
	}
	// A name that is its own category ("person" under person) is written once.
	p := names.Answer{Name: "person", Categories: []string{"person"}}
	if k, _ := For(p, nil, "m", date); !slices.Equal(k.Subjects, []string{"person"}) {
		t.Errorf("a repeated word: %q", k.Subjects)
	}
}
