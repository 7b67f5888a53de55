// Package keywords turns an everyday answer into the keywords Spotter
// suggests and writes, so the window's review and `spotter tag` agree on
// them word for word.
package keywords

import (
	"slices"
	"strings"
	"time"

	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/library/sidecar"
)

// Suggest lists the keywords offered for a photo: its everyday name, then
// its categories nearest first; none when Spotter is not sure.
func Suggest(a names.Answer, sure bool) []string {
	if !sure || a.Name == "" {
		return nil
	}
	out := []string{a.Name}
	for _, c := range slices.Backward(a.Categories) {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// For is what the sidecar gets for an answer, leaving out the rejected
// keywords: each kept word in dc:subject, and the kept path, root first,
// as one hierarchical keyword ("animal|cat"). It is false when nothing is
// left.
func For(a names.Answer, rejected map[string]bool, model string, date time.Time) (sidecar.Keywords, bool) {
	var kept []string
	for _, w := range append(slices.Clone(a.Categories), a.Name) {
		if w != "" && !rejected[w] && !slices.Contains(kept, w) {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return sidecar.Keywords{}, false
	}
	return sidecar.Keywords{Subjects: kept, Hierarchies: []string{strings.Join(kept, "|")},
		Class: a.Class, Probability: a.ClassProbability, Model: model, Date: date}, true
}
