package preprocess_test

import (
	"image"
	"image/color"
	"testing"

	"github.com/spotter-app/spotter/inference/preprocess"
)

func TestPreviewSize(t *testing.T) {
	tests := []struct {
		name         string
		w, h         int
		o            preprocess.Orientation
		maxSide      int
		wantW, wantH int
	}{
		{"landscape shrinks", 2000, 1000, preprocess.Upright, 640, 640, 320},
		{"landscape rotated 90° CW", 2000, 1000, preprocess.Rotate90CW, 640, 320, 640},
		{"landscape rotated 90° CCW", 2000, 1000, preprocess.Rotate90CCW, 640, 320, 640},
		{"landscape transposed", 2000, 1000, preprocess.Transpose, 640, 320, 640},
		{"landscape upside down", 2000, 1000, preprocess.Rotate180, 640, 640, 320},
		{"portrait shrinks", 1000, 2000, preprocess.Upright, 640, 320, 640},
		{"square", 1500, 1500, preprocess.Upright, 640, 640, 640},
		{"tall and thin", 100, 3000, preprocess.Upright, 640, 21, 640},
		{"only one side too big", 700, 300, preprocess.Upright, 640, 640, 274},
		{"small is not enlarged", 300, 200, preprocess.Upright, 640, 300, 200},
		{"small rotated", 300, 200, preprocess.Rotate90CW, 640, 200, 300},
		{"exactly the limit", 640, 480, preprocess.Upright, 640, 640, 480},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := image.NewNRGBA(image.Rect(0, 0, tc.w, tc.h))
			got := preprocess.Preview(preprocess.Photo{Image: img, Orientation: tc.o}, tc.maxSide)
			b := got.Bounds()
			if b.Dx() != tc.wantW || b.Dy() != tc.wantH {
				t.Errorf("Preview of %dx%d (orientation %d) is %dx%d, want %dx%d", tc.w, tc.h, tc.o, b.Dx(), b.Dy(), tc.wantW, tc.wantH)
			}
			if b.Dx() > tc.maxSide || b.Dy() > tc.maxSide {
				t.Errorf("Preview %v exceeds %d", b, tc.maxSide)
			}
			if b.Min != (image.Point{}) {
				t.Errorf("Preview starts at %v, want the origin", b.Min)
			}
		})
	}
}

// TestPreviewTurnsUpright: the preview of a photo tagged orientation 6 shows
// the stored top-left quadrant at the top right.
func TestPreviewTurnsUpright(t *testing.T) {
	stored := quadrants(2000, 1000) // red top-left, green top-right, blue bottom-left, yellow bottom-right
	tests := []struct {
		o                   preprocess.Orientation
		topLeft, bottomLeft color.RGBA
	}{
		{preprocess.Upright, stored.RGBAAt(0, 0), stored.RGBAAt(0, 999)},
		{preprocess.Rotate90CW, stored.RGBAAt(0, 999), stored.RGBAAt(1999, 999)},
		{preprocess.Rotate180, stored.RGBAAt(1999, 999), stored.RGBAAt(1999, 0)},
		{preprocess.Rotate90CCW, stored.RGBAAt(1999, 0), stored.RGBAAt(0, 0)},
	}
	for _, tc := range tests {
		got := preprocess.Preview(preprocess.Photo{Image: stored, Orientation: tc.o}, 640)
		b := got.Bounds()
		if tl := got.RGBAAt(5, 5); !near(tl, tc.topLeft) {
			t.Errorf("orientation %d: top-left %v, want %v", tc.o, tl, tc.topLeft)
		}
		if bl := got.RGBAAt(5, b.Max.Y-5); !near(bl, tc.bottomLeft) {
			t.Errorf("orientation %d: bottom-left %v, want %v", tc.o, bl, tc.bottomLeft)
		}
	}
}

func near(a, b color.RGBA) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= 2 && int(y)-int(x) <= 2 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && d(a.A, b.A)
}

// TestPreviewLeavesPhotoUntouched: the preview is drawn from the photo, not
// into it.
func TestPreviewLeavesPhotoUntouched(t *testing.T) {
	src := quadrants(900, 700)
	orig := append([]uint8(nil), src.Pix...)
	for o := preprocess.Upright; o <= preprocess.Rotate90CCW; o++ {
		preprocess.Preview(preprocess.Photo{Image: src, Orientation: o}, 640)
	}
	for i := range orig {
		if src.Pix[i] != orig[i] {
			t.Fatalf("Preview changed the photo's pixel byte %d", i)
		}
	}
}

// TestPreviewOfLoadedJPEG goes from file to preview.
func TestPreviewOfLoadedJPEG(t *testing.T) {
	jpg := insertAfterSOI(t, encodeJPEG(t, quadrants(1200, 800), 90), exifSegment(orientationTIFF("II", 6)))
	p, err := loadBytes(t, "big.jpg", jpg)
	if err != nil {
		t.Fatal(err)
	}
	b := preprocess.Preview(p, 640).Bounds()
	if b.Dx() != 426 || b.Dy() != 640 {
		t.Errorf("preview of a 1200x800 photo tagged 6 is %dx%d, want 426x640 (the short side is truncated)", b.Dx(), b.Dy())
	}
}
