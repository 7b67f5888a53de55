package work_test

import (
	"fmt"
	"image"
	"image/color"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/spotter-app/spotter/library/thumbs"
	"github.com/spotter-app/spotter/ui/work"
)

// thumbnails makes thumbnails of side pixels beside the harness's worker,
// recording them as the window would.
func thumbnails(t *testing.T, h *harness, side int, report func(func())) (*work.Thumbnails, *[]uint64, map[uint64]work.Thumbnail) {
	var ids []uint64 // on the UI thread
	made := map[uint64]work.Thumbnail{}
	if report == nil {
		report = h.w.Report
	}
	th := work.NewThumbnails(h.w.Context(), report, side, func(id uint64, tn work.Thumbnail) {
		ids = append(ids, id)
		made[id] = tn
	})
	t.Cleanup(func() {
		h.w.Stop()
		th.Wait()
	})
	return th, &ids, made
}

// Thumbnails are made for the rows shown last first, and requests for rows
// long scrolled past are let go.
func TestThumbnailsPreferTheLatest(t *testing.T) {
	open, _ := opener(newColours(), 0)
	h := start(t, open, work.Options{})
	// Count the thumbnails reported by the time the last request is made:
	// those, and one in progress, may come before it.
	var mu sync.Mutex
	reported := 0
	report := func(f func()) {
		mu.Lock()
		reported++
		mu.Unlock()
		h.w.Report(f)
	}
	th, ids, made := thumbnails(t, h, 96, report)
	dir := t.TempDir()
	const n = 2 * work.ThumbnailBacklog
	var paths []string
	for i := range n {
		// Large enough that making one takes longer than asking for all.
		paths = append(paths, photo(t, dir, fmt.Sprintf("%02d.png", i), color.RGBA{uint8(i), 100, 200, 255}, 360, 240))
	}
	for i, p := range paths {
		th.Request(uint64(i+1), p)
	}
	mu.Lock()
	before := reported
	mu.Unlock()
	th.Wait() // it has worked through the requests
	h.w.Stop()
	for len(h.posted) > 0 {
		(<-h.posted)()
	}
	at := slices.Index(*ids, n)
	if at < 0 || at > before+1 {
		t.Errorf("the latest request came %d-th, after %d made before it was asked for: %v", at+1, before, *ids)
	}
	after := (*ids)[at:]
	if !slices.IsSortedFunc(after, func(a, b uint64) int { return int(b) - int(a) }) {
		t.Errorf("after the latest, thumbnails came in the order %v, not latest first", after)
	}
	if len(*ids) > before+1+work.ThumbnailBacklog {
		t.Errorf("%d thumbnails made for %d requests: the backlog of %d was not kept", len(*ids), n, work.ThumbnailBacklog)
	}
	for id, tn := range made {
		if b := tn.Image().Bounds(); b.Dx() != 96 || b.Dy() < 63 || b.Dy() > 64 {
			t.Errorf("thumbnail %d is %v, want 96×64 give or take rounding", id, b)
		}
	}
}

// A row's thumbnail comes from the freedesktop cache when it holds one for
// this version of the photo, and otherwise is made from the photo and left
// in the cache for file managers, at the cache's size that covers it.
func TestThumbnailsUseTheCache(t *testing.T) {
	for _, c := range []struct {
		side  int
		cache thumbs.Size
	}{{0, thumbs.Normal}, {200, thumbs.Large}} {
		open, _ := opener(newColours(), 0)
		h := start(t, open, work.Options{})
		th, ids, made := thumbnails(t, h, c.side, nil)
		p := photo(t, t.TempDir(), "blue.png", blue, 600, 400)
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		th.Request(1, p)
		h.until("the thumbnail is made", func() bool { return len(*ids) == 1 })
		want := c.side
		if want == 0 {
			want = work.DefaultThumbnailSide
		}
		if b := made[1].Image().Bounds(); b.Dx() != want {
			t.Errorf("side %d: thumbnail %v, want %d wide", c.side, b, want)
		}
		if _, ok := thumbs.Read(p, info.ModTime(), c.cache); !ok {
			t.Fatalf("side %d: the thumbnail was not left in the %d-pixel cache", c.side, c.cache)
		}

		// A file manager's thumbnail (here plain red) is used as it is.
		plain := image.NewRGBA(image.Rect(0, 0, int(c.cache), int(c.cache)*2/3))
		for i := 0; i < len(plain.Pix); i += 4 {
			plain.Pix[i], plain.Pix[i+3] = 255, 255
		}
		if err := thumbs.Write(p, info.ModTime(), plain, c.cache); err != nil {
			t.Fatal(err)
		}
		th.Request(2, p)
		h.until("the thumbnail is made again", func() bool { return len(*ids) == 2 })
		img := made[2].Image()
		got := color.RGBAModel.Convert(img.At(img.Bounds().Dx()/2, img.Bounds().Dy()/2)).(color.RGBA)
		if got.R < 200 || got.G > 60 || got.B > 60 {
			t.Errorf("side %d: the cached thumbnail was not used: the middle is %v", c.side, got)
		}
	}
}
