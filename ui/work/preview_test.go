package work_test

import (
	"testing"

	"github.com/spotter-app/spotter/ui/work"
)

// The preview is made at the side the window asks for, within sane
// bounds, so it grows with the window.
func TestPreviewFitsTheSideAsked(t *testing.T) {
	open, _ := opener(newColours(), 0)
	h := start(t, open, work.Options{})
	p := photo(t, t.TempDir(), "wide.png", green, 800, 600)
	for _, c := range []struct{ ask, want int }{
		{300, 300},
		{600, 600},                     // a larger window, a larger preview
		{10, work.MinPreviewSide},      // never a postage stamp
		{100000, 800},                  // never enlarged
		{work.MaxPreviewSide + 1, 800}, // within the bound, the photo's own size
	} {
		h.previews = nil
		h.w.Preview(7, p, c.ask)
		h.until("the preview is made", func() bool { return len(h.previews) == 1 })
		got := h.previews[0]
		if b := got.img.Bounds(); got.id != 7 || b.Dx() != c.want || b.Dy() != c.want*3/4 {
			t.Errorf("asked for %d pixels: preview %d is %v, want %d×%d", c.ask, got.id, b, c.want, c.want*3/4)
		}
	}
	huge := photo(t, t.TempDir(), "huge.png", red, work.MaxPreviewSide+500, 100)
	h.previews = nil
	h.w.Preview(8, huge, 100000)
	h.until("the preview is made", func() bool { return len(h.previews) == 1 })
	if b := h.previews[0].img.Bounds(); b.Dx() != work.MaxPreviewSide {
		t.Errorf("a photo wider than the bound, asked at any size: preview %v, want %d wide", b, work.MaxPreviewSide)
	}
}

// A new preview replaces one still being made: the last asked for is the
// last shown.
func TestPreviewReplacesTheOneBeingMade(t *testing.T) {
	open, _ := opener(newColours(), 0)
	h := start(t, open, work.Options{})
	dir := t.TempDir()
	big := photo(t, dir, "big.png", red, 2000, 1400)
	small := photo(t, dir, "small.png", blue, 300, 200)
	h.w.Preview(1, big, 4096)
	h.w.Preview(2, small, 512)
	h.until("the second preview is shown", func() bool { return len(h.previews) > 0 && h.previews[len(h.previews)-1].id == 2 })
	h.w.Wait() // no preview may follow it
	for len(h.posted) > 0 {
		(<-h.posted)()
	}
	if last := h.previews[len(h.previews)-1]; last.id != 2 || len(h.previews) > 2 {
		t.Errorf("previews shown: %v, want the second last", h.previews)
	}
}
