package main

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/ui"
)

// library is a catalogue of n photos made up from their index, newest
// first: photo i is ImageNet class i%1000 at a confidence that cycles
// from 25 % to 99 % (so some are "not sure"), and one of paths in turn,
// so the window decodes real files for the thumbnails it shows. Nothing is
// kept per photo, so 100,000 cost no memory until the window reads them.
type library struct {
	n      int
	paths  []string
	table  *names.Table
	newest time.Time

	mu   sync.Mutex
	read map[int]int // Page calls, offset to n, to show where the window read
}

func newLibrary(n int, paths []string) *library {
	// A minute back, so every photo is stored before the window opens and
	// its Query.Before keeps them all.
	return &library{n: n, paths: paths, table: names.ImageNet(), newest: time.Now().Add(-time.Minute), read: map[int]int{}}
}

func (l *library) answer(i int) names.Answer {
	c := l.table.Class(i % l.table.Len())
	conf := 0.25 + 0.74*float32(i*37%100)/99
	return names.Answer{Name: c.Name, Confidence: conf, Categories: c.Categories, Class: c.Label, ClassProbability: conf}
}

func (l *library) path(i int) string { return l.paths[i%len(l.paths)] }

func (l *library) when(i int) time.Time { return l.newest.Add(-time.Duration(i) * time.Minute) }

func (l *library) entry(i int) ui.Entry {
	a := l.answer(i)
	res := prediction.Result{Predictions: []prediction.Prediction{{Label: a.Class, Probability: a.ClassProbability}}, Everyday: a}
	return ui.Entry{Path: l.path(i), Result: res, When: l.when(i)}
}

// facet is photo i's facet as ui.Library.Facets counts it.
func facet(a names.Answer, threshold float32) string {
	switch {
	case !a.Sure(threshold):
		return names.NotSure
	case len(a.Categories) > 0:
		return a.Categories[0]
	}
	return ""
}

// keeps says whether q chooses photo i.
func (l *library) keeps(q ui.Query, i int) bool {
	if !q.Before.IsZero() && !l.when(i).Before(q.Before) {
		return false
	}
	a := l.answer(i)
	if q.Category != "" && facet(a, q.Threshold) != q.Category {
		return false
	}
	if q.Text == "" {
		return true
	}
	text := strings.ToLower(strings.Join(append([]string{a.Name, a.Class, filepath.Base(l.path(i))}, a.Categories...), " "))
	return strings.Contains(text, strings.ToLower(q.Text))
}

// chosen calls each with the indices q chooses, in order, until it
// returns false. Without a filter it goes straight to them: the window
// asks for every page with none.
func (l *library) chosen(q ui.Query, from int, each func(i int) bool) {
	all := q.Text == "" && q.Category == "" && (q.Before.IsZero() || q.Before.After(l.newest))
	if all {
		for i := from; i < l.n; i++ {
			if !each(i) {
				return
			}
		}
		return
	}
	seen := 0
	for i := 0; i < l.n; i++ {
		if !l.keeps(q, i) {
			continue
		}
		if seen >= from && !each(i) {
			return
		}
		seen++
	}
}

func (l *library) Count(q ui.Query) (int, error) {
	n := 0
	l.chosen(q, 0, func(int) bool { n++; return true })
	return n, nil
}

func (l *library) Page(q ui.Query, offset, n int) ([]ui.Entry, error) {
	l.mu.Lock()
	l.read[offset] = max(l.read[offset], n)
	l.mu.Unlock()
	var out []ui.Entry
	l.chosen(q, offset, func(i int) bool {
		out = append(out, l.entry(i))
		return len(out) < n
	})
	return out, nil
}

// Forget is refused: the photos are made from their index, and the bench
// never asks.
func (l *library) Forget(...string) error {
	return errors.New("the bench's library is made up as it is read and cannot forget photos")
}

func (l *library) Facets(q ui.Query) (map[string]int, error) {
	out := map[string]int{}
	l.chosen(ui.Query{Before: q.Before}, 0, func(i int) bool {
		if f := facet(l.answer(i), q.Threshold); f != "" {
			out[f]++
		}
		return true
	})
	return out, nil
}

// reach says where the window read, as ranges of photos: "0–1799, 99800–99999".
func (l *library) reach() (pages int, ranges string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var spans []string
	offsets := slices.Sorted(maps.Keys(l.read))
	for i := 0; i < len(offsets); {
		from, to := offsets[i], offsets[i]+l.read[offsets[i]]
		for i++; i < len(offsets) && offsets[i] <= to; i++ {
			to = max(to, offsets[i]+l.read[offsets[i]])
		}
		spans = append(spans, fmt.Sprintf("%d–%d", from, min(to, l.n)-1))
	}
	return len(offsets), strings.Join(spans, ", ")
}
