package fuse

import (
	"image"
	"slices"
	"testing"

	"github.com/spotter-app/spotter/inference/detect"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/prediction"
)

// coco is YOLOX's label order, as names.COCO reads it.
func coco() []string {
	t := names.COCO()
	out := make([]string, t.Len())
	for i := range out {
		out[i] = t.Class(i).Label
	}
	return out
}

func class(labels []string, l string) int { return slices.Index(labels, l) }

func seen(objs ...detect.Object) Seen {
	return Seen{Objects: objs, Labels: coco(), Names: names.COCO(), Size: image.Pt(1000, 800)}
}

func obj(l string, score float32, x1, y1, x2, y2 float32) detect.Object {
	return detect.Object{Class: class(coco(), l), Score: score, Box: detect.Box{x1, y1, x2, y2}}
}

// person.jpg's case: the classifier's "llama" does not survive a detector
// that sees a person, a dog and a horse.
func TestPersonDogHorseNotLlama(t *testing.T) {
	s := seen(obj("person", 0.88, 180, 100, 280, 380), obj("dog", 0.87, 60, 260, 200, 350), obj("horse", 0.87, 400, 130, 600, 370))
	s.Sums = map[string]float32{"llama": 0.8, "horse": 0.05, "dog": 0.05}
	res := prediction.Result{Everyday: names.Answer{Name: "llama", Confidence: 0.8, Categories: []string{"animal"}, Class: "llama"}}
	Fuse(s, &res)
	if got := res.Words(); !slices.Equal(got, []string{"person", "dog", "horse"}) {
		t.Errorf("keywords = %q", got)
	}
	if res.Title != "person, dog, horse" || res.People != 1 || len(res.Objects) != 3 || !res.Sure(0.99) {
		t.Errorf("title %q, people %d, objects %d", res.Title, res.People, len(res.Objects))
	}
}

// horses.jpg's case: one animal the detector calls horse 0.58 and cow 0.52
// is neither; the other horses still say horse.
func TestConfusableOnOneThing(t *testing.T) {
	s := seen(obj("horse", 0.82, 0, 0, 100, 100), obj("horse", 0.65, 200, 0, 300, 100), obj("horse", 0.58, 400, 0, 500, 100), obj("cow", 0.52, 405, 5, 500, 100))
	var res prediction.Result
	Fuse(s, &res)
	if got := res.Words(); !slices.Equal(got, []string{"horse"}) {
		t.Errorf("keywords = %q, want horse alone", got)
	}
	for _, o := range res.Objects {
		if o.Label == "cow" {
			t.Error("the cow on the horse's box is shown")
		}
	}
}

// The classifier vetoes a word it knows when sure of another of the same
// kind, and names the thing itself when the detector left it unnamed.
func TestClassifierVetoAndRename(t *testing.T) {
	s := seen(obj("teddy bear", 0.7, 0, 0, 500, 400))
	s.Sums = map[string]float32{"bear": 0.43, "teddy": 0.001}
	res := prediction.Result{Everyday: names.Answer{Name: "bear", Confidence: 0.43, Categories: []string{"animal"}, Class: "brown bear"}}
	Fuse(s, &res)
	if got := res.Words(); !slices.Equal(got, []string{"bear"}) {
		t.Errorf("keywords = %q, want bear", got)
	}
	// Not sure enough to veto: the detector's word stands.
	s.Sums = map[string]float32{"bear": 0.3, "teddy": 0.001}
	res = prediction.Result{Everyday: names.Answer{Name: "bear", Confidence: 0.3, Categories: []string{"animal"}, Class: "brown bear"}}
	Fuse(s, &res)
	if got := res.Words(); !slices.Equal(got, []string{"teddy bear"}) {
		t.Errorf("keywords = %q, want teddy bear", got)
	}
}

func TestPeopleWords(t *testing.T) {
	for _, c := range []struct {
		name  string
		objs  []detect.Object
		faces []detect.Face
		want  []string
		title string
		count int
	}{
		{"nobody", nil, nil, nil, "", 0},
		{"a portrait", []detect.Object{obj("person", 0.9, 100, 50, 900, 800)}, []detect.Face{{Score: 0.93, Box: detect.Box{300, 100, 600, 450}}},
			[]string{"person", "portrait"}, "person", 1},
		{"a small face is no portrait", []detect.Object{obj("person", 0.9, 100, 50, 300, 800)}, []detect.Face{{Score: 0.93, Box: detect.Box{150, 60, 180, 90}}},
			[]string{"person"}, "person", 1},
		{"three people are a group", []detect.Object{obj("person", 0.9, 0, 0, 100, 300), obj("person", 0.8, 200, 0, 300, 300), obj("person", 0.3, 400, 0, 500, 300)}, nil,
			[]string{"people", "group"}, "3 people", 3},
		{"a reflection inside a person is not another", []detect.Object{obj("person", 0.9, 0, 0, 400, 800), obj("person", 0.5, 50, 50, 300, 600)}, nil,
			[]string{"person"}, "person", 1},
		{"faces count where bodies hide each other", []detect.Object{obj("person", 0.9, 0, 0, 400, 800), obj("person", 0.8, 500, 0, 900, 800)},
			[]detect.Face{{Score: 0.95, Box: detect.Box{10, 10, 50, 50}}, {Score: 0.94, Box: detect.Box{100, 10, 140, 50}}, {Score: 0.93, Box: detect.Box{510, 10, 550, 50}},
				{Score: 0.7, Box: detect.Box{600, 10, 640, 50}}},
			[]string{"people", "group"}, "3 people", 3},
		{"too faint to say", []detect.Object{obj("person", 0.4, 0, 0, 100, 300)}, nil, nil, "", 1},
	} {
		s := seen(c.objs...)
		s.Faces = c.faces
		var res prediction.Result
		Fuse(s, &res)
		if got := res.Words(); !slices.Equal(got, c.want) || res.Title != c.title || res.People != c.count {
			t.Errorf("%s: keywords %q, title %q, people %d; want %q, %q, %d", c.name, got, res.Title, res.People, c.want, c.title, c.count)
		}
	}
}

// Scenes come from the classifier when sure, with the word people use;
// text classes and generic words never become keywords.
func TestClassifierWords(t *testing.T) {
	for _, c := range []struct {
		a    names.Answer
		want []string
	}{
		{names.Answer{Name: "alp", Confidence: 0.8, Categories: []string{"landscape"}, Class: "alp"}, []string{"landscape", "mountain"}},
		{names.Answer{Name: "alp", Confidence: 0.4, Categories: []string{"landscape"}, Class: "alp"}, nil},
		{names.Answer{Name: "pizza", Confidence: 0.94, Categories: []string{"food and drink"}, Class: "pizza"}, []string{"pizza"}},
		{names.Answer{Name: "menu", Confidence: 0.99, Categories: []string{"food and drink"}, Class: "menu"}, nil},
		{names.Answer{Name: "hat", Confidence: 0.99, Categories: []string{"clothing"}, Class: "cowboy hat"}, nil},
		// The detector knows vehicles and saw none: no car from the classifier.
		{names.Answer{Name: "car", Confidence: 0.9, Categories: []string{"vehicle"}, Class: "cab"}, nil},
	} {
		res := prediction.Result{Everyday: c.a}
		Fuse(seen(), &res)
		if got := res.Words(); !slices.Equal(got, c.want) {
			t.Errorf("%s %.2f: keywords %q, want %q", c.a.Class, c.a.Confidence, got, c.want)
		}
		if len(c.want) == 0 && res.Sure(0) {
			t.Errorf("%s: sure with no keywords", c.a.Class)
		}
	}
}

func TestPlaces(t *testing.T) {
	var res prediction.Result
	Fuse(seen(obj("person", 0.8, 0, 0, 100, 300), obj("car", 0.7, 200, 200, 400, 300)), &res)
	if !slices.Contains(res.Words(), "street") {
		t.Errorf("people and a car: %q, want street", res.Words())
	}
	Fuse(seen(obj("car", 0.7, 200, 200, 400, 300)), &res)
	if slices.Contains(res.Words(), "street") {
		t.Errorf("a car alone (a highway, a car park): %q", res.Words())
	}
	Fuse(seen(obj("bed", 0.9, 0, 0, 500, 500)), &res)
	if !slices.Equal(res.Words(), []string{"bed", "indoor"}) {
		t.Errorf("a bed: %q", res.Words())
	}
}

// Old cars the detector takes for trucks below truck's own threshold are
// still vehicles; a named car leaves no room for the broader word.
func TestBroader(t *testing.T) {
	var res prediction.Result
	Fuse(seen(obj("truck", 0.78, 0, 0, 300, 200), obj("truck", 0.75, 400, 0, 700, 200)), &res)
	if !slices.Equal(res.Words(), []string{"vehicle"}) {
		t.Errorf("uncertain trucks: %q, want vehicle", res.Words())
	}
	Fuse(seen(obj("truck", 0.78, 0, 0, 300, 200), obj("car", 0.7, 400, 0, 700, 200)), &res)
	if !slices.Equal(res.Words(), []string{"car"}) {
		t.Errorf("a car beside: %q, want car alone", res.Words())
	}
}
