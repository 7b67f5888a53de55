package main

import (
	"image"
	"image/color"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
)

// The window as a new user first sees it, at 1280×800: empty, it is one
// drop target; after a real drop of two photos on the grid the selected
// photo covers at least a quarter of the window. The photo is a plain
// magenta card, so its pixels can be counted on the screen.
func TestWindowAt1280x800(t *testing.T) {
	card := writeCard(t, t.TempDir(), magentaCard)
	d := startDisplay(t)
	a := d.launch(t, buildSpotter(t))
	s := d.screen(t, 1280, 800)
	a.waitLog(t, "model loaded")
	shots := screenshotDir(t)

	// Empty: the drop target's face fills the window below the toolbar.
	empty := s.shoot(t)
	saveShot(t, empty, filepath.Join(shots, "e2e-empty.png"))
	face := empty.At(640, 300) // inside the target, above its invitation
	if n := count(empty, empty.Bounds(), func(c color.Color) bool { return same(c, face) }); n < 1280*800*6/10 {
		t.Errorf("the empty window's drop target covers %d of %d pixels, not most of it", n, 1280*800)
	}

	// A real drop on the grid (the default layout), near its top left.
	d.run(t, filepath.Join(d.xdnd, "xdndsend"), s.wid, "120", "200", card, inferencetest.Photo(t, "dog.jpg"))
	a.waitLines(t, "msg=classified", 2)
	magenta := func(c color.Color) bool {
		r, g, b, _ := c.RGBA()
		return r>>8 > 230 && g>>8 < 30 && b>>8 > 230
	}
	// The library's side is the left third; the photo is right of it.
	viewer := image.Rect(1280*4/10, 0, 1280, 800)
	var shown int
	waitFor(t, 10*time.Second, "the card to fill the viewer", func() bool {
		img := s.shoot(t)
		shown = count(img, viewer, magenta)
		return shown >= 1280*800/4
	})
	img := s.shoot(t)
	saveShot(t, img, filepath.Join(shots, "e2e-1280x800.png"))
	t.Logf("the photo covers %d pixels, %.0f %% of the window", shown, 100*float64(shown)/(1280*800))
	// Both photos are tiles of the grid: two thumbnails side by side in
	// its first row (the card's magenta one, the dog's many-coloured one).
	if n := count(img, image.Rect(0, 100, 1280*4/10, 300), magenta); n < 2000 {
		t.Errorf("the card's tile shows %d magenta pixels", n)
	}
	if !strings.Contains(a.logText(), filepath.Base(card)) {
		t.Error("the log does not mention the dropped card")
	}
	a.noErrors(t)
}

// A dropped photo of a person with a dog and a horse shows their boxes on
// the preview, in the boxes' amber, and Ctrl+B takes them away.
func TestBoxesInWindow(t *testing.T) {
	d := startDisplay(t)
	a := d.launch(t, buildSpotter(t))
	s := d.screen(t, 1280, 800)
	a.waitLog(t, "model loaded")
	shots := screenshotDir(t)
	d.run(t, filepath.Join(d.xdnd, "xdndsend"), s.wid, "640", "400", inferencetest.Photo(t, "person.jpg"))
	a.waitLines(t, "msg=classified", 1)

	// The amber of ui's objectColour, give or take the edges' blending.
	amber := func(c color.Color) bool {
		r, g, b, _ := c.RGBA()
		return r>>8 > 240 && g>>8 > 170 && g>>8 < 215 && b>>8 < 50
	}
	// The preview: right of the library, above the answer.
	preview := image.Rect(1280*4/10, 80, 1280, 520)
	var boxes int
	waitFor(t, 10*time.Second, "the boxes on the preview", func() bool {
		boxes = count(s.shoot(t), preview, amber)
		return boxes >= 1000
	})
	saveShot(t, s.shoot(t), filepath.Join(shots, "e2e-boxes.png"))
	t.Logf("%d pixels of the boxes' amber", boxes)

	s.d.run(t, "xdotool", "mousemove", "--window", s.wid, "800", "300", "key", "ctrl+b")
	var left int
	waitFor(t, 10*time.Second, "Ctrl+B to hide the boxes", func() bool {
		left = count(s.shoot(t), preview, amber)
		return left < boxes/20
	})
	saveShot(t, s.shoot(t), filepath.Join(shots, "e2e-boxes-hidden.png"))
	a.noErrors(t)
}

func count(img image.Image, r image.Rectangle, match func(color.Color) bool) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if match(img.At(x, y)) {
				n++
			}
		}
	}
	return n
}

func same(a, b color.Color) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	return ar == br && ag == bg && ab == bb
}
