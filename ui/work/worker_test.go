package work_test

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/ui/work"
)

// Each row is announced before it starts and starts before it finishes,
// drops keep their order, answers are each photo's own, and each result
// brings the thumbnail made while its photo was decoded.
func TestEventsInDropOrder(t *testing.T) {
	clf := newColours()
	open, _ := opener(clf, 0)
	h := start(t, open, work.Options{ThumbnailSide: 64})
	folder := t.TempDir()
	want := map[string]string{
		photo(t, folder, "a.png", red, 40, 30):   "red",
		photo(t, folder, "b.png", green, 30, 40): "green",
		photo(t, folder, "c.png", blue, 50, 50):  "blue",
	}
	other := t.TempDir()
	d := photo(t, other, "d.png", blue, 300, 200)
	e := photo(t, other, "e.png", red, 20, 20)
	want[d], want[e] = "blue", "red"
	h.w.Add(folder)
	h.w.Add(e, d)
	h.until("both drops are answered", func() bool { return len(h.walked) == 2 && h.done() })

	if len(h.loaded) != 1 || h.loaded[0].Err != nil || h.loaded[0].Engine.Model != "colours" {
		t.Errorf("loaded: %+v", h.loaded)
	}
	if h.at("loaded") < 0 || h.at("loaded") > h.at("started 1") {
		t.Errorf("a photo started before the model was reported loaded: %v", h.log)
	}
	var paths []string
	for _, q := range h.queued() {
		paths = append(paths, q.Path)
	}
	order := []string{filepath.Join(folder, "a.png"), filepath.Join(folder, "b.png"), filepath.Join(folder, "c.png"), e, d}
	if !slices.Equal(paths, order) {
		t.Fatalf("rows announced in the order %v, want %v", paths, order)
	}
	if h.walked[0].found != 3 || h.walked[0].paths[0] != folder || h.walked[1].found != 2 {
		t.Errorf("walked: %+v", h.walked)
	}
	var finishedOrder []uint64
	for _, entry := range h.log {
		if id, ok := strings.CutPrefix(entry, "finished "); ok {
			var n uint64
			fmt.Sscan(id, &n)
			finishedOrder = append(finishedOrder, n)
		}
	}
	for i, q := range h.queued() {
		qi, si, fi := h.at(fmt.Sprint("queued ", q.ID)), h.at(fmt.Sprint("started ", q.ID)), h.at(fmt.Sprint("finished ", q.ID))
		if !(qi < si && si < fi) {
			t.Errorf("row %d (%s): queued at %d, started at %d, finished at %d", q.ID, filepath.Base(q.Path), qi, si, fi)
		}
		if i >= len(finishedOrder) || finishedOrder[i] != q.ID {
			t.Errorf("results in the order %v, not the rows' %v", finishedOrder, h.queued())
		}
		f, _ := h.last(q.ID)
		if f.Err != nil || f.Result.Top().Label != want[q.Path] || f.Path != q.Path {
			t.Errorf("%s: %q, %v; want %q", filepath.Base(q.Path), f.Result.Top().Label, f.Err, want[q.Path])
		}
		img := f.Thumbnail.Image()
		if img == nil {
			t.Errorf("%s came without its thumbnail", filepath.Base(q.Path))
			continue
		}
		if b := img.Bounds(); max(b.Dx(), b.Dy()) > 64 || b.Dx() == 0 {
			t.Errorf("%s: thumbnail %v, larger than 64 pixels or empty", filepath.Base(q.Path), b)
		}
	}
	if f, _ := h.last(h.queued()[4].ID); f.Thumbnail.Image().Bounds().Dx() != 64 {
		t.Errorf("d.png (300×200) has a thumbnail %v wide, want 64", f.Thumbnail.Image().Bounds())
	}
}

// A folder's rows are announced in batches while it is walked, every one
// before its first result; a drop with no photo in it says so.
func TestFolderAnnouncedInBatches(t *testing.T) {
	open, _ := opener(newColours(), 0)
	h := start(t, open, work.Options{})
	folder := t.TempDir()
	for i := range 2*work.QueueBatch + 1 {
		photo(t, folder, fmt.Sprintf("%03d.png", i), green, 4, 4)
	}
	empty := t.TempDir()
	h.w.Add(folder)
	h.w.Add(empty)
	h.until("the folder is answered and the empty one searched", func() bool { return len(h.walked) == 2 && h.done() })
	var sizes []int
	for _, b := range h.batches {
		sizes = append(sizes, len(b))
	}
	if !slices.Equal(sizes, []int{work.QueueBatch, work.QueueBatch, 1}) {
		t.Errorf("batches of %v rows, want %d, %[2]d, 1", sizes, work.QueueBatch)
	}
	for _, q := range h.queued() {
		if h.at(fmt.Sprint("queued ", q.ID)) > h.at(fmt.Sprint("finished ", q.ID)) {
			t.Fatalf("row %d finished before it was announced", q.ID)
		}
	}
	if w := h.walked[0]; w.found != 2*work.QueueBatch+1 {
		t.Errorf("the folder: found %d", w.found)
	}
	if w := h.walked[1]; w.found != 0 || !slices.Equal(w.paths, []string{empty}) {
		t.Errorf("the empty folder: %+v, want found 0", w)
	}
}

// CancelAll during a queue stops the run in flight through its context,
// returns the photos still waiting, and the worker goes on with the next
// drop.
func TestCancelAllStopsTheRunInFlight(t *testing.T) {
	clf := newColours()
	clf.holdOn = 1
	open, _ := opener(clf, 0)
	h := start(t, open, work.Options{})
	dir := t.TempDir()
	var drop []string
	for i := range 8 {
		drop = append(drop, photo(t, dir, fmt.Sprintf("%d.png", i), red, 8, 8))
	}
	h.w.Add(drop...)
	h.until("the first run is held", closed(clf.held))
	h.until("every row is announced", func() bool { return len(h.queued()) == 8 })
	waiting := h.w.CancelAll()
	all := h.queued()
	if !slices.Contains(waiting, all[7].ID) {
		t.Fatalf("CancelAll returned %v: the last of 8 photos was not waiting while the first ran", waiting)
	}
	taken := len(all) - len(waiting)
	h.until("the photos taken end", func() bool { return len(h.finished) == taken })
	for _, q := range all {
		f, ok := h.last(q.ID)
		if slices.Contains(waiting, q.ID) {
			if ok || h.at(fmt.Sprint("started ", q.ID)) >= 0 {
				t.Errorf("row %d was taken off the queue but went on", q.ID)
			}
			continue
		}
		if !ok || !errors.Is(f.Err, context.Canceled) {
			t.Errorf("row %d: %v, want cancelled", q.ID, f.Err)
		}
	}
	next := photo(t, t.TempDir(), "next.png", blue, 8, 8)
	h.w.Add(next)
	h.until("the next drop is answered", func() bool { return len(h.finished) == taken+1 })
	if f, _ := h.last(h.queued()[8].ID); f.Err != nil || f.Result.Top().Label != "blue" {
		t.Errorf("after cancelling: %q, %v", f.Result.Top().Label, f.Err)
	}
}

// Remove takes a waiting photo off the queue: it never starts.
func TestRemoveWaiting(t *testing.T) {
	clf := newColours()
	clf.holdOn = 1
	open, _ := opener(clf, 0)
	h := start(t, open, work.Options{})
	dir := t.TempDir()
	var drop []string
	for i := range 8 {
		drop = append(drop, photo(t, dir, fmt.Sprintf("%d.png", i), red, 8, 8))
	}
	h.w.Add(drop...)
	h.until("the first run is held", closed(clf.held))
	h.until("every row is announced", func() bool { return len(h.queued()) == 8 })
	gone := h.queued()[7].ID
	h.w.Remove(gone)
	close(clf.release)
	h.w.Add(photo(t, t.TempDir(), "later.png", green, 8, 8))
	h.until("the later drop is answered", func() bool { return len(h.queued()) == 9 && len(h.finished) == 8 })
	for _, q := range h.queued() {
		_, ok := h.last(q.ID)
		if ok == (q.ID == gone) {
			t.Errorf("row %d (removed: %v) finished: %v", q.ID, q.ID == gone, ok)
		}
	}
	if slices.Contains(h.started, gone) {
		t.Error("the removed photo started")
	}
}

// A photo the memory knows is answered from it; Again classifies it afresh
// past the memory, which keeps the new answer, and AgainAsNew does so as a
// new row.
func TestAgainGoesPastTheMemory(t *testing.T) {
	clf := newColours()
	open, _ := opener(clf, 0)
	p := photo(t, t.TempDir(), "known.png", red, 8, 8)
	mem := &memory{known: map[string]prediction.Result{
		p: {Predictions: []prediction.Prediction{{Label: "remembered", Probability: 1}}},
	}}
	h := start(t, open, work.Options{Memory: mem})
	h.w.Add(p)
	h.until("the photo is answered", h.done)
	row := h.queued()[0]
	if f, _ := h.last(row.ID); !f.Cached || f.Result.Top().Label != "remembered" || f.Thumbnail != nil || clf.calls.Load() != 0 {
		t.Fatalf("from memory: cached %v, %q, thumbnail %v, %d runs", f.Cached, f.Result.Top().Label, f.Thumbnail != nil, clf.calls.Load())
	}
	h.w.Again(row)
	h.until("the photo is answered again", func() bool { return len(h.finished[row.ID]) == 2 })
	if f, _ := h.last(row.ID); f.Cached || f.Result.Top().Label != "red" || f.Thumbnail == nil {
		t.Errorf("again: cached %v, %q, thumbnail %v", f.Cached, f.Result.Top().Label, f.Thumbnail != nil)
	}
	h.w.AgainAsNew(p)
	h.until("a new row is answered", func() bool { return len(h.queued()) == 2 && h.done() })
	fresh := h.queued()[1]
	if f, _ := h.last(fresh.ID); fresh.ID == row.ID || fresh.Path != p || f.Cached || f.Result.Top().Label != "red" {
		t.Errorf("again as new: row %+v (first %d), cached %v, %q", fresh, row.ID, f.Cached, f.Result.Top().Label)
	}
	mem.mu.Lock()
	defer mem.mu.Unlock()
	if !slices.Equal(mem.kept, []string{p, p}) {
		t.Errorf("the memory kept %v, want the photo twice", mem.kept)
	}
}

// A model that fails to load says why (with what is known of the engine),
// after failing the photos that were waiting for it with that reason. A
// reload (new settings) tries again, and so does the next drop.
func TestFailedLoadIsRetried(t *testing.T) {
	clf := newColours()
	open, calls := opener(clf, 2)
	h := start(t, open, work.Options{})
	// Queued before the model loads: the harness runs no posted function
	// until until, so the worker is still waiting for the window.
	h.w.AgainAsNew(photo(t, t.TempDir(), "early.png", red, 8, 8))
	h.until("loading fails", func() bool { return len(h.loaded) == 1 })
	l := h.loaded[0]
	if l.Err == nil || !strings.Contains(l.Err.Error(), "could not be loaded (attempt 1)") || l.Engine.Runtime != "fake" {
		t.Fatalf("loaded: %+v", l)
	}
	if early, ok := h.last(1); !ok || early.Err != l.Err || h.at("finished 1") > h.at("loaded") {
		t.Errorf("the photo waiting for the model: %v, finished at %d, loaded at %d; want the load error first", early.Err, h.at("finished 1"), h.at("loaded"))
	}
	h.w.Reload()
	h.until("loading fails again", func() bool { return len(h.loaded) == 2 })
	if l := h.loaded[1]; l.Err == nil || !strings.Contains(l.Err.Error(), "(attempt 2)") {
		t.Fatalf("after the reload: %+v", l)
	}
	h.w.Add(photo(t, t.TempDir(), "a.png", green, 8, 8))
	h.until("the photo is answered", func() bool { return len(h.loaded) == 3 && h.done() })
	if l := h.loaded[2]; l.Err != nil || l.Engine.Model != "colours" || calls.Load() != 3 {
		t.Errorf("after the drop: %+v, %d calls to open", l, calls.Load())
	}
	if f, _ := h.last(h.queued()[1].ID); f.Err != nil || f.Result.Top().Label != "green" {
		t.Errorf("%q, %v", f.Result.Top().Label, f.Err)
	}
}

// Reload lets the photo in progress finish, then opens the model again,
// which answers the rest of the queue.
func TestReloadGoesOnWithTheNewModel(t *testing.T) {
	old, fresh := newColours(), newColours()
	old.holdOn = 1
	var opened []*colours // on the worker's loop
	h := start(t, func() (work.Classifier, work.EngineInfo, error) {
		c := []*colours{old, fresh}[len(opened)]
		opened = append(opened, c)
		return c, work.EngineInfo{Model: fmt.Sprint("colours ", len(opened))}, nil
	}, work.Options{})
	dir := t.TempDir()
	var drop []string
	for i := range 8 {
		drop = append(drop, photo(t, dir, fmt.Sprintf("%d.png", i), blue, 8, 8))
	}
	h.w.Add(drop...)
	h.until("the first run is held", closed(old.held))
	h.w.Reload()
	close(old.release)
	h.until("every photo is answered", func() bool { return len(h.queued()) == 8 && h.done() })
	for _, q := range h.queued() {
		if f, _ := h.last(q.ID); f.Err != nil || f.Result.Top().Label != "blue" {
			t.Errorf("row %d: %q, %v", q.ID, f.Result.Top().Label, f.Err)
		}
	}
	if len(h.loaded) != 2 || h.loaded[1].Engine.Model != "colours 2" {
		t.Errorf("loaded: %+v", h.loaded)
	}
	if old.closes.Load() != 1 || fresh.calls.Load() == 0 {
		t.Errorf("the old model was closed %d times; the new one ran %d photos of 8", old.closes.Load(), fresh.calls.Load())
	}
}

// Settings saved while the model loads, or just as it has loaded, open it
// again: the model opened with the old settings is not kept.
func TestReloadWhileLoadingIsKept(t *testing.T) {
	loading, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	h := start(t, func() (work.Classifier, work.EngineInfo, error) {
		n := calls.Add(1)
		if n == 1 {
			close(loading)
			<-release
		}
		return newColours(), work.EngineInfo{Model: fmt.Sprint("colours ", n)}, nil
	}, work.Options{})
	h.until("the model is loading", closed(loading))
	h.w.Reload()
	close(release)
	h.until("the model is opened again", func() bool { return len(h.loaded) == 1 })
	if m := h.loaded[0].Engine.Model; m != "colours 2" || calls.Load() != 2 {
		t.Fatalf("the window heard of %q after %d opens; want the second's only", m, calls.Load())
	}
	h.w.Reload()
	h.until("the model is opened a third time", func() bool { return len(h.loaded) == 2 })
	h.w.Add(photo(t, t.TempDir(), "a.png", green, 8, 8))
	h.until("the photo is answered", h.done)
	if m := h.loaded[1].Engine.Model; m != "colours 3" {
		t.Errorf("a reload as the model loaded gave %q", m)
	}
}

// Photos prepared while the model was busy run together in one call, as
// many as the classifier takes; a panic in that call is the error of each
// photo in it, and the next photo is answered.
func TestReadyPhotosRunTogether(t *testing.T) {
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprint("panics=", panics), func(t *testing.T) {
			clf := &batching{colours: newColours(), panics: panics}
			clf.holdOn = 1
			open, _ := opener(clf, 0)
			h := start(t, open, work.Options{})
			dir := t.TempDir()
			colour := []color.RGBA{red, green, blue, red, green, blue}
			var drop []string
			for i, c := range colour {
				drop = append(drop, photo(t, dir, fmt.Sprintf("%d.png", i), c, 8, 8))
			}
			h.w.Add(drop[0])
			h.until("the first run is held", closed(clf.held))
			h.w.Add(drop[1:]...)
			h.until("the photos behind it are prepared", starved)
			close(clf.release)
			h.until("every photo is answered", func() bool { return len(h.queued()) == 6 && h.done() })
			clf.mu.Lock()
			sizes := clf.sizes
			clf.mu.Unlock()
			if !slices.Equal(sizes, []int{4}) {
				t.Errorf("calls with several photos took %v, want one of 4 (the most it takes)", sizes)
			}
			for i, q := range h.queued() {
				f, _ := h.last(q.ID)
				inBatch := i >= 1 && i <= 4
				switch {
				case panics && inBatch:
					if f.Err == nil || !strings.Contains(f.Err.Error(), "internal error while classifying (boom in a batch)") {
						t.Errorf("photo %d of the batch that panicked: %v", i, f.Err)
					}
				case f.Err != nil || f.Result.Top().Label != []string{"red", "green", "blue"}[i%3]:
					t.Errorf("photo %d: %q, %v", i, f.Result.Top().Label, f.Err)
				}
			}
		})
	}
}

// The engine's text reading is kept by the worker, batching or not: each
// photo has its words when it is reported, and a panic while reading costs
// that photo its words, not its answer.
func TestTextIsRead(t *testing.T) {
	for _, batches := range []bool{false, true} {
		t.Run(fmt.Sprint("batches=", batches), func(t *testing.T) {
			b := &batching{colours: newColours()}
			b.holdOn = 1
			var clf work.Classifier = textColours{b.colours}
			if batches {
				clf = textBatching{b}
			}
			open, _ := opener(clf, 0)
			h := start(t, open, work.Options{})
			dir := t.TempDir()
			names := []string{"sign.png", "panicky.png", "menu.png", "page.png", "receipt.png", "screen.png"}
			colour := []color.RGBA{red, green, blue}
			var drop []string
			for i, n := range names {
				drop = append(drop, photo(t, dir, n, colour[i%3], 8, 8))
			}
			// The first run held until the rest are prepared: they then run
			// together, where the classifier batches.
			h.w.Add(drop[0])
			h.until("the first run is held", closed(b.held))
			h.w.Add(drop[1:]...)
			h.until("the photos behind it are prepared", starved)
			close(b.release)
			h.until("every photo is answered", func() bool { return len(h.queued()) == len(names) && h.done() })
			for i, q := range h.queued() {
				f, _ := h.last(q.ID)
				label, text := []string{"red", "green", "blue"}[i%3], names[i]
				if text == "panicky.png" {
					text = ""
				}
				if f.Err != nil || f.Result.Top().Label != label || f.Result.Text() != text {
					t.Errorf("photo %d: %q reading %q, %v; want %q reading %q", i, f.Result.Top().Label, f.Result.Text(), f.Err, label, text)
				}
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			if want := []int{4}; batches && !slices.Equal(b.sizes, want) {
				t.Errorf("calls with several photos took %v, want %v", b.sizes, want)
			}
		})
	}
}

// A panic in the model's run is that photo's error; the next photo is
// answered.
func TestPanicInRunIsThatPhotosError(t *testing.T) {
	clf := newColours()
	clf.panicOn = 1
	open, _ := opener(clf, 0)
	h := start(t, open, work.Options{})
	dir := t.TempDir()
	h.w.Add(photo(t, dir, "a.png", red, 8, 8), photo(t, dir, "b.png", blue, 8, 8))
	h.until("both are answered", func() bool { return len(h.queued()) == 2 && h.done() })
	first, _ := h.last(h.queued()[0].ID)
	if first.Err == nil || !strings.Contains(first.Err.Error(), "internal error while classifying (boom)") {
		t.Errorf("the photo whose run panicked: %v", first.Err)
	}
	if second, _ := h.last(h.queued()[1].ID); second.Err != nil || second.Result.Top().Label != "blue" {
		t.Errorf("the next photo: %q, %v", second.Result.Top().Label, second.Err)
	}
}

// Stop and Wait during a run end it and close the classifier once, with
// no goroutine left behind (the harness checks with goleak).
func TestStopAndWaitMidQueue(t *testing.T) {
	clf := newColours()
	clf.holdOn = 1
	open, _ := opener(clf, 0)
	h := start(t, open, work.Options{})
	dir := t.TempDir()
	h.w.Add(photo(t, dir, "a.png", red, 8, 8), photo(t, dir, "b.png", red, 8, 8), photo(t, dir, "c.png", red, 8, 8))
	h.until("the first run is held", closed(clf.held))
	h.w.Preview(1, filepath.Join(dir, "a.png"), 512)
	h.w.Stop()
	h.w.Wait()
	if n := clf.closes.Load(); n != 1 {
		t.Errorf("the classifier was closed %d times", n)
	}
	h.w.Add(filepath.Join(dir, "b.png")) // after Stop: neither waits nor starts anything
}

// Stopping before the window has shown never loads the model.
func TestStopBeforeShown(t *testing.T) {
	open, calls := opener(newColours(), 0)
	h := start(t, open, work.Options{}) // its posted functions never run
	h.w.Wait()
	if calls.Load() != 0 {
		t.Errorf("the model was opened %d times though the window never showed", calls.Load())
	}
}
