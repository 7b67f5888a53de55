// Package fuse turns what the models saw in one photo — the classifier's
// whole-photo classes, the detector's objects and the face detector's
// faces — into one answer: the objects worth showing, the number of
// people, and the keywords Spotter is sure of, with a title. Every
// precision rule lives here, as data in rules.go, tested without ONNX
// Runtime.
package fuse

import (
	"fmt"
	"image"
	"slices"
	"strings"

	"github.com/spotter-app/spotter/inference/detect"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/prediction"
)

// Seen is what the models gave for one photo.
type Seen struct {
	// Objects are the detector's boxes, Labels its labels and Names their
	// everyday names; nil without a detector.
	Objects []detect.Object
	Labels  []string
	Names   *names.Table
	// Detected is set when an object detector ran, so that no person
	// found means none seen rather than none looked for.
	Detected bool
	Faces    []detect.Face
	// Size is the upright photo's size in pixels.
	Size image.Point
}

// Fuse fills res's objects, faces, people, keywords and title from what the
// models saw. res.Everyday (the classifier's own answer) is read, not
// changed.
func Fuse(s Seen, res *prediction.Result) {
	res.Fused = true
	res.Size = [2]int{s.Size.X, s.Size.Y}
	objs := suppressAcross(s.Objects)
	res.Objects = res.Objects[:0]
	for _, o := range objs {
		if o.Score < rules.show {
			continue
		}
		c := s.Names.Class(o.Class)
		res.Objects = append(res.Objects, prediction.Object{
			Name: c.Name, Label: s.Labels[o.Class], Score: o.Score, Box: prediction.Box(o.Box), Path: c.Path(),
		})
	}
	res.Faces = res.Faces[:0]
	for _, f := range s.Faces {
		res.Faces = append(res.Faces, prediction.Face{Score: f.Score, Box: prediction.Box(f.Box), Landmarks: f.Landmarks})
	}
	res.People = countPeople(objs, s.Labels)

	var kws []prediction.Keyword
	add := func(k prediction.Keyword) {
		if k.Word == "" || rules.never[k.Word] {
			return
		}
		for _, have := range kws {
			if have.Word == k.Word {
				return
			}
		}
		kws = append(kws, k)
	}
	for _, k := range peopleWords(res.People, objs, s) {
		add(k)
	}
	for _, k := range objectWords(objs, s) {
		add(k)
	}
	if k, ok := classifierWord(res.Everyday, res.Predictions, objs, s); ok {
		add(k)
	}
	res.Keywords = kws
	res.Title = title(res.People, kws)
}

// suppressAcross drops a box of one class that nearly coincides with a
// better box of another (one animal is not "horse" and "cow"), and boxes
// of the same everyday kind the detector split between two labels.
func suppressAcross(objs []detect.Object) []detect.Object {
	var kept []detect.Object
next:
	for _, o := range objs { // best first
		for _, k := range kept {
			if k.Class != o.Class && detect.IoU(k.Box, o.Box) > rules.acrossIoU {
				continue next
			}
		}
		kept = append(kept, o)
	}
	return kept
}

// countPeople counts the person boxes sure enough to be counted.
func countPeople(objs []detect.Object, labels []string) int {
	n := 0
	for _, o := range objs {
		if labels[o.Class] == "person" && o.Score >= rules.countPerson {
			n++
		}
	}
	return n
}

// peopleWords: "person" for one, "people" for two or more, "group" from
// rules.group people, "portrait" when one face fills the frame.
func peopleWords(people int, objs []detect.Object, s Seen) []prediction.Keyword {
	best := float32(0)
	for _, o := range objs {
		if s.Labels[o.Class] == "person" {
			best = max(best, o.Score)
		}
	}
	if people == 0 || best < rules.surePerson {
		return nil
	}
	kw := func(w string, c float32, src string) prediction.Keyword {
		return prediction.Keyword{Word: w, Path: "people|" + w, Source: src, Confidence: c}
	}
	var out []prediction.Keyword
	switch {
	case people == 1:
		out = append(out, kw("person", best, "objects"))
	default:
		out = append(out, kw("people", best, "objects"))
	}
	if people >= rules.group {
		out = append(out, kw("group", best, "objects"))
	}
	if people <= 2 && len(s.Faces) >= 1 && len(s.Faces) <= 2 {
		f := s.Faces[0]
		area := float32(s.Size.X * s.Size.Y)
		if area > 0 && f.Score >= rules.portraitFace && f.Box.Area()/area >= rules.portraitArea {
			out = append(out, kw("portrait", f.Score, "faces"))
		}
	}
	return out
}

// objectWords names each kind of object Spotter is sure of, once, the
// most confident first.
func objectWords(objs []detect.Object, s Seen) []prediction.Keyword {
	var out []prediction.Keyword
	for _, o := range objs {
		label := s.Labels[o.Class]
		if label == "person" {
			continue
		}
		need, ok := rules.objectSure[label]
		if !ok {
			need = rules.objectSureDefault
		}
		if o.Score < need {
			continue
		}
		c := s.Names.Class(o.Class)
		if slices.ContainsFunc(out, func(k prediction.Keyword) bool { return k.Word == c.Name }) {
			continue
		}
		out = append(out, prediction.Keyword{Word: c.Name, Path: c.Path(), Source: "objects", Confidence: o.Score})
	}
	return out
}

// classifierWord is the classifier's everyday answer as a keyword when it
// is sure and nothing the detector saw contradicts it.
func classifierWord(a names.Answer, preds []prediction.Prediction, objs []detect.Object, s Seen) (prediction.Keyword, bool) {
	if a.Name == "" {
		return prediction.Keyword{}, false
	}
	word, path := a.Name, strings.Join(append(slices.Clone(a.Categories), a.Name), "|")
	if scene, ok := rules.scene[a.Class]; ok {
		word, path = scene, "landscape|"+scene
	}
	root := ""
	if len(a.Categories) > 0 {
		root = a.Categories[0]
	}
	need, ok := rules.classifierSure[root]
	if !ok {
		return prediction.Keyword{}, false // a category whose words the classifier gets wrong too often
	}
	if a.Confidence < need {
		return prediction.Keyword{}, false
	}
	if s.Detected && rules.detectorSees[root] {
		// The detector knows this kind of thing: the classifier's word
		// stands only where the detector found it too.
		if !slices.ContainsFunc(objs, func(o detect.Object) bool {
			return o.Score >= rules.confirm && s.Names.Class(o.Class).Name == a.Name
		}) {
			return prediction.Keyword{}, false
		}
	}
	if s.Detected && rules.hiddenByPeople[root] && slices.ContainsFunc(objs, func(o detect.Object) bool {
		return s.Labels[o.Class] == "person" && o.Score >= rules.surePerson
	}) {
		return prediction.Keyword{}, false
	}
	return prediction.Keyword{Word: word, Path: path, Source: "classifier", Confidence: a.Confidence}, true
}

// title names the photo: the people first ("3 people"), then up to three
// other keywords.
func title(people int, kws []prediction.Keyword) string {
	var parts []string
	for _, k := range kws {
		switch k.Word {
		case "person":
			parts = append(parts, "person")
		case "people":
			parts = append(parts, fmt.Sprintf("%d people", people))
		case "group", "portrait":
			continue
		default:
			parts = append(parts, k.Word)
		}
		if len(parts) == 4 {
			break
		}
	}
	return strings.Join(parts, ", ")
}

// WantsFaces reports whether the face detector can matter for a photo: it
// only tells a portrait, so it runs where the detector saw a person.
func WantsFaces(objs []detect.Object, labels []string) bool {
	return slices.ContainsFunc(objs, func(o detect.Object) bool {
		return labels[o.Class] == "person" && o.Score >= rules.countPerson
	})
}
