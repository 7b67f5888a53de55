package preprocess_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/spotter-app/spotter/inference/preprocess"
)

// pngChunk builds one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	b := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(b, uint32(len(data)))
	copy(b[4:], typ)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// hugePNG is a PNG signature and an IHDR claiming w×h RGBA pixels, with a
// correct CRC, and nothing else.
func hugePNG(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8] = 8 // bit depth
	ihdr[9] = 6 // colour type RGBA
	b := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	return append(b, pngChunk("IEND", nil)...)
}

// hugeGIF is a GIF header whose logical screen is w×h.
func hugeGIF(w, h uint16) []byte {
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, w)
	b = binary.LittleEndian.AppendUint16(b, h)
	return append(b, 0, 0, 0, 0x3B)
}

func randomBytes(n int) []byte {
	b := noisy(n, 1).Pix[:n]
	b[0], b[1] = 0x00, 0x9C // no format's magic, and not text
	return b
}

func TestLoadErrors(t *testing.T) {
	jpg := encodeJPEG(t, noisy(256, 256), 90)
	pngData := encodePNG(t, noisy(128, 128))
	damagedPNG := append([]byte(nil), pngData...)
	idat := bytes.Index(damagedPNG, []byte("IDAT"))
	damagedPNG[idat+10] ^= 0xFF // inside the compressed data: the CRC no longer matches

	tests := []struct {
		name string // the file's name, which the message must contain
		data []byte
		want []string // phrases the message must contain
	}{
		{"empty.jpg", []byte{}, []string{"empty", "0 bytes"}},
		{"notes.jpg", []byte("Shopping list:\n- milk\n- eggs\n"), []string{"a text file", "cannot read"}},
		{"utf8 notes.png", []byte("Café crème — ½ price\n"), []string{"a text file"}},
		{"invoice.pdf", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), []string{"PDF"}},
		{"IMG_0001.HEIC", append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 64)...), []string{"a HEIC photo", "damaged"}},
		{"IMG_0002.heic", append([]byte("\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heicmiaf"), make([]byte, 64)...), []string{"a HEIC photo"}},
		{"photo.avif", append([]byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"), make([]byte, 64)...), []string{"an AVIF image"}},
		{"drawing.jpg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`), []string{"SVG"}},
		{"photos.zip", append([]byte("PK\x03\x04\x14\x00\x00\x00"), make([]byte, 64)...), []string{"ZIP"}},
		{"random.jpg", randomBytes(4096), []string{"not an image", preprocess.Supported}},
		// Cut inside the headers; for cuts inside the pixel data see
		// TestLoadCutInPixelData.
		{"header only.jpg", jpg[:2], []string{"cut off"}},
		{"cut in headers.jpg", jpg[:200], []string{"cut off"}},
		{"cut in IHDR.png", pngData[:20], []string{"cut off"}},
		{"signature only.png", pngData[:8], []string{"cut off"}},
		{"half.jpg", jpg[:len(jpg)/2], []string{"cut off"}},
		{"half.png", pngData[:len(pngData)/2], []string{"cut off"}},
		{"damaged.png", damagedPNG, []string{"damaged"}},
		{"huge.png", hugePNG(100000, 100000), []string{"100000×100000", "10000 megapixels", "up to 100 megapixels"}},
		{"huge.gif", hugeGIF(65535, 65535), []string{"65535×65535", "megapixels"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := loadBytes(t, tc.name, tc.data)
			if err == nil {
				t.Fatalf("Load(%s) succeeded: %T %v", tc.name, p.Image, p.Image.Bounds())
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.name) {
				t.Errorf("message %q does not name the file %q", msg, tc.name)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not say %q", msg, w)
				}
			}
			if p.Image != nil {
				t.Errorf("Load returned an image with its error")
			}
		})
	}
}

// TestLoadCutInPixelData: a file cut off inside its compressed pixel data
// (the usual state of a photo still downloading) is reported as cut off.
// Go's decoders report most of these with their own format errors ("invalid
// JPEG format: short Huffman data", "png: invalid format: not enough pixel
// data", "gif: not enough image data"), not io.ErrUnexpectedEOF.
func TestLoadCutInPixelData(t *testing.T) {
	jpg := encodeJPEG(t, noisy(256, 256), 90)
	pngData := encodePNG(t, noisy(128, 128))
	var g bytes.Buffer
	if err := gif.Encode(&g, noisy(64, 64), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"half.jpg", jpg[:len(jpg)/2]},
		{"first 600 bytes.jpg", jpg[:600]},
		{"nearly all.jpg", jpg[:len(jpg)-10]},
		{"half.png", pngData[:len(pngData)/2]},
		{"first 100 bytes.png", pngData[:100]},
		{"half.gif", g.Bytes()[:g.Len()/2]},
		{"header cut.gif", g.Bytes()[:10]},
		{"colour table cut.gif", g.Bytes()[:100]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadBytes(t, tc.name, tc.data)
			if err == nil {
				t.Fatal("Load of a cut-off file succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.name) || !strings.Contains(msg, "cut off") {
				t.Errorf("message %q should name the file and say it is cut off", msg)
			}
		})
	}
}

// TestLoadHugeHeaderDoesNotAllocate: a header claiming 100000×100000 pixels
// (40 GB decoded) is refused from the header, before any pixel is allocated.
func TestLoadHugeHeaderDoesNotAllocate(t *testing.T) {
	for name, data := range map[string][]byte{"huge.png": hugePNG(100000, 100000), "huge.gif": hugeGIF(65535, 65535)} {
		t.Run(name, func(t *testing.T) {
			path := writeTemp(t, name, data)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := preprocess.Load(context.Background(), path)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "megapixels") {
				t.Fatalf("Load = %v, want a megapixels error", err)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n >= 10<<20 {
				t.Errorf("Load allocated %d bytes refusing a huge header; want < 10 MB", n)
			}
			allocs := testing.AllocsPerRun(5, func() { _, _ = preprocess.Load(context.Background(), path) })
			t.Logf("refusing %s allocated %d bytes in %v allocations", name, after.TotalAlloc-before.TotalAlloc, allocs)
			if allocs > 100 {
				t.Errorf("Load made %v allocations refusing a huge header", allocs)
			}
		})
	}
}

func TestLoadMaxPixelsBoundary(t *testing.T) {
	// Exactly 100 megapixels is allowed past the header check; one row
	// more is not. The allowed one has no pixel data, so it fails later as
	// cut off, not as too big.
	_, err := loadBytes(t, "limit.png", hugePNG(10000, 10000))
	if err == nil || strings.Contains(err.Error(), "megapixels") {
		t.Errorf("10000×10000 (exactly the limit) = %v; want a decode error, not the size limit", err)
	}
	_, err = loadBytes(t, "over.png", hugePNG(10000, 10001))
	if err == nil || !strings.Contains(err.Error(), "megapixels") {
		t.Errorf("10000×10001 = %v, want the megapixels limit", err)
	}
}

func TestLoadFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Holiday 2024")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := preprocess.Load(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "Holiday 2024") || !strings.Contains(err.Error(), "folder") {
		t.Errorf("Load(folder) = %v, want a message naming the folder", err)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := preprocess.Load(context.Background(), filepath.Join(t.TempDir(), "gone.jpg"))
	if err == nil || !strings.Contains(err.Error(), "gone.jpg") || !strings.Contains(err.Error(), "no longer there") {
		t.Errorf("Load(missing) = %v, want 'gone.jpg is no longer there'", err)
	}
	if err != nil && strings.Contains(err.Error(), string(filepath.Separator)+"gone.jpg") {
		t.Errorf("message %q shows the full path; it should name the file only", err)
	}
}

func TestLoadSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	loop := filepath.Join(dir, "loop.jpg")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	_, err := preprocess.Load(context.Background(), loop)
	if err == nil || !strings.Contains(err.Error(), "loop.jpg is a symbolic link that leads back to itself") {
		t.Errorf("Load(symlink loop) = %v", err)
	}
}

func TestLoadStopsWhenCancelled(t *testing.T) {
	path := writeTemp(t, "big.png", encodePNG(t, noisy(1200, 900)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := preprocess.Load(ctx, path); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context = %v, want context.Canceled", err)
	}
}

// checkFill fills a tensor from p and checks every value is finite and in
// the range the quant normalisation allows.
func checkFill(t *testing.T, p preprocess.Photo) []float32 {
	t.Helper()
	d := quant(t)
	dst := fill(t, d.Input, d.Crop, p)
	for i, v := range dst {
		if math.IsNaN(float64(v)) || v < -1 || v > 1 {
			t.Fatalf("value %d = %v, outside [-1, 1]", i, v)
		}
	}
	return dst
}

// checkUniform checks a tensor is one colour within tol 8-bit steps.
func checkUniform(t *testing.T, dst []float32, c [3]float64, tol float64) {
	t.Helper()
	plane := len(dst) / 3
	for ch := 0; ch < 3; ch++ {
		want := (c[ch] - 128) / 128
		for i := 0; i < plane; i++ {
			if got := float64(dst[ch*plane+i]); math.Abs(got-want) > tol/128 {
				t.Fatalf("channel %d value %d = %v, want %v ± %v steps", ch, i, got, want, tol)
			}
		}
	}
}

func TestLoadPNG16(t *testing.T) {
	img := image.NewNRGBA64(image.Rect(0, 0, 40, 30))
	for y := 0; y < 30; y++ {
		for x := 0; x < 40; x++ {
			img.SetNRGBA64(x, y, color.NRGBA64{100 * 257, 150 * 257, 200 * 257, 0xFFFF})
		}
	}
	img.SetNRGBA64(0, 0, color.NRGBA64{100 * 257, 150 * 257, 200 * 257, 0xFFFE}) // keeps the alpha channel in the file
	p, err := loadBytes(t, "deep.png", encodePNG(t, img))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Image.(*image.NRGBA64); !ok {
		t.Fatalf("decoded as %T, want *image.NRGBA64", p.Image)
	}
	if p.Format != "png" || p.Orientation != preprocess.Upright {
		t.Errorf("Format %q, Orientation %d", p.Format, p.Orientation)
	}
	checkUniform(t, checkFill(t, p), [3]float64{100, 150, 200}, 1)
}

func TestLoadPalettedPNG(t *testing.T) {
	pal := color.Palette{color.RGBA{0, 0, 0, 255}, color.RGBA{255, 255, 255, 255}, color.RGBA{100, 150, 200, 255}}
	img := image.NewPaletted(image.Rect(0, 0, 50, 50), pal)
	for i := range img.Pix {
		img.Pix[i] = 2
	}
	p, err := loadBytes(t, "paletted.png", encodePNG(t, img))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Image.(*image.Paletted); !ok {
		t.Fatalf("decoded as %T, want *image.Paletted", p.Image)
	}
	checkUniform(t, checkFill(t, p), [3]float64{100, 150, 200}, 1)
}

func TestLoadGrayJPEG(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = 90
	}
	p, err := loadBytes(t, "grey.jpg", encodeJPEG(t, img, 95))
	if err != nil {
		t.Fatal(err)
	}
	// libjpeg-turbo expands grey to RGBA as it decodes.
	if _, ok := p.Image.(*image.RGBA); !ok {
		t.Fatalf("decoded as %T, want *image.RGBA", p.Image)
	}
	if p.Format != "jpeg" || p.Orientation != preprocess.Upright {
		t.Errorf("Format %q, Orientation %d", p.Format, p.Orientation)
	}
	checkUniform(t, checkFill(t, p), [3]float64{90, 90, 90}, 2)
}

func TestLoadColourJPEG(t *testing.T) {
	p, err := loadBytes(t, "colour.jpg", encodeJPEG(t, uniform(64, 48, testColour), 100))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Image.(*image.RGBA); !ok {
		t.Fatalf("decoded as %T, want *image.RGBA", p.Image)
	}
	checkUniform(t, checkFill(t, p), [3]float64{100, 150, 200}, 3)
}

// TestLoadAnimatedGIF: the first frame is the one classified.
func TestLoadAnimatedGIF(t *testing.T) {
	pal := color.Palette{color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}}
	frame := func(index uint8) *image.Paletted {
		f := image.NewPaletted(image.Rect(0, 0, 40, 40), pal)
		for i := range f.Pix {
			f.Pix[i] = index
		}
		return f
	}
	var b bytes.Buffer
	err := gif.EncodeAll(&b, &gif.GIF{
		Image:    []*image.Paletted{frame(0), frame(1), frame(1)},
		Delay:    []int{10, 10, 10},
		Disposal: []byte{gif.DisposalNone, gif.DisposalNone, gif.DisposalNone},
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadBytes(t, "animated.gif", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != "gif" {
		t.Errorf("Format = %q, want gif", p.Format)
	}
	checkUniform(t, checkFill(t, p), [3]float64{255, 0, 0}, 0.5) // red, the first frame
}

func TestLoadOtherFormats(t *testing.T) {
	img := uniform(30, 20, testColour)
	encode := func(f func(*bytes.Buffer) error) []byte {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	tests := []struct {
		name, format string
		data         []byte
	}{
		{"photo.bmp", "bmp", encode(func(b *bytes.Buffer) error { return bmp.Encode(b, img) })},
		{"photo.tiff", "tiff", encode(func(b *bytes.Buffer) error { return tiff.Encode(b, img, nil) })},
		{"photo.png", "png", encodePNG(t, img)},
		{"photo.gif", "gif", encode(func(b *bytes.Buffer) error {
			return gif.Encode(b, img, nil)
		})},
		// The extension does not matter; the content does.
		{"really a png.jpg", "png", encodePNG(t, img)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := loadBytes(t, tc.name, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if p.Format != tc.format {
				t.Errorf("Format = %q, want %q", p.Format, tc.format)
			}
			if b := p.Image.Bounds(); b.Dx() != 30 || b.Dy() != 20 {
				t.Errorf("image is %v, want 30x20", b)
			}
			dst := checkFill(t, p)
			if tc.format != "gif" { // GIF quantises to its palette
				checkUniform(t, dst, [3]float64{100, 150, 200}, 1)
			}
		})
	}
}

// LoadAtLeast keeps at least minSide pixels on the shorter side: twice
// that for JPEGs up to two megapixels (jpegFinePixels) and for PNGs.
func TestLoadAtLeastSizes(t *testing.T) {
	small, large := noisy(1200, 900), noisy(2400, 1800)
	tests := []struct {
		name string
		data []byte
		want image.Point
	}{
		{"small.jpg", encodeJPEG(t, small, 90), image.Pt(750, 563)}, // 5/8: the smallest n/8 with 512 rows
		{"large.jpg", encodeJPEG(t, large, 90), image.Pt(600, 450)}, // 1/4: the smallest n/8 with 256 rows
		{"small.png", encodePNG(t, small), image.Pt(1200, 900)},
		{"large.png", encodePNG(t, large), image.Pt(800, 600)}, // 1800/(2×256) = 3
	}
	for _, tc := range tests {
		p, err := preprocess.LoadAtLeast(context.Background(), writeTemp(t, tc.name, tc.data), 256)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := p.Image.Bounds().Size(); got != tc.want {
			t.Errorf("%s: decoded at %v, want %v", tc.name, got, tc.want)
		}
	}
}
