package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/spotter-app/spotter/ui/work"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/report"
)

// state is where a photo is in the queue.
type state int

const (
	waiting state = iota
	working
	done
	failed
	cancelled
)

// row is one photo in the results list. Rows live on the UI thread only.
type row struct {
	id    uint64
	path  string
	name  string
	state state
	res   prediction.Result
	err   string
	thumb work.Thumbnail

	// Keyword review: rejected[kw] is the person's verdict on a suggested
	// keyword (true rejected, false accepted); verdictsAsked is set once the
	// remembered ones have been asked for.
	rejected      map[string]bool
	verdictsAsked bool
	tagNote       string // what the last write or removal of keywords did
	tagErr        bool   // tagNote says why it failed

	lib      bool      // read from the library, not classified in this session
	libIndex int       // its place in the library section
	when     time.Time // when a library row was classified
	missing  bool      // the file is no longer there
	cached   bool      // the answer came from the catalogue, not the model
	// thumbAsked is set once a thumbnail has been asked for a row that
	// came without one.
	thumbAsked bool
}

func (r *row) top() prediction.Prediction { return r.res.Top() }

// answer is the row's everyday answer.
func (r *row) answer() names.Answer { return answerOf(r.res) }

// answerOf is a result's everyday answer. A model without a name table
// gives none; its exact class then stands in, so the window still says
// something.
func answerOf(res prediction.Result) names.Answer {
	a := res.Everyday
	if a.Name == "" {
		top := res.Top()
		main, _ := splitLabel(top.Label)
		a = names.Answer{Name: main, Confidence: top.Probability, Class: top.Label, ClassProbability: top.Probability}
	}
	return a
}

// summary is the row's one line under its label.
func (r *row) summary() string {
	switch r.state {
	case waiting:
		return "waiting"
	case working:
		return "classifying…"
	case failed:
		return r.err
	case cancelled:
		return "cancelled"
	}
	return fmt.Sprintf("%s, %d ms", percent(confidence(r.res)), r.res.Timing.Total().Milliseconds())
}

// photo is what work off the UI thread needs of a row or a library entry,
// copied.
type photo struct {
	path     string
	res      prediction.Result
	err      string // why there is no answer, "" when there is one
	cached   bool   // the answer came from the catalogue
	rejected map[string]bool
}

func (r *row) photo() photo {
	p := photo{path: r.path, res: r.res, cached: r.cached || r.lib, rejected: maps.Clone(r.rejected)}
	switch r.state {
	case done:
	case failed:
		p.err = r.err
	default:
		p.err = r.summary()
	}
	return p
}

func (p photo) record() report.Record {
	if p.err != "" {
		return report.Record{Path: p.path, Error: p.err}
	}
	return report.New(p.path, p.res, nil, p.cached)
}

// Orders the list can be sorted in, as the sort menu names them.
const (
	orderAdded       = "Order added"
	orderName        = "File name"
	orderLabel       = "Everyday name"
	orderProbability = "Confidence"
)

var orders = []string{orderAdded, orderName, orderLabel, orderProbability}

// table holds every row and the filtered, sorted view the list shows.
type table struct {
	rows   []*row // in the order added
	byID   map[uint64]*row
	view   []*row
	filter string
	// category keeps the photos of one facet (facetsOf): a keyword, a
	// top category, or names.NotSure; "" keeps every photo.
	category string
	order    string
	// threshold is the confidence an everyday name needs; below it a
	// photo is "not sure".
	threshold float32
	lib       libSection
	// marked are the rows picked with Ctrl or Shift, beside the selected
	// one; empty when one row alone is selected.
	marked map[uint64]bool
	// all is set by Select all: every row shown is picked, the library's
	// not yet read too, so marked stays empty.
	all bool

	// The current batch: photos queued since the queue was last empty.
	batchTotal, batchDone int
	batchStart            time.Time
}

func newTable(threshold float32) *table {
	t := &table{byID: map[uint64]*row{}, order: orderAdded, threshold: threshold, marked: map[uint64]bool{}}
	t.reload(Query{}, 0)
	return t
}

// sure says whether a photo has a name the window may state: a title
// from the model set, or an everyday name reaching the threshold.
func (t *table) sure(r *row) bool { return r.state == done && r.res.Sure(t.threshold) }

// label is what the list and the detail panel call a classified photo: its
// title ("person, dog, horse") or, for the classifier alone, its everyday
// name; "not sure" when Spotter is not; "" for a photo with no answer.
func (t *table) label(r *row) string {
	switch {
	case r.state != done:
		return ""
	case !t.sure(r):
		return names.NotSure
	case r.res.Fused:
		return r.res.Title
	}
	return r.answer().Name
}

// confidence is how sure Spotter is of a classified photo's label: its
// most telling keyword's, or the everyday name's. A photo the model set is
// not sure of shows the classifier's, low as it is.
func confidence(res prediction.Result) float32 {
	if res.Fused && len(res.Keywords) > 0 {
		return res.Keywords[0].Confidence
	}
	return answerOf(res).Confidence
}

// matches says whether a row answers the filter: its file name, and for a
// classified photo its exact class, its label, and its keywords (each
// word and category) or its everyday name's categories, or "not sure", or
// the text read in it holding every word of the filter, as the catalogue
// finds it. A guess below the threshold is no name to find it by.
func (t *table) matches(r *row, needle string) bool {
	if t.category != "" && !slices.Contains(t.facets(r), t.category) {
		return false
	}
	if needle == "" || strings.Contains(strings.ToLower(r.name), needle) {
		return true
	}
	if r.state != done {
		return false
	}
	a := r.answer()
	hay := []string{t.label(r), a.Class}
	switch {
	case r.res.Fused:
		for _, k := range r.res.Keywords {
			hay = append(hay, strings.Split(k.Path, "|")...)
			hay = append(hay, k.Word)
		}
	case t.sure(r):
		hay = append(hay, a.Categories...)
	}
	if slices.ContainsFunc(hay, func(s string) bool { return strings.Contains(strings.ToLower(s), needle) }) {
		return true
	}
	text := strings.ToLower(r.res.Text())
	words := strings.Fields(needle)
	return text != "" && len(words) > 0 && !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(text, w) })
}

// picked says whether a row is picked with Ctrl, Shift or Select all.
func (t *table) picked(id uint64) bool { return t.all || t.marked[id] }

// markShown turns Select all into marks on the rows read so far, for a
// Ctrl or Shift pick to change.
func (t *table) markShown() {
	for i := range t.view {
		t.marked[t.view[i].id] = true
	}
	for _, rows := range t.lib.pages {
		for _, r := range rows {
			t.marked[r.id] = true
		}
	}
}

// facets are the facets a row is counted under: none for a photo with no
// answer.
func (t *table) facets(r *row) []string {
	if r.state != done {
		return nil
	}
	return facetsOf(r.res, t.threshold)
}

// facetsOf are the facets a classified photo is counted under: each of the
// model set's keywords ("people", "dog"), or for the classifier alone its
// everyday name's broadest category; names.NotSure when Spotter is not
// sure. A name without a category is under none.
func facetsOf(res prediction.Result, threshold float32) []string {
	switch {
	case !res.Sure(threshold):
		return []string{names.NotSure}
	case res.Fused:
		return res.Words()
	}
	if cats := answerOf(res).Categories; len(cats) > 0 {
		return cats[:1]
	}
	return nil
}

// counts counts this session's rows by facet, not filtered.
func (t *table) counts() map[string]int {
	out := map[string]int{}
	for _, r := range t.rows {
		for _, f := range t.facets(r) {
			out[f]++
		}
	}
	return out
}

// refiltered says whether the view leaves rows out.
func (t *table) refiltered() bool { return strings.TrimSpace(t.filter) != "" || t.category != "" }

func (t *table) add(items []work.Queued) {
	if t.pending() == 0 {
		t.batchTotal, t.batchDone, t.batchStart = 0, 0, time.Now()
	}
	for _, it := range items {
		r := &row{id: it.ID, path: it.Path, name: filepath.Base(it.Path)}
		t.rows = append(t.rows, r)
		t.byID[it.ID] = r
	}
	t.batchTotal += len(items)
	t.refresh()
}

// finish records a photo's outcome. It returns the row, or nil when the row
// was removed meanwhile.
func (t *table) finish(f work.Finished) *row {
	r := t.byID[f.ID]
	if r == nil {
		return nil
	}
	if r.state == waiting || r.state == working {
		t.batchDone++
	}
	if f.Thumbnail != nil {
		r.thumb = f.Thumbnail // a photo answered from the catalogue was not decoded
	}
	r.cached = f.Cached
	switch {
	case f.Err == nil:
		r.state, r.res = done, f.Result
	case errors.Is(f.Err, context.Canceled):
		r.state = cancelled
	default:
		r.state, r.err = failed, f.Err.Error()
	}
	t.refreshIfOrdered()
	return r
}

// requeue puts a finished row back in the queue, to be classified again.
func (t *table) requeue(r *row) {
	if t.pending() == 0 {
		t.batchTotal, t.batchDone, t.batchStart = 0, 0, time.Now()
	}
	t.batchTotal++
	r.state, r.res, r.err, r.cached = waiting, prediction.Result{}, "", false
	r.tagNote, r.tagErr = "", false
	t.refreshIfOrdered()
}

// cancel marks rows taken off the queue.
func (t *table) cancel(ids []uint64) {
	for _, id := range ids {
		if r := t.byID[id]; r != nil && r.state == waiting {
			r.state = cancelled
			t.batchDone++
		}
	}
	t.refreshIfOrdered()
}

func (t *table) remove(id uint64) {
	r := t.byID[id]
	if r == nil {
		return
	}
	if r.state == waiting || r.state == working {
		t.batchTotal--
	}
	delete(t.byID, id)
	t.rows = slices.DeleteFunc(t.rows, func(x *row) bool { return x == r })
	t.refresh()
}

// pending counts photos still waiting or being classified.
func (t *table) pending() int { return t.batchTotal - t.batchDone }

// progress says how far the batch is, with an estimate of the time left
// from the pace so far.
func (t *table) progress() string {
	if t.batchDone == 0 {
		return fmt.Sprintf("0 of %d", t.batchTotal)
	}
	left := time.Duration(float64(time.Since(t.batchStart)) / float64(t.batchDone) * float64(t.pending()))
	return fmt.Sprintf("%d of %d — about %s left", t.batchDone, t.batchTotal, roughly(left))
}

func roughly(d time.Duration) string {
	switch {
	case d < 2*time.Second:
		return "a second"
	case d < 90*time.Second:
		return fmt.Sprintf("%d s", int(d.Seconds()+0.5))
	}
	return fmt.Sprintf("%d min", int(d.Minutes()+0.5))
}

// refreshIfOrdered rebuilds the view when an outcome can move a row: with
// a filter or an order other than the order added. Otherwise the view
// already holds every row in place, and rebuilding it for each of
// thousands of photos would cost time quadratic in their number.
func (t *table) refreshIfOrdered() {
	if t.refiltered() || t.order != orderAdded {
		t.refresh()
	}
}

// refresh rebuilds the view from the filter and the order.
func (t *table) refresh() {
	t.view = t.view[:0]
	needle := strings.ToLower(strings.TrimSpace(t.filter))
	for _, r := range t.rows {
		if t.matches(r, needle) {
			t.view = append(t.view, r)
		}
	}
	var by func(a, b *row) int
	switch t.order {
	case orderName:
		by = func(a, b *row) int { return cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name)) }
	case orderLabel:
		by = func(a, b *row) int {
			return cmp.Compare(strings.ToLower(t.label(a)), strings.ToLower(t.label(b)))
		}
	case orderProbability:
		by = func(a, b *row) int { return cmp.Compare(confidence(b.res), confidence(a.res)) }
	}
	if by != nil {
		// Stable, so equal rows keep the order they were added in.
		slices.SortStableFunc(t.view, by)
	}
}

// unselect forgets a library row no longer on the list once the selection
// leaves it: only the selection kept it.
func (t *table) unselect(id uint64) {
	if r := t.byID[id]; r != nil && r.lib && t.index(id) < 0 {
		delete(t.byID, id)
	}
}

// index is a row's place in the list, or -1.
func (t *table) index(id uint64) int {
	if i := slices.IndexFunc(t.view, func(r *row) bool { return r.id == id }); i >= 0 {
		return i
	}
	if r := t.byID[id]; r != nil && r.lib {
		if at, _ := t.at(len(t.view) + r.libIndex); at == r {
			return len(t.view) + r.libIndex
		}
	}
	return -1
}
