// Package keywords turns a photo's answer into the keywords Spotter
// suggests and writes, so the window's review and `spotter tag` agree on
// them word for word.
package keywords

import (
	"slices"
	"strings"
	"time"

	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/library/sidecar"
)

// entry is one suggested keyword: its word and its hierarchical path.
type entry struct{ word, path string }

// suggestions are the answer's keywords: for a fused answer (the model
// set), the words package fuse was sure of; for the classifier alone, its
// everyday name under its categories when it reaches threshold.
func suggestions(r prediction.Result, threshold float32) []entry {
	if !r.Sure(threshold) {
		return nil
	}
	if r.Fused {
		out := make([]entry, 0, len(r.Keywords))
		for _, k := range r.Keywords {
			out = append(out, entry{k.Word, k.Path})
		}
		return out
	}
	a := r.Everyday
	return []entry{{a.Name, strings.Join(append(slices.Clone(a.Categories), a.Name), "|")}}
}

// Suggest lists the keywords offered for a photo, the most telling first;
// none when Spotter is not sure.
func Suggest(r prediction.Result, threshold float32) []string {
	var out []string
	for _, e := range suggestions(r, threshold) {
		out = append(out, e.word)
	}
	return out
}

// For is what the sidecar gets for an answer, leaving out the rejected
// keywords: each kept word in dc:subject, and each kept word's path, root
// first, as a hierarchical keyword ("animal|dog", "people|person"), with
// the faces found as regions. It is false when no keyword is left.
func For(r prediction.Result, threshold float32, rejected map[string]bool, model string, date time.Time) (sidecar.Keywords, bool) {
	k := sidecar.Keywords{Model: model, Date: date}
	for _, e := range suggestions(r, threshold) {
		if e.word == "" || rejected[e.word] || slices.Contains(k.Subjects, e.word) {
			continue
		}
		k.Subjects = append(k.Subjects, e.word)
		k.Hierarchies = append(k.Hierarchies, e.path)
	}
	if len(k.Subjects) == 0 {
		return sidecar.Keywords{}, false
	}
	a := r.Everyday
	k.Class, k.Probability = a.Class, a.ClassProbability
	k.Faces, k.Dimensions = regions(r), r.Size
	return k, true
}

// regions are the answer's faces as shares of the photo's size, which MWG
// regions are written in; none when the size is unknown.
func regions(r prediction.Result) []sidecar.Region {
	w, h := float32(r.Size[0]), float32(r.Size[1])
	if w <= 0 || h <= 0 {
		return nil
	}
	var out []sidecar.Region
	for _, f := range r.Faces {
		x1, y1 := clamp(f.Box[0]/w), clamp(f.Box[1]/h)
		x2, y2 := clamp(f.Box[2]/w), clamp(f.Box[3]/h)
		if x2 > x1 && y2 > y1 {
			out = append(out, sidecar.Region{X: (x1 + x2) / 2, Y: (y1 + y2) / 2, W: x2 - x1, H: y2 - y1})
		}
	}
	return out
}

// clamp keeps a share in [0, 1]: a face at the photo's edge may have a box
// reaching past it.
func clamp(v float32) float32 { return min(max(v, 0), 1) }
