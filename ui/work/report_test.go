package work_test

import (
	"slices"
	"testing"

	"github.com/spotter-app/spotter/ui/work"
)

// Reports made before the UI thread runs the first of them travel in one
// post, in order; the next report after that posts again.
func TestReportsTravelInBatches(t *testing.T) {
	var posted []func()
	r := work.NewReporter(func(f func()) { posted = append(posted, f) })
	var ran []int
	for i := range 100 {
		r.Report(func() { ran = append(ran, i) })
	}
	if len(posted) != 1 {
		t.Fatalf("100 reports made %d posts, want 1", len(posted))
	}
	posted[0]()
	if len(ran) != 100 || !slices.IsSorted(ran) {
		t.Fatalf("the batch ran %v", ran)
	}
	r.Report(func() { ran = append(ran, 100) })
	if len(posted) != 2 {
		t.Fatalf("a report after the batch ran made %d posts in all, want 2", len(posted))
	}
	posted[1]()
	if ran[len(ran)-1] != 100 {
		t.Errorf("the second batch ran %v", ran[100:])
	}
}
