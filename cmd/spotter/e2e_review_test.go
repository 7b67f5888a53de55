package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/library/catalog"
)

// The keyword review as a person does it in the real window: reject a
// suggestion, accept one after a change of mind, write keywords for the
// photos picked with Ctrl, take them away again, and find the rejection
// still honoured after a restart. exiftool reads every sidecar, as the
// person's photo apps would.
func TestReviewInWindow(t *testing.T) {
	_, err := exec.LookPath("exiftool")
	inferencetest.Need(t, err == nil, "exiftool (apt-get install libimage-exiftool-perl)")
	d := startDisplay(t)
	dir, paths := copyPhotos(t, "dog.jpg", "eagle.jpg")
	dog, eagle, card := paths[0], paths[1], writeCard(t, dir, gradientCard)
	paths = append(paths, card)
	// The person's own sidecar for the eagle, as exiftool writes it.
	if out, err := exec.Command("exiftool", "-q", "-o", eagle+".xmp", "-XMP-dc:Subject=holiday", eagle).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v\n%s", err, out)
	}
	photoHashes := hashFiles(t, paths)
	bin := buildSpotter(t)

	a := d.launch(t, bin)
	s := d.screen(t, 1024, 768)
	a.waitLog(t, "model loaded")
	d.run(t, "xdotool", "key", "ctrl+1") // the list, which the next start remembers
	d.run(t, filepath.Join(d.xdnd, "xdndsend"), s.wid, "200", "150", dir)
	a.waitLines(t, "msg=classified", 3)
	s.waitRows(t, 3)

	// Reject: of the dog's dog, car and bicycle, "car" is unchecked, and
	// the other two are written, each under its path.
	s.click(t, listRow(0))
	boxes := s.waitChecked(t, 3, "the dog's three suggestions, checked")
	s.click(t, boxes[1])
	s.waitChecked(t, 2, "the dog's car keyword unchecked")
	d.run(t, "xdotool", "key", "ctrl+k")
	waitSidecar(t, dog+".xmp", true)
	wantKeywords(t, dog+".xmp", []string{"dog", "bicycle"}, []string{"animal|dog", "vehicle|bicycle"})
	shot := filepath.Join(screenshotDir(t), "e2e-review.png")
	checkScreenshot(t, shot, func() { d.run(t, "import", "-window", s.wid, shot) })

	// Accept, and apply to a selection: Ctrl adds to the dog the eagle,
	// whose "bird" the person unchecks and checks again, and the plain
	// card, which Spotter is not sure about.
	before := fileBytes(t, eagle+".xmp")
	s.click(t, listRow(1), "ctrl")
	boxes = s.waitChecked(t, 1, "the eagle's suggestion, checked")
	s.click(t, boxes[0])
	s.waitChecked(t, 0, "the eagle's bird keyword unchecked")
	s.click(t, boxes[0])
	s.waitChecked(t, 1, "the eagle's bird keyword checked again")
	s.click(t, listRow(2), "ctrl")
	s.waitChecked(t, 0, "the card, not sure, with no suggestions")
	d.run(t, "xdotool", "key", "ctrl+k")
	waitSidecarChange(t, eagle+".xmp", before)
	wantKeywords(t, eagle+".xmp", []string{"holiday", "bird"}, []string{"animal|bird"})
	wantKeywords(t, dog+".xmp", []string{"dog", "bicycle"}, []string{"animal|dog", "vehicle|bicycle"})
	noSidecar(t, card)
	samePhotos(t, paths, photoHashes)

	// Undo for every row shown: the dog's sidecar was all Spotter's and
	// goes; the eagle's is the person's again.
	before = fileBytes(t, eagle+".xmp")
	d.run(t, "xdotool", "key", "ctrl+shift+u")
	waitSidecar(t, dog+".xmp", false)
	waitSidecarChange(t, eagle+".xmp", before)
	wantKeywords(t, eagle+".xmp", []string{"holiday"}, nil)
	noSidecar(t, card)
	samePhotos(t, paths, photoHashes)

	// The catalogue keeps both verdicts.
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a.waitExit(t, 5*time.Second)
	db := filepath.Join(envValue(d.env, "XDG_DATA_HOME"), "spotter", "catalog.db")
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("the window kept no catalogue: %v", err)
	}
	cat, err := catalog.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	for photo, want := range map[string]map[string]catalog.ReviewState{dog: {"car": catalog.Rejected}, eagle: {"bird": catalog.Accepted}} {
		for k, state := range want {
			if got, err := cat.Reviews(photo); err != nil || got[k] != state {
				t.Errorf("the catalogue's reviews of %s: %v, %v; want %s %s", filepath.Base(photo), got, err, k, state)
			}
		}
	}
	if err := cat.Close(); err != nil {
		t.Fatal(err)
	}

	// The rejection is remembered: after a restart the dog, listed from
	// the catalogue, shows "car" unchecked and gets dog and bicycle.
	d.launch(t, bin)
	s = d.screen(t, 1024, 768)
	s.waitRows(t, 3)
	s.filter(t, "dog.jpg")
	s.waitRows(t, 1)
	s.click(t, listRow(0))
	s.waitChecked(t, 2, "the dog's car keyword unchecked, as remembered")
	d.run(t, "xdotool", "key", "ctrl+k")
	waitSidecar(t, dog+".xmp", true)
	wantKeywords(t, dog+".xmp", []string{"dog", "bicycle"}, []string{"animal|dog", "vehicle|bicycle"})

	// Every row shown, without the filter: the eagle's accepted keywords
	// join the person's again, and the card still gets none.
	s.filter(t, "")
	s.waitRows(t, 3)
	before = fileBytes(t, eagle+".xmp")
	d.run(t, "xdotool", "key", "ctrl+shift+k")
	waitSidecarChange(t, eagle+".xmp", before)
	wantKeywords(t, eagle+".xmp", []string{"holiday", "bird"}, []string{"animal|bird"})
	wantKeywords(t, dog+".xmp", []string{"dog", "bicycle"}, []string{"animal|dog", "vehicle|bicycle"})
	noSidecar(t, card)
	samePhotos(t, paths, photoHashes)
}

// Where the window's parts are at 1024×768, in the list layout: the rows,
// below the categories, and the filter entry in the toolbar. Check boxes
// are found on the screen instead.
const (
	listTop  = 120
	rowPitch = 84 // a row and its separator
)

func listRow(i int) image.Point { return image.Pt(250, listTop+35+i*rowPitch) }

var filterEntry = image.Pt(660, 53)

// screen drives one window of the program by mouse and keyboard, and
// reads what it shows from screenshots.
type screen struct {
	d    *display
	wid  string
	last string // the last screenshot, kept when the test fails
}

// screen finds the window, makes it width×height, and waits until it is
// drawn at that size. With no window manager the window sits at the
// screen's corner and gets the keys while the pointer is over it.
func (d *display) screen(t *testing.T, width, height int) *screen {
	t.Helper()
	wid := strings.Fields(d.run(t, "xdotool", "search", "--sync", "--onlyvisible", "--name", "^Spotter$"))[0]
	s := &screen{d: d, wid: wid, last: filepath.Join(t.TempDir(), "shot.png")}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		failed := filepath.Join(screenshotDir(t), "e2e-review-failed.png")
		if data, err := os.ReadFile(s.last); err == nil && os.WriteFile(failed, data, 0o644) == nil {
			t.Logf("the window when the test failed: %s", failed)
		}
	})
	d.run(t, "xdotool", "windowsize", wid, strconv.Itoa(width), strconv.Itoa(height))
	waitFor(t, 10*time.Second, fmt.Sprintf("the window to be %d×%d", width, height), func() bool {
		b := s.shoot(t).Bounds()
		return b.Dx() == width && b.Dy() == height
	})
	return s
}

// saveShot keeps a screenshot for a person to look at.
func saveShot(t *testing.T, img image.Image, path string) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func (s *screen) shoot(t *testing.T) image.Image {
	t.Helper()
	s.d.run(t, "import", "-window", s.wid, s.last)
	img, err := png.Decode(bytes.NewReader(fileBytes(t, s.last)))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return img
}

// click clicks at p with the keys mods held ("ctrl", "shift").
func (s *screen) click(t *testing.T, p image.Point, mods ...string) {
	t.Helper()
	args := []string{"mousemove", "--window", s.wid, strconv.Itoa(p.X), strconv.Itoa(p.Y)}
	for _, m := range mods {
		args = append(args, "keydown", m)
	}
	args = append(args, "click", "1")
	for _, m := range mods {
		args = append(args, "keyup", m)
	}
	s.d.run(t, "xdotool", args...)
}

// filter replaces the filter entry's text.
func (s *screen) filter(t *testing.T, text string) {
	t.Helper()
	s.click(t, filterEntry)
	s.d.run(t, "xdotool", "key", "ctrl+a", "BackSpace")
	if text != "" {
		s.d.run(t, "xdotool", "type", text)
	}
}

// waitChecked waits until the detail panel shows exactly n checked boxes,
// and returns their centres, top first.
func (s *screen) waitChecked(t *testing.T, n int, what string) []image.Point {
	t.Helper()
	var boxes []image.Point
	waitFor(t, 10*time.Second, what, func() bool {
		boxes = checkedBoxes(s.shoot(t))
		return len(boxes) == n
	})
	return boxes
}

// waitRows waits until the list shows exactly n rows with thumbnails.
func (s *screen) waitRows(t *testing.T, n int) {
	t.Helper()
	waitFor(t, 10*time.Second, strconv.Itoa(n)+" rows in the list", func() bool {
		img := s.shoot(t)
		shown := 0
		for i := range 6 {
			// A thumbnail has many colours; an empty row one or two.
			if colourCount(img, image.Rect(8, listTop+10+i*rowPitch, 56, listTop+42+i*rowPitch)) > 20 {
				shown++
			}
		}
		return shown == n
	})
}

func colourCount(img image.Image, r image.Rectangle) int {
	seen := map[[3]uint32]bool{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			seen[[3]uint32{cr >> 8, cg >> 8, cb >> 8}] = true
		}
	}
	return len(seen)
}

// checkedBoxes finds the checked boxes of the keyword review, in the lower
// right of the window: squares of Fyne's primary blue (#296ff6), which fills
// a checked box and nothing else there as tall. An unchecked box is an
// outline in the foreground colour.
func checkedBoxes(img image.Image) []image.Point {
	b := img.Bounds()
	near := func(v uint32, want int) bool { return max(int(v>>8)-want, want-int(v>>8)) <= 8 }
	blue := func(x, y int) bool {
		r, g, bl, _ := img.At(x, y).RGBA()
		return near(r, 0x29) && near(g, 0x6f) && near(bl, 0xf6)
	}
	var boxes []image.Point
	top, left := -1, 0
	end := func(y int) {
		if top >= 0 && y-top >= 10 {
			boxes = append(boxes, image.Pt(left+7, (top+y)/2))
		}
		top = -1
	}
	// The keyword review is the right third of the strip beneath the
	// photo; above it, the toolbar's layout button is blue too.
	from := b.Min.X + b.Dx()*2/3
	for y := b.Min.Y + b.Dy()/2; y < b.Max.Y; y++ {
		// A box is 14 pixels square, its tick white: every row of it
		// holds at least 5 blue pixels.
		first, n := 0, 0
		for x := from; x < b.Max.X; x++ {
			if blue(x, y) {
				if n == 0 {
					first = x
				}
				n++
			}
		}
		switch {
		case n < 5:
			end(y)
		case top < 0:
			top, left = y, first
		}
	}
	end(b.Max.Y)
	return boxes
}

// envValue is the value a program started with env sees for key.
func envValue(env []string, key string) string {
	for _, kv := range slices.Backward(env) {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// waitSidecar waits for a sidecar to appear or go. Spotter renames a
// finished temporary file into place, so a sidecar that is there is whole.
func waitSidecar(t *testing.T, path string, there bool) {
	t.Helper()
	what := filepath.Base(path) + " to be written"
	if !there {
		what = filepath.Base(path) + " to be deleted"
	}
	waitFor(t, 10*time.Second, what, func() bool {
		_, err := os.Stat(path)
		return (err == nil) == there
	})
}

func waitSidecarChange(t *testing.T, path string, before []byte) {
	t.Helper()
	waitFor(t, 10*time.Second, filepath.Base(path)+" to change", func() bool {
		data, err := os.ReadFile(path)
		return err == nil && !bytes.Equal(data, before)
	})
}

// wantKeywords checks what exiftool reads from a sidecar, in any order.
func wantKeywords(t *testing.T, sidecar string, subjects, hierarchies []string) {
	t.Helper()
	gotS, gotH := exifKeywords(t, sidecar)
	sorted := func(s []string) []string { return slices.Sorted(slices.Values(s)) }
	if !slices.Equal(sorted(gotS), sorted(subjects)) || !slices.Equal(sorted(gotH), sorted(hierarchies)) {
		t.Errorf("exiftool reads %s as subjects %q and hierarchies %q; want %q and %q",
			filepath.Base(sidecar), gotS, gotH, subjects, hierarchies)
	}
}

// noSidecar checks a photo has a sidecar in neither form.
func noSidecar(t *testing.T, photo string) {
	t.Helper()
	for _, p := range []string{photo + ".xmp", strings.TrimSuffix(photo, filepath.Ext(photo)) + ".xmp"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: %v; Spotter is not sure about this photo and should write nothing", filepath.Base(p), err)
		}
	}
}

func hashFiles(t *testing.T, paths []string) [][32]byte {
	t.Helper()
	out := make([][32]byte, len(paths))
	for i, p := range paths {
		out[i] = sha256.Sum256(fileBytes(t, p))
	}
	return out
}

func samePhotos(t *testing.T, paths []string, want [][32]byte) {
	t.Helper()
	for i, got := range hashFiles(t, paths) {
		if got != want[i] {
			t.Errorf("%s changed: Spotter must never write to a photo", filepath.Base(paths[i]))
		}
	}
}
