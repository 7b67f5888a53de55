package preprocess_test

import (
	"context"
	"image"
	"image/color"
	"strconv"
	"testing"

	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/preprocess"
)

// The 3×2 test image, stored as
//
//	A B C
//	D E F
var (
	pxA = color.RGBA{255, 0, 0, 255}
	pxB = color.RGBA{0, 255, 0, 255}
	pxC = color.RGBA{0, 0, 255, 255}
	pxD = color.RGBA{255, 255, 0, 255}
	pxE = color.RGBA{0, 255, 255, 255}
	pxF = color.RGBA{255, 0, 255, 255}
)

var pxName = map[color.RGBA]string{pxA: "A", pxB: "B", pxC: "C", pxD: "D", pxE: "E", pxF: "F"}

func layoutImage(rows [][]color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, len(rows[0]), len(rows)))
	for y, row := range rows {
		for x, c := range row {
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func layoutString(img *image.RGBA) string {
	b := img.Bounds()
	s := ""
	for y := b.Min.Y; y < b.Max.Y; y++ {
		if y > b.Min.Y {
			s += " / "
		}
		for x := b.Min.X; x < b.Max.X; x++ {
			n, ok := pxName[img.RGBAAt(x, y)]
			if !ok {
				n = "?"
			}
			s += n
		}
	}
	return s
}

// TestOrientationApply checks every EXIF orientation against layouts worked
// out by hand from the EXIF specification.
func TestOrientationApply(t *testing.T) {
	stored := [][]color.RGBA{{pxA, pxB, pxC}, {pxD, pxE, pxF}}
	tests := []struct {
		o    preprocess.Orientation
		want string
	}{
		{preprocess.Upright, "ABC / DEF"},
		{preprocess.FlipH, "CBA / FED"},          // 2: mirror horizontal
		{preprocess.Rotate180, "FED / CBA"},      // 3: rotate 180°
		{preprocess.FlipV, "DEF / ABC"},          // 4: mirror vertical
		{preprocess.Transpose, "AD / BE / CF"},   // 5: mirror along the main diagonal
		{preprocess.Rotate90CW, "DA / EB / FC"},  // 6: turn 90° clockwise to display
		{preprocess.Transverse, "FC / EB / DA"},  // 7: mirror along the anti-diagonal
		{preprocess.Rotate90CCW, "CF / BE / AD"}, // 8: turn 90° counter-clockwise to display
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(int(tc.o)), func(t *testing.T) {
			src := layoutImage(stored)
			got := tc.o.Apply(src)
			if s := layoutString(got); s != tc.want {
				t.Errorf("orientation %d: got %s, want %s", tc.o, s, tc.want)
			}
			if got.Bounds().Min != (image.Point{}) {
				t.Errorf("orientation %d: result starts at %v, want the origin", tc.o, got.Bounds().Min)
			}
			if s := layoutString(src); s != "ABC / DEF" {
				t.Errorf("orientation %d changed its source to %s", tc.o, s)
			}
			// The independent helper used by the other tests agrees.
			if s := layoutString(orient(src, tc.o)); s != tc.want {
				t.Errorf("test helper orient(%d) gives %s, want %s", tc.o, s, tc.want)
			}
		})
	}
}

func TestOrientationApplyOutOfRange(t *testing.T) {
	src := layoutImage([][]color.RGBA{{pxA, pxB, pxC}, {pxD, pxE, pxF}})
	for _, o := range []preprocess.Orientation{-1, 0, 1, 9, 255} {
		if got := o.Apply(src); got != src {
			t.Errorf("orientation %d: Apply returned %s, want the source itself", o, layoutString(got))
		}
	}
}

// TestOrientationApplySubImage turns an image whose bounds do not start at
// the origin.
func TestOrientationApplySubImage(t *testing.T) {
	big := image.NewRGBA(image.Rect(0, 0, 10, 10))
	rows := [][]color.RGBA{{pxA, pxB, pxC}, {pxD, pxE, pxF}}
	for y, row := range rows {
		for x, c := range row {
			big.SetRGBA(4+x, 5+y, c)
		}
	}
	sub := big.SubImage(image.Rect(4, 5, 7, 7)).(*image.RGBA)
	if got := layoutString(preprocess.Rotate90CW.Apply(sub)); got != "DA / EB / FC" {
		t.Errorf("Rotate90CW of a sub-image: got %s, want DA / EB / FC", got)
	}
	if got := layoutString(preprocess.FlipH.Apply(sub)); got != "CBA / FED" {
		t.Errorf("FlipH of a sub-image: got %s, want CBA / FED", got)
	}
}

func TestOrientationSwapsAxes(t *testing.T) {
	for o := preprocess.Orientation(-1); o <= 10; o++ {
		want := o >= 5 && o <= 8
		if got := o.SwapsAxes(); got != want {
			t.Errorf("Orientation(%d).SwapsAxes() = %v, want %v", o, got, want)
		}
		if o >= 1 && o <= 8 {
			b := o.Apply(image.NewRGBA(image.Rect(0, 0, 3, 2))).Bounds()
			if swapped := b.Dx() == 2; swapped != want {
				t.Errorf("orientation %d: Apply gives %dx%d but SwapsAxes = %v", o, b.Dx(), b.Dy(), want)
			}
		}
	}
}

// exifJPEG is a small real JPEG with the given segments after SOI.
func exifJPEG(t *testing.T, segments ...[]byte) []byte {
	t.Helper()
	return insertAfterSOI(t, encodeJPEG(t, quadrants(16, 8), 90), segments...)
}

func loadBytes(t *testing.T, name string, data []byte) (preprocess.Photo, error) {
	t.Helper()
	return preprocess.Load(context.Background(), writeTemp(t, name, data))
}

func TestLoadEXIFOrientation(t *testing.T) {
	for _, order := range []string{"II", "MM"} {
		for n := uint16(1); n <= 8; n++ {
			t.Run(order+"/"+strconv.Itoa(int(n)), func(t *testing.T) {
				p, err := loadBytes(t, "photo.jpg", exifJPEG(t, exifSegment(orientationTIFF(order, n))))
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if p.Orientation != preprocess.Orientation(n) {
					t.Errorf("Orientation = %d, want %d", p.Orientation, n)
				}
				if p.Format != "jpeg" {
					t.Errorf("Format = %q, want jpeg", p.Format)
				}
				// Load leaves the pixels in stored order.
				if b := p.Image.Bounds(); b.Dx() != 16 || b.Dy() != 8 {
					t.Errorf("image is %dx%d, want the stored 16x8", b.Dx(), b.Dy())
				}
			})
		}
	}
}

func TestLoadEXIFOrientationPlacement(t *testing.T) {
	jfif := appSegment(0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))
	xmp := appSegment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta tiff:Orientation=\"3\"/>"))
	tests := []struct {
		name     string
		segments [][]byte
		want     preprocess.Orientation
	}{
		{"after JFIF APP0", [][]byte{jfif, exifSegment(orientationTIFF("II", 6))}, 6},
		{"after XMP APP1", [][]byte{xmp, exifSegment(orientationTIFF("MM", 8))}, 8},
		{"after fill bytes", [][]byte{{0xFF, 0xFF}, exifSegment(orientationTIFF("II", 3))}, 3},
		{"tag after others in IFD0", [][]byte{exifSegment(tiffBlock("MM",
			ifdEntry{tag: 0x0100, typ: 3, count: 1, value: 16},  // ImageWidth
			ifdEntry{tag: 0x0101, typ: 3, count: 1, value: 8},   // ImageLength
			ifdEntry{tag: 0x0112, typ: 3, count: 1, value: 5},   // Orientation
			ifdEntry{tag: 0x011A, typ: 5, count: 1, value: 200}, // XResolution (offset, unused)
		))}, 5},
		{"entry count overstated after a complete orientation entry", [][]byte{exifSegment(func() []byte {
			b := orientationTIFF("II", 7)
			b[8] = 0xFF // 255 entries claimed; the one that matters is whole
			return b[:len(b)-4]
		}())}, 7},
		{"no EXIF", nil, preprocess.Upright},
		{"XMP only", [][]byte{xmp}, preprocess.Upright},
		{"IFD0 without orientation", [][]byte{exifSegment(tiffBlock("II", ifdEntry{tag: 0x0100, typ: 3, count: 1, value: 16}))}, preprocess.Upright},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := loadBytes(t, "photo.jpg", exifJPEG(t, tc.segments...))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if p.Orientation != tc.want {
				t.Errorf("Orientation = %d, want %d", p.Orientation, tc.want)
			}
		})
	}
}

// TestLoadCorruptEXIF: a broken EXIF block must never stop a photo from
// loading; it reads as upright.
func TestLoadCorruptEXIF(t *testing.T) {
	valid := orientationTIFF("II", 6)
	with := func(edit func(b []byte) []byte) []byte { return edit(append([]byte(nil), valid...)) }
	tests := []struct {
		name string
		tiff []byte
	}{
		{"empty", nil},
		{"byte order only", []byte("II")},
		{"short header", []byte("II*\x00")},
		{"header without IFD", valid[:8]},
		{"IFD count only", valid[:10]},
		{"entry cut short", valid[:16]},
		{"bad byte order", with(func(b []byte) []byte { copy(b, "XI"); return b })},
		{"IFD offset past the end", with(func(b []byte) []byte { b[4], b[5] = 0xFF, 0xFF; return b })},
		{"IFD offset inside the header", with(func(b []byte) []byte { b[4] = 2; return b })},
		{"IFD offset huge", with(func(b []byte) []byte { b[4], b[5], b[6], b[7] = 0xFF, 0xFF, 0xFF, 0xFF; return b })},
		{"entry count past the end", func() []byte {
			b := tiffBlock("II", ifdEntry{tag: 0x0100, typ: 3, count: 1, value: 16})
			b[8] = 5 // five entries claimed, one present, no orientation among what is there
			return b
		}()},
		{"type LONG", tiffBlock("II", ifdEntry{tag: 0x0112, typ: 4, count: 1, value: 6})},
		{"value 0", orientationTIFF("MM", 0)},
		{"value 9", orientationTIFF("MM", 9)},
		{"value 0xFFFF", orientationTIFF("II", 0xFFFF)},
		{"garbage", []byte("this is not a TIFF header at all, just text....")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := loadBytes(t, "broken exif.jpg", exifJPEG(t, exifSegment(tc.tiff)))
			if err != nil {
				t.Fatalf("Load with a corrupt EXIF block failed: %v", err)
			}
			if p.Orientation != preprocess.Upright {
				t.Errorf("Orientation = %d, want Upright", p.Orientation)
			}
			if p.Image == nil || p.Image.Bounds().Dx() != 16 {
				t.Errorf("image not decoded: %v", p.Image)
			}
		})
	}
	t.Run("Exif header cut", func(t *testing.T) {
		p, err := loadBytes(t, "cut.jpg", exifJPEG(t, appSegment(0xE1, []byte("Exif\x00"))))
		if err != nil || p.Orientation != preprocess.Upright {
			t.Errorf("Load = orientation %d, %v; want Upright, nil", p.Orientation, err)
		}
	})
}

// TestLoadOrientedJPEGFillsUpright goes from file to tensor: a JPEG tagged
// with an orientation gives the tensor of its decoded pixels turned upright
// by hand. The crops start at even coordinates so that CentralCrop's
// adjustment of odd YCbCr origins (see regression_test.go) does not move
// one side's crop and not the other's.
func TestLoadOrientedJPEGFillsUpright(t *testing.T) {
	jpg := encodeJPEG(t, quadrants(320, 240), 95)
	plain, err := loadBytes(t, "plain.jpg", jpg)
	if err != nil {
		t.Fatal(err)
	}
	crops := []model.Crop{{Mode: model.CropEachSide, Fraction: 0.75}, {Mode: model.CropSquare, Fraction: 0.75}}
	for _, crop := range crops {
		for _, o := range []uint16{1, 3, 5, 6, 8} {
			t.Run(string(crop.Mode)+"/"+strconv.Itoa(int(o)), func(t *testing.T) {
				tagged, err := loadBytes(t, "tagged.jpg", insertAfterSOI(t, jpg, exifSegment(orientationTIFF("MM", o))))
				if err != nil {
					t.Fatal(err)
				}
				if tagged.Orientation != preprocess.Orientation(o) {
					t.Fatalf("Orientation = %d, want %d", tagged.Orientation, o)
				}
				d := quant(t)
				in := d.Input
				in.Width, in.Height = 48, 64
				upright := orient(toRGBA(plain.Image), preprocess.Orientation(o))
				got := fill(t, in, crop, tagged)
				want := fill(t, in, crop, preprocess.Photo{Image: upright, Orientation: preprocess.Upright})
				// The resizer works in YCbCr for a JPEG and in RGB for the
				// reference: allow a few 8-bit steps of rounding.
				if diff := maxDiff(t, got, want); diff > 4.01/128 {
					t.Errorf("tensor of the tagged JPEG differs from the hand-turned one by %v", diff)
				}
			})
		}
	}
}

func toRGBA(src image.Image) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			dst.Set(x, y, src.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}
