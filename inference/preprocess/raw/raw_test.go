package raw_test

import (
	"context"
	"image"
	"image/jpeg"
	"os"
	"testing"

	"golang.org/x/image/draw"

	"github.com/spotter-app/spotter/inference/preprocess/raw"
	"github.com/spotter-app/spotter/inference/preprocess/raw/rawtest"
)

const dogPath = "/work/shared/photos/dog.jpg"

func loadPhoto(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func makeDNG(t testing.TB, src image.Image, opts rawtest.DNGOptions) []byte {
	t.Helper()
	data, err := rawtest.DNG(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// meanDiff is the mean absolute difference of the two pictures' colour
// channels (0–255) after both are shrunk to 16×16, which leaves what a
// classifier sees of the scene and drops demosaic and JPEG detail.
func meanDiff(a, b image.Image) float64 {
	small := func(img image.Image) *image.RGBA {
		s := image.NewRGBA(image.Rect(0, 0, 16, 16))
		draw.ApproxBiLinear.Scale(s, s.Bounds(), img, img.Bounds(), draw.Src, nil)
		return s
	}
	sa, sb := small(a), small(b)
	var sum float64
	for i := range sa.Pix {
		if i%4 == 3 {
			continue
		}
		d := float64(sa.Pix[i]) - float64(sb.Pix[i])
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return sum / (16 * 16 * 3)
}

func TestDecodeDemosaic(t *testing.T) {
	dog := loadPhoto(t, dogPath)
	data := makeDNG(t, dog, rawtest.DNGOptions{})
	img, orientation, err := raw.Decode(context.Background(), data, 224)
	if err != nil {
		t.Fatal(err)
	}
	if orientation != 1 {
		t.Errorf("orientation %d, want 1 for a DNG without the tag", orientation)
	}
	// Half size: each RGGB quad becomes one pixel.
	if got, want := img.Bounds().Size(), image.Pt(768/2, 576/2); got != want {
		t.Errorf("size %v, want %v", got, want)
	}
	d := meanDiff(img, dog)
	t.Logf("mean difference from the photo: %.1f of 255", d)
	if d > 8 {
		t.Errorf("the demosaiced picture differs from the photo by %.1f of 255 on average; want at most 8", d)
	}
}
