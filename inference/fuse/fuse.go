// Package fuse turns what the models saw in one photo — the classifier's
// whole-photo classes, the detector's objects and the face detector's
// faces — into one answer: the objects worth showing, the number of
// people, and the keywords Spotter is sure of, with a title. Every
// precision rule lives here, its values in rules.go, tested without ONNX
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
	// Sums are the classifier's probabilities summed by everyday name;
	// nil for a classifier without a name table.
	Sums map[string]float32
	// Objects are the detector's boxes, best first, Labels its labels and
	// Names their everyday names.
	Objects []detect.Object
	Labels  []string
	Names   *names.Table
	Faces   []detect.Face
	// Size is the upright photo's size in pixels.
	Size image.Point
}

// Fuse fills res's objects, faces, people, keywords and title from what the
// models saw. res.Everyday (the classifier's own answer) is read, not
// changed.
func Fuse(s Seen, res *prediction.Result) {
	res.Fused = true
	res.Size = [2]int{s.Size.X, s.Size.Y}
	objs := s.one(suppressAcross(s.Objects))
	res.Objects = nil
	for _, o := range objs {
		if o.Score < rules.show {
			continue
		}
		c := s.Names.Class(o.Class)
		res.Objects = append(res.Objects, prediction.Object{
			Name: c.Name, Label: s.Labels[o.Class], Score: o.Score, Box: prediction.Box(o.Box), Path: c.Path(),
		})
	}
	res.Faces = nil
	for _, f := range s.Faces {
		res.Faces = append(res.Faces, prediction.Face{Score: f.Score, Box: prediction.Box(f.Box), Landmarks: f.Landmarks})
	}
	persons := s.persons(objs)
	// A face is a person too: people standing close hide each other's
	// bodies from the detector, not their faces.
	res.People = max(len(persons), s.sureFaces())

	var kws []prediction.Keyword
	add := func(k prediction.Keyword) {
		if k.Word == "" || rules.never[k.Word] || slices.ContainsFunc(kws, func(h prediction.Keyword) bool { return h.Word == k.Word }) {
			return
		}
		kws = append(kws, k)
	}
	for _, k := range s.peopleWords(persons) {
		add(k)
	}
	objWords, vetoed := s.objectWords(objs, res.Everyday, len(persons) > 0)
	for _, k := range objWords {
		add(k)
	}
	if k, ok := s.renamed(vetoed, objWords, res.Everyday); ok {
		add(k)
	}
	for _, k := range s.placeWords(objs, len(persons) > 0) {
		add(k)
	}
	for _, k := range s.classifierWords(res.Everyday, objs, len(persons) > 0) {
		add(k)
	}
	if k, ok := s.broader(objs, kws); ok {
		add(k)
	}
	res.Keywords = kws
	res.Title = Title(res.People, kws)
}

// suppressAcross drops a box of one class that nearly coincides with a
// better box of another: one thing is not both.
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

// one resolves boxes of kinds the detector confuses (car, truck and bus;
// horse and cow) that cover the same thing: the better one stays only when
// clearly better, else neither, since a wrong name is worse than none.
func (s Seen) one(objs []detect.Object) []detect.Object {
	drop := make([]bool, len(objs))
	for i, a := range objs {
		for j := i + 1; j < len(objs); j++ {
			b := objs[j]
			ga, gb := rules.confusable[s.Labels[a.Class]], rules.confusable[s.Labels[b.Class]]
			if a.Class == b.Class || ga == "" || ga != gb || detect.IoU(a.Box, b.Box) < rules.sameThing {
				continue
			}
			drop[j] = true // b is worse: objs are best first
			if a.Score-b.Score < rules.clearlyBetter {
				drop[i] = true
			}
		}
	}
	var out []detect.Object
	for i, o := range objs {
		if !drop[i] {
			out = append(out, o)
		}
	}
	return out
}

// overlap is the share of the smaller box that the two boxes share.
func overlap(a, b detect.Box) float32 {
	ix := min(a[2], b[2]) - max(a[0], b[0])
	iy := min(a[3], b[3]) - max(a[1], b[1])
	small := min(a.Area(), b.Area())
	if ix <= 0 || iy <= 0 || small <= 0 {
		return 0
	}
	return ix * iy / small
}

// persons are the person boxes counted as people: sure enough, and not
// mostly inside a better person box (a reflection, or one person found
// twice).
func (s Seen) persons(objs []detect.Object) []detect.Object {
	var out []detect.Object
next:
	for _, o := range objs {
		if s.Labels[o.Class] != "person" || o.Score < rules.countPerson {
			continue
		}
		for _, p := range out {
			if overlap(p.Box, o.Box) > rules.samePerson {
				continue next
			}
		}
		out = append(out, o)
	}
	return out
}

// peopleWords: "person" for one, "people" for two or more, "group" from
// rules.group people, "portrait" when one person's face fills the frame.
func (s Seen) peopleWords(persons []detect.Object) []prediction.Keyword {
	if len(persons) == 0 || persons[0].Score < rules.surePerson {
		return nil
	}
	best := persons[0].Score
	kw := func(w string, c float32, src string) prediction.Keyword {
		path := "people|" + w
		if w == "people" {
			path = w // the category itself, not "people|people"
		}
		return prediction.Keyword{Word: w, Path: path, Source: src, Confidence: c}
	}
	var out []prediction.Keyword
	if max(len(persons), s.sureFaces()) == 1 {
		out = append(out, kw("person", best, "objects"))
	} else {
		out = append(out, kw("people", best, "objects"))
	}
	if max(len(persons), s.sureFaces()) >= rules.group {
		out = append(out, kw("group", best, "objects"))
	}
	if len(persons) == 1 && len(s.Faces) == 1 {
		f := s.Faces[0]
		area := float32(s.Size.X) * float32(s.Size.Y)
		if f.Score >= rules.portraitFace && area > 0 && f.Box.Area()/area >= rules.portraitArea {
			out = append(out, kw("portrait", f.Score, "faces"))
		}
	}
	return out
}

// sureFaces counts the faces sure enough to count as people.
func (s Seen) sureFaces() int {
	n := 0
	for _, f := range s.Faces {
		if f.Score >= rules.countFace {
			n++
		}
	}
	return n
}

// objectWords names each kind of object Spotter is sure of, once, the
// most confident first. The classifier vetoes a kind it knows when it is
// sure of another of the same kind of thing and gives this one almost no
// belief (a penguin the detector calls a sheep).
func (s Seen) objectWords(objs []detect.Object, a names.Answer, people bool) (out []prediction.Keyword, vetoed []string) {
	for _, o := range objs {
		label := s.Labels[o.Class]
		need, ok := rules.objectSure[label]
		if !ok {
			need = rules.objectSureDefault
		}
		if label == "person" || o.Score < need {
			continue
		}
		c := s.Names.Class(o.Class)
		if slices.ContainsFunc(out, func(k prediction.Keyword) bool { return k.Word == c.Name }) {
			continue
		}
		if s.vetoed(c, a, people) {
			vetoed = append(vetoed, label)
			continue
		}
		out = append(out, prediction.Keyword{Word: c.Name, Path: c.Path(), Source: "objects", Confidence: o.Score})
	}
	return out, vetoed
}

// renamed is the classifier's name for a thing whose detector label it
// vetoed, when that name is of the label's confusable group (a bear the
// detector called a teddy bear) and the detector named nothing else of the
// group: the classifier then says which of the group it is.
func (s Seen) renamed(vetoed []string, kept []prediction.Keyword, a names.Answer) (prediction.Keyword, bool) {
	own := a.Name
	for coco, imagenet := range rules.classifierName {
		if imagenet == own {
			own = coco
		}
	}
	group := rules.confusable[own]
	if group == "" || !slices.ContainsFunc(vetoed, func(l string) bool { return rules.confusable[l] == group }) {
		return prediction.Keyword{}, false
	}
	for _, k := range kept {
		if rules.confusable[k.Word] == group {
			return prediction.Keyword{}, false
		}
	}
	return prediction.Keyword{Word: a.Name, Path: strings.Join(append(slices.Clone(a.Categories), a.Name), "|"), Source: "classifier", Confidence: a.Confidence}, true
}

// broader is the category of things the detector saw surely but could not
// name surely ("vehicle" for old cars it took for trucks): the less
// specific word is still true.
func (s Seen) broader(objs []detect.Object, kws []prediction.Keyword) (prediction.Keyword, bool) {
	for _, o := range objs {
		c := s.Names.Class(o.Class)
		if o.Score < rules.objectSureDefault || len(c.Categories) == 0 || !rules.broader[c.Categories[0]] {
			continue
		}
		root := c.Categories[0]
		if slices.ContainsFunc(kws, func(k prediction.Keyword) bool { return strings.HasPrefix(k.Path, root+"|") }) {
			return prediction.Keyword{}, false
		}
		return prediction.Keyword{Word: root, Path: root, Source: "objects", Confidence: o.Score}, true
	}
	return prediction.Keyword{}, false
}

// placeWords say where the photo was taken from what is in it: "indoor"
// where the detector sees things that live indoors (a bed, a sofa, a
// television), "street" where people and cars meet or street furniture
// stands (a traffic light, a stop sign).
func (s Seen) placeWords(objs []detect.Object, people bool) []prediction.Keyword {
	var out []prediction.Keyword
	place := func(w string, score float32) {
		if !slices.ContainsFunc(out, func(k prediction.Keyword) bool { return k.Word == w }) {
			out = append(out, prediction.Keyword{Word: w, Path: "place|" + w, Source: "objects", Confidence: score})
		}
	}
	for _, o := range objs {
		if o.Score < rules.objectSureDefault {
			continue
		}
		switch label := s.Labels[o.Class]; {
		case rules.indoor[label]:
			place("indoor", o.Score)
		case rules.street[label] == "furniture", rules.street[label] == "traffic" && people:
			place("street", o.Score)
		}
	}
	return out
}

// vetoed reports whether the classifier contradicts the detector's c. It
// cannot where people are in the photo and the classifier's answer is of a
// kind it gets wrong then (a rider's horse is "llama").
func (s Seen) vetoed(c names.Class, a names.Answer, people bool) bool {
	if s.Sums == nil || a.Name == "" || a.Confidence < rules.vetoSure {
		return false
	}
	if people && len(a.Categories) > 0 && rules.hiddenByPeople[a.Categories[0]] {
		return false
	}
	own := c.Name
	if n, ok := rules.classifierName[own]; ok {
		own = n
	}
	if a.Name == own {
		return false
	}
	if _, known := s.Sums[own]; !known {
		return false // the classifier has no such class: it cannot say
	}
	related := len(a.Categories) > 0 && len(c.Categories) > 0 && (a.Categories[0] == c.Categories[0] || rules.vetoAcross[c.Categories[0]] == a.Categories[0])
	return related && s.Sums[own] < rules.vetoMass
}

// classifierWords are the classifier's words where it is sure and nothing
// the detector saw contradicts it: scenes and subjects the detector has no
// label for (mountain, beach, pizza, jellyfish, palace), or a finer name
// for a thing the detector boxed (the detector's truck the classifier
// knows as a convertible car).
func (s Seen) classifierWords(a names.Answer, objs []detect.Object, people bool) []prediction.Keyword {
	if a.Name == "" || rules.textClass[a.Class] {
		return nil
	}
	root := ""
	if len(a.Categories) > 0 {
		root = a.Categories[0]
	}
	if scene, ok := rules.scene[a.Class]; ok || root == "landscape" {
		if a.Confidence < rules.classifierSure["landscape"] {
			return nil
		}
		out := []prediction.Keyword{{Word: "landscape", Path: "landscape", Source: "classifier", Confidence: a.Confidence}}
		if scene != "" {
			out = append(out, prediction.Keyword{Word: scene, Path: "landscape|" + scene, Source: "classifier", Confidence: a.Confidence})
		}
		return out
	}
	need, ok := rules.classifierSure[root]
	if !ok || a.Confidence < need {
		return nil
	}
	if people && rules.hiddenByPeople[root] {
		return nil
	}
	if rules.detectorSees[root] && !slices.ContainsFunc(objs, func(o detect.Object) bool {
		c := s.Names.Class(o.Class)
		return o.Score >= rules.confirm && len(c.Categories) > 0 && c.Categories[0] == root
	}) {
		return nil // the detector knows such things and saw none
	}
	path := strings.Join(append(slices.Clone(a.Categories), a.Name), "|")
	return []prediction.Keyword{{Word: a.Name, Path: path, Source: "classifier", Confidence: a.Confidence}}
}

// TextMass is how much of the classifier's belief (probs, one per class of
// t) is in classes that mean a photo of text: the gate of text recognition.
func TextMass(t *names.Table, probs []float32) float32 {
	var sum float32
	for i, p := range probs {
		if rules.textClass[t.Class(i).Label] {
			sum += p
		}
	}
	return sum
}

// Title names a photo from its keywords: the people first ("3 people"),
// then up to three other keywords.
func Title(people int, kws []prediction.Keyword) string {
	var parts []string
	for _, k := range kws {
		if len(parts) == 4 {
			break
		}
		switch k.Word {
		case "people":
			parts = append(parts, fmt.Sprintf("%d people", people))
		case "group", "portrait", "landscape":
		default:
			parts = append(parts, k.Word)
		}
	}
	if len(parts) == 0 && len(kws) > 0 {
		parts = append(parts, kws[0].Word)
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
