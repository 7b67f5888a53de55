package preprocess_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/preprocess"
)

// descriptor loads one of the shipped descriptors (only its JSON is read).
func descriptor(t testing.TB, name string) *model.Descriptor {
	t.Helper()
	d, err := model.Load(filepath.Join("..", "..", "models", name))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func quant(t testing.TB) *model.Descriptor { return descriptor(t, "mobilenet_v2_1.0_224_quant.json") }
func zoo(t testing.TB) *model.Descriptor   { return descriptor(t, "mobilenetv2-12.json") }

func uniform(w, h int, c color.Color) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return img
}

func fill(t testing.TB, in model.Input, crop model.Crop, p preprocess.Photo) []float32 {
	t.Helper()
	tensor := preprocess.NewTensor(in, crop)
	dst := make([]float32, tensor.Len())
	if err := tensor.Fill(p, dst); err != nil {
		t.Fatalf("Fill: %v", err)
	}
	return dst
}

// maxDiff is the largest absolute difference between two tensors.
func maxDiff(t testing.TB, a, b []float32) float64 {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("tensors of different lengths %d and %d", len(a), len(b))
	}
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// noisy is an image with a pseudo-random pattern, so that it compresses
// badly and its encoded data is long.
func noisy(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	x := uint32(2463534242)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = byte(x)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

// ifdEntry is one 12-byte TIFF IFD entry with a value that fits in the
// entry.
type ifdEntry struct {
	tag, typ uint16
	count    uint32
	value    uint16
}

// tiffBlock builds a TIFF header with IFD0 holding entries, in the given
// byte order ("II" little-endian or "MM" big-endian).
func tiffBlock(order string, entries ...ifdEntry) []byte {
	var bo binary.ByteOrder = binary.LittleEndian
	if order == "MM" {
		bo = binary.BigEndian
	}
	b := make([]byte, 8+2+12*len(entries)+4)
	copy(b, order)
	bo.PutUint16(b[2:], 42)
	bo.PutUint32(b[4:], 8)
	bo.PutUint16(b[8:], uint16(len(entries)))
	for i, e := range entries {
		o := 10 + 12*i
		bo.PutUint16(b[o:], e.tag)
		bo.PutUint16(b[o+2:], e.typ)
		bo.PutUint32(b[o+4:], e.count)
		bo.PutUint16(b[o+8:], e.value)
	}
	// next-IFD offset stays 0
	return b
}

func orientationTIFF(order string, n uint16) []byte {
	return tiffBlock(order, ifdEntry{tag: 0x0112, typ: 3, count: 1, value: n})
}

// app segment builds a JPEG APPn segment with the given payload.
func appSegment(marker byte, payload []byte) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

func exifSegment(tiff []byte) []byte {
	return appSegment(0xE1, append([]byte("Exif\x00\x00"), tiff...))
}

// insertAfterSOI puts segments right after a JPEG's start-of-image marker.
func insertAfterSOI(t testing.TB, jpg []byte, segments ...[]byte) []byte {
	t.Helper()
	if len(jpg) < 2 || jpg[0] != 0xFF || jpg[1] != 0xD8 {
		t.Fatal("not a JPEG")
	}
	out := append([]byte(nil), jpg[:2]...)
	for _, s := range segments {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// orient turns a stored image upright by the EXIF definition, mapping each
// stored pixel (x, y) forward to its displayed place. It is written
// independently of preprocess.Orientation.Apply to check it.
func orient(src *image.RGBA, o preprocess.Orientation) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 && o <= 8 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var X, Y int
			switch o {
			case 2: // mirror horizontal
				X, Y = w-1-x, y
			case 3: // rotate 180
				X, Y = w-1-x, h-1-y
			case 4: // mirror vertical
				X, Y = x, h-1-y
			case 5: // transpose
				X, Y = y, x
			case 6: // rotate 90° clockwise
				X, Y = h-1-y, x
			case 7: // transverse
				X, Y = h-1-y, w-1-x
			case 8: // rotate 90° counter-clockwise
				X, Y = y, w-1-x
			default:
				X, Y = x, y
			}
			dst.Set(X, Y, src.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

// quadrants is a w×h image whose four quadrants have different colours, so
// any turn or mirror of it is visible.
func quadrants(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	colours := [4]color.RGBA{
		{220, 30, 30, 255},  // top left: red
		{30, 200, 40, 255},  // top right: green
		{30, 40, 210, 255},  // bottom left: blue
		{240, 240, 90, 255}, // bottom right: yellow
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			q := 0
			if x >= w/2 {
				q++
			}
			if y >= h/2 {
				q += 2
			}
			img.SetRGBA(x, y, colours[q])
		}
	}
	return img
}
