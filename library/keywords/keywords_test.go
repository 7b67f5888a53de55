package keywords

import (
	"slices"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/library/sidecar"
)

func TestClassifierAlone(t *testing.T) {
	cat := prediction.Result{Everyday: names.Answer{Name: "cat", Confidence: 0.9, Categories: []string{"animal"}, Class: "Egyptian cat", ClassProbability: 0.6}}
	if got := Suggest(cat, 0.5); !slices.Equal(got, []string{"cat"}) {
		t.Errorf("Suggest = %q", got)
	}
	if got := Suggest(cat, 0.95); got != nil {
		t.Errorf("not sure, yet Suggest = %q", got)
	}
	date := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	k, ok := For(cat, 0.5, nil, "mobilenet", date)
	if !ok || !slices.Equal(k.Subjects, []string{"cat"}) || !slices.Equal(k.Hierarchies, []string{"animal|cat"}) ||
		k.Class != "Egyptian cat" || k.Probability != 0.6 || k.Model != "mobilenet" || !k.Date.Equal(date) {
		t.Errorf("For = %+v, %v", k, ok)
	}
	if _, ok := For(cat, 0.5, map[string]bool{"cat": true}, "m", date); ok {
		t.Error("every keyword rejected, yet For has some")
	}
}

func TestFused(t *testing.T) {
	r := prediction.Result{Fused: true, Keywords: []prediction.Keyword{
		{Word: "person", Path: "people|person"}, {Word: "dog", Path: "animal|dog"}, {Word: "horse", Path: "animal|horse"},
	}, Everyday: names.Answer{Name: "llama", Confidence: 0.8, Class: "llama", ClassProbability: 0.8}}
	if got := Suggest(r, 0.5); !slices.Equal(got, []string{"person", "dog", "horse"}) {
		t.Errorf("Suggest = %q", got)
	}
	k, ok := For(r, 0.99, map[string]bool{"dog": true}, "set", time.Now())
	if !ok || !slices.Equal(k.Subjects, []string{"person", "horse"}) || !slices.Equal(k.Hierarchies, []string{"people|person", "animal|horse"}) {
		t.Errorf("For = %+v, %v", k, ok)
	}
	// A fused answer with no keywords is not sure, whatever the classifier says.
	r.Keywords = nil
	if got := Suggest(r, 0.1); got != nil {
		t.Errorf("no keywords, yet Suggest = %q", got)
	}
}

// Faces go to the sidecar as shares of the photo's size, centre first, a
// box past the photo's edge cut at it.
func TestFacesAsRegions(t *testing.T) {
	r := prediction.Result{Fused: true, Size: [2]int{400, 200},
		Keywords: []prediction.Keyword{{Word: "person", Path: "people|person"}},
		Faces: []prediction.Face{
			{Score: 0.9, Box: prediction.Box{100, 50, 200, 150}},
			{Score: 0.8, Box: prediction.Box{-20, 150, 40, 220}},
		}}
	k, ok := For(r, 0.5, nil, "set", time.Now())
	want := []sidecar.Region{{X: 0.375, Y: 0.5, W: 0.25, H: 0.5}, {X: 0.05, Y: 0.875, W: 0.1, H: 0.25}}
	if !ok || !slices.Equal(k.Faces, want) || k.Dimensions != [2]int{400, 200} {
		t.Errorf("For = %+v, %v; want faces %+v", k, ok, want)
	}
	r.Size = [2]int{}
	if k, _ := For(r, 0.5, nil, "set", time.Now()); k.Faces != nil {
		t.Errorf("faces of a photo of unknown size: %+v", k.Faces)
	}
}
