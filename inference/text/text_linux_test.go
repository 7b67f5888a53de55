package text

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/prediction"
)

func reader(t *testing.T) *Reader {
	t.Helper()
	inferencetest.Need(t, slices.Contains(Installed(), "eng"), "Tesseract's English model (apt-get install tesseract-ocr-eng)")
	r, err := NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// page renders lines of text black on white, each letter 4 times the
// size of basicfont's, as a screenshot's would be on a dense screen.
func page(lines ...string) *image.RGBA {
	const scale = 4
	small := image.NewRGBA(image.Rect(0, 0, 300, 20*len(lines)+10))
	draw.Draw(small, small.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: small, Src: image.Black, Face: basicfont.Face7x13}
	for i, l := range lines {
		d.Dot = fixed.P(8, 20*(i+1))
		d.DrawString(l)
	}
	big := image.NewRGBA(image.Rect(0, 0, scale*small.Rect.Dx(), scale*small.Rect.Dy()))
	for y := range big.Rect.Dy() {
		for x := range big.Rect.Dx() {
			big.Set(x, y, small.At(x/scale, y/scale))
		}
	}
	return big
}

func writePNG(t *testing.T, img image.Image) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shot.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

// A screenshot made here, with words known: read, boxed where they are,
// and named a screenshot.
func TestReadsAScreenshotAndNamesIt(t *testing.T) {
	r := reader(t)
	path := writePNG(t, page("Booking number 2024", "Kettle invoice from", "the garage on Friday"))
	got, err := r.ReadFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ToLower(prediction.Result{Lines: got.Lines}.Text())
	for _, w := range []string{"booking", "number", "kettle", "invoice", "garage", "friday"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q not read in %q", w, text)
		}
	}
	if len(got.Lines) != 3 {
		t.Fatalf("%d lines, want 3: %+v", len(got.Lines), got.Lines)
	}
	// The second line's box lies below the first's, inside the picture.
	a, b := got.Lines[0].Box, got.Lines[1].Box
	if !(a[1] < b[1] && b[3] <= 4*70 && a[0] >= 0 && a[2] <= 4*300) {
		t.Errorf("boxes %v and %v are not two lines of a 1200×280 picture", a, b)
	}
	res := prediction.Result{TextLikely: 0.9}
	Name(&res, got)
	if words := res.Words(); !slices.Contains(words, "screenshot") || !slices.Contains(words, "text") || res.Title == "" {
		t.Errorf("keywords %v, title %q: want a screenshot with text", words, res.Title)
	}
}

// A photo of a printed receipt from the dev set: its words are read and it
// is named a receipt and a document.
func TestReadsAReceipt(t *testing.T) {
	r := reader(t)
	path := filepath.Join(inferencetest.Root(t), "..", "shared", "everyday-dev", "document-restaurant-receipt.jpg")
	_, err := os.Stat(path)
	inferencetest.Need(t, err == nil, path)
	got, err := r.ReadFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	res := prediction.Result{TextLikely: 0.99}
	Name(&res, got)
	text := strings.ToLower(res.Text())
	for _, w := range []string{"cashier", "order", "pizza"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q not read", w)
		}
	}
	if words := res.Words(); !slices.Contains(words, "receipt") || !slices.Contains(words, "document") || slices.Contains(words, "screenshot") {
		t.Errorf("keywords %v: want receipt and document, not screenshot", words)
	}
}

// Pictures made to hurt: each ends with an answer or a message, in
// bounded time, and the next reading works.
func TestHostilePictures(t *testing.T) {
	r := reader(t)
	noise := &Picture{Width: 1000, Height: 1000, Pix: make([]byte, 1000*1000)}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.Uint32())
	}
	for name, pic := range map[string]*Picture{
		"noise":        noise,
		"strip":        {Width: 1, Height: 20000, Pix: make([]byte, 20000)},
		"wide strip":   {Width: 20000, Height: 9, Pix: make([]byte, 9*20000)},
		"all white":    {Width: 800, Height: 600, Pix: slices.Repeat([]byte{255}, 800*600)},
		"short pixels": {Width: 100, Height: 100, Pix: make([]byte, 10)},
	} {
		start := time.Now()
		if _, err := r.Read(context.Background(), pic); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if d := time.Since(start); d > limit+15*time.Second {
			t.Errorf("%s took %v", name, d)
		}
	}
	pic, _ := flatten(page("still reading"))
	lines, err := r.Read(context.Background(), pic)
	if err != nil || !strings.Contains(strings.ToLower(prediction.Result{Lines: lines}.Text()), "reading") {
		t.Errorf("after the hostile pictures: %v, %v", lines, err)
	}
}

// Cancelling stops Tesseract in the middle of a long page: the reading
// returns at once, and its helper is gone.
func TestCancelStopsReading(t *testing.T) {
	r := reader(t)
	lines := make([]string, 30)
	for i := range lines {
		lines[i] = "The quick brown fox jumps over the lazy dog"
	}
	pic, _ := flatten(page(lines...))
	before := inferencetest.Children(0) // the photo decoder's, waiting for work
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := r.Read(ctx, pic)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the cancelled reading returned after %v", d)
	}
	// Every process left is a helper waiting for work: the one reading
	// was killed and reaped.
	waiting := append(before, r.service.PIDs()...)
	for _, pid := range inferencetest.Children(0) {
		if !slices.Contains(waiting, pid) {
			t.Errorf("child process %d is left; waiting helpers %v", pid, waiting)
		}
	}
}

func TestMissingLanguageSaysHowToInstallIt(t *testing.T) {
	_, err := NewReader([]string{"xyz"})
	if err == nil || !strings.Contains(err.Error(), "tesseract-ocr-xyz") {
		t.Fatalf("err %v, want it to name tesseract-ocr-xyz", err)
	}
}

// Transparent pixels are read as white paper, not black.
func TestFlattenLaysTransparencyOnWhite(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 1))
	img.Set(1, 0, color.RGBA{0, 0, 0, 255})
	pic, page := flatten(img)
	if pic.Pix[0] != 255 || pic.Pix[1] != 0 {
		t.Errorf("grey %v, want transparent white and opaque black", pic.Pix)
	}
	if page.Dark != 0.25 || page.Flat < 0.3 || page.Flat > 0.34 {
		t.Errorf("dark %v flat %v, want 0.25 and 1/3", page.Dark, page.Flat)
	}
}
