package work_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/spotter-app/spotter/ui/work"
)

// chores starts chores beside the harness's worker, reporting through it.
func chores(t *testing.T, h *harness, failed func(error)) *work.Chores {
	c := work.NewChores(h.w.Context(), h.w.Report, failed)
	t.Cleanup(func() {
		h.w.Stop()
		c.Wait()
	})
	return c
}

// Chores run one at a time in the order asked, each outcome reported in
// its turn; a chore that panics is reported as failed and the next runs.
func TestChoresKeepOrder(t *testing.T) {
	open, _ := opener(newColours(), 0)
	h := start(t, open, work.Options{})
	var ui []string // on the UI thread
	c := chores(t, h, func(err error) { ui = append(ui, "failed: "+err.Error()) })
	var mu sync.Mutex
	var ran []int
	var running, most atomic.Int32
	for i := range 20 {
		c.Add(fmt.Sprint("chore ", i), func(context.Context) func() {
			n := running.Add(1)
			defer running.Add(-1)
			if n > most.Load() {
				most.Store(n)
			}
			mu.Lock()
			ran = append(ran, i)
			mu.Unlock()
			if i == 5 {
				panic("broken")
			}
			return func() { ui = append(ui, fmt.Sprint(i)) }
		})
	}
	h.until("every chore is reported", func() bool { return len(ui) == 20 })
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(ran, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}) {
		t.Errorf("chores ran in the order %v", ran)
	}
	if most.Load() != 1 {
		t.Errorf("%d chores ran at once", most.Load())
	}
	if ui[5] != "failed: Spotter hit an internal error while chore 5 (broken). The app is still working: try another photo, and please report this" {
		t.Errorf("the panicking chore's turn: %q", ui[5])
	}
	for i, s := range ui {
		if i != 5 && s != fmt.Sprint(i) {
			t.Errorf("outcome %d is %q: out of order", i, s)
		}
	}
}

// Now runs at once, beside a queue held by a long chore.
func TestChoreNowDoesNotWait(t *testing.T) {
	open, _ := opener(newColours(), 0)
	h := start(t, open, work.Options{})
	var ui []string
	c := chores(t, h, func(err error) { t.Error(err) })
	gate := make(chan struct{})
	c.Add("a long chore", func(ctx context.Context) func() {
		<-gate
		return func() { ui = append(ui, "long") }
	})
	c.Add("behind it", func(context.Context) func() { return func() { ui = append(ui, "behind") } })
	c.Now("reading the catalogue", func(context.Context) func() { return func() { ui = append(ui, "now") } })
	h.until("the chore asked now is reported", func() bool { return len(ui) == 1 })
	close(gate)
	h.until("the queue is reported", func() bool { return len(ui) == 3 })
	if got := strings.Join(ui, " "); got != "now long behind" {
		t.Errorf("outcomes in the order %q", got)
	}
}

// A chore still running when the worker stops sees its context end, and
// Wait returns once it has.
func TestChoresEndWithTheWorker(t *testing.T) {
	open, _ := opener(newColours(), 0)
	h := start(t, open, work.Options{})
	c := chores(t, h, func(err error) { t.Error(err) })
	started := make(chan struct{})
	var stopped atomic.Bool
	c.Add("waiting for the end", func(ctx context.Context) func() {
		close(started)
		<-ctx.Done()
		stopped.Store(true)
		return nil
	})
	<-started
	h.w.Stop()
	c.Wait()
	if !stopped.Load() {
		t.Error("Wait returned before the chore ended")
	}
}
