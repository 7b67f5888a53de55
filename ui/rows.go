package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

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
	thumb thumbnail
}

func (r *row) top() prediction.Prediction { return r.res.Top() }

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
	return fmt.Sprintf("%s, %d ms", percent(r.top().Probability), r.res.Timing.Total().Milliseconds())
}

func (r *row) record() report.Record {
	switch r.state {
	case done:
		return report.New(r.path, r.res, nil)
	case failed:
		return report.Record{Path: r.path, Error: r.err}
	}
	return report.Record{Path: r.path, Error: r.summary()}
}

// Orders the list can be sorted in, as the sort menu names them.
const (
	orderAdded       = "Order added"
	orderName        = "Name"
	orderLabel       = "Label"
	orderProbability = "Probability"
)

var orders = []string{orderAdded, orderName, orderLabel, orderProbability}

// table holds every row and the filtered, sorted view the list shows.
type table struct {
	rows   []*row // in the order added
	byID   map[uint64]*row
	view   []*row
	filter string
	order  string

	// The current batch: photos queued since the queue was last empty.
	batchTotal, batchDone int
	batchStart            time.Time
}

func newTable() *table { return &table{byID: map[uint64]*row{}, order: orderAdded} }

func (t *table) add(items []queued) {
	if t.pending() == 0 {
		t.batchTotal, t.batchDone, t.batchStart = 0, 0, time.Now()
	}
	for _, it := range items {
		r := &row{id: it.id, path: it.path, name: filepath.Base(it.path)}
		t.rows = append(t.rows, r)
		t.byID[it.id] = r
	}
	t.batchTotal += len(items)
	t.refresh()
}

// finish records a photo's outcome. It returns the row, or nil when the row
// was removed meanwhile.
func (t *table) finish(f finished) *row {
	r := t.byID[f.ID]
	if r == nil {
		return nil
	}
	if r.state == waiting || r.state == working {
		t.batchDone++
	}
	r.thumb = f.thumb
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
	if strings.TrimSpace(t.filter) != "" || t.order != orderAdded {
		t.refresh()
	}
}

// refresh rebuilds the view from the filter and the order.
func (t *table) refresh() {
	t.view = t.view[:0]
	needle := strings.ToLower(strings.TrimSpace(t.filter))
	for _, r := range t.rows {
		if needle == "" || (r.state == done && strings.Contains(strings.ToLower(r.top().Label), needle)) {
			t.view = append(t.view, r)
		}
	}
	var by func(a, b *row) int
	switch t.order {
	case orderName:
		by = func(a, b *row) int { return cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name)) }
	case orderLabel:
		by = func(a, b *row) int {
			return cmp.Compare(strings.ToLower(a.top().Label), strings.ToLower(b.top().Label))
		}
	case orderProbability:
		by = func(a, b *row) int { return cmp.Compare(b.top().Probability, a.top().Probability) }
	}
	if by != nil {
		// Stable, so equal rows keep the order they were added in.
		slices.SortStableFunc(t.view, by)
	}
}

// index is a row's place in the view, or -1.
func (t *table) index(id uint64) int {
	return slices.IndexFunc(t.view, func(r *row) bool { return r.id == id })
}
