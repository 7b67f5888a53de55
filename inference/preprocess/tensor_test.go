package preprocess_test

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/preprocess"
)

var testColour = color.RGBA{100, 150, 200, 255}

func TestTensorLen(t *testing.T) {
	d := quant(t)
	if got := preprocess.NewTensor(d.Input, d.Crop).Len(); got != 3*224*224 {
		t.Errorf("Len() = %d, want %d", got, 3*224*224)
	}
	in := d.Input
	in.Width, in.Height = 32, 48
	if got := preprocess.NewTensor(in, d.Crop).Len(); got != 3*32*48 {
		t.Errorf("Len() for 32×48 = %d, want %d", got, 3*32*48)
	}
}

func TestFillWrongBufferLength(t *testing.T) {
	d := quant(t)
	tensor := preprocess.NewTensor(d.Input, d.Crop)
	p := preprocess.Photo{Image: uniform(10, 10, testColour), Orientation: preprocess.Upright}
	for _, n := range []int{0, tensor.Len() - 1, tensor.Len() + 1} {
		err := tensor.Fill(p, make([]float32, n))
		if err == nil {
			t.Fatalf("Fill accepted a buffer of %d values", n)
		}
		if !strings.Contains(err.Error(), strconv.Itoa(n)) || !strings.Contains(err.Error(), strconv.Itoa(tensor.Len())) {
			t.Errorf("error %q should name both sizes", err)
		}
	}
}

// TestFillKnownPixelNCHW: a uniform photo through the quant descriptor
// (mean = std = 128) gives exactly (v-128)/128 in each channel plane.
func TestFillKnownPixelNCHW(t *testing.T) {
	d := quant(t)
	dst := fill(t, d.Input, d.Crop, preprocess.Photo{Image: uniform(300, 200, testColour), Orientation: preprocess.Upright})
	plane := 224 * 224
	want := [3]float32{(100 - 128) / 128.0, (150 - 128) / 128.0, (200 - 128) / 128.0}
	if want != [3]float32{-0.21875, 0.171875, 0.5625} {
		t.Fatalf("test arithmetic is off: %v", want)
	}
	for c := 0; c < 3; c++ {
		for i := 0; i < plane; i++ {
			if got := dst[c*plane+i]; got != want[c] {
				t.Fatalf("channel %d value %d = %v, want exactly %v", c, i, got, want[c])
			}
		}
	}
}

func TestFillKnownPixelNHWC(t *testing.T) {
	d := quant(t)
	in := d.Input
	in.Layout = model.NHWC
	dst := fill(t, in, d.Crop, preprocess.Photo{Image: uniform(300, 200, testColour), Orientation: preprocess.Upright})
	want := [3]float32{-0.21875, 0.171875, 0.5625}
	for i := 0; i < 224*224; i++ {
		for c := 0; c < 3; c++ {
			if got := dst[3*i+c]; got != want[c] {
				t.Fatalf("pixel %d channel %d = %v, want exactly %v (interleaved)", i, c, got, want[c])
			}
		}
	}
}

func TestFillBGR(t *testing.T) {
	d := quant(t)
	in := d.Input
	in.Channels = "BGR"
	dst := fill(t, in, d.Crop, preprocess.Photo{Image: uniform(300, 200, testColour), Orientation: preprocess.Upright})
	plane := 224 * 224
	want := [3]float32{0.5625, 0.171875, -0.21875} // blue, green, red
	for c := 0; c < 3; c++ {
		for i := 0; i < plane; i++ {
			if got := dst[c*plane+i]; got != want[c] {
				t.Fatalf("BGR channel %d value %d = %v, want exactly %v", c, i, got, want[c])
			}
		}
	}
}

// TestFillBGRMeanFollowsChannels: mean and std are given in the order of
// Channels, so with BGR Mean[0] applies to blue.
func TestFillBGRMeanFollowsChannels(t *testing.T) {
	d := quant(t)
	in := d.Input
	in.Channels = "BGR"
	in.Layout = model.NHWC
	in.Mean = [3]float32{10, 20, 30}
	in.Std = [3]float32{1, 2, 4}
	dst := fill(t, in, d.Crop, preprocess.Photo{Image: uniform(64, 64, testColour), Orientation: preprocess.Upright})
	want := [3]float32{(200 - 10) / 1.0, (150 - 20) / 2.0, (100 - 30) / 4.0}
	for i := 0; i < 224*224; i++ {
		for c := 0; c < 3; c++ {
			if got := dst[3*i+c]; got != want[c] {
				t.Fatalf("pixel %d channel %d = %v, want %v", i, c, got, want[c])
			}
		}
	}
}

func TestFillZooNormalisation(t *testing.T) {
	d := zoo(t)
	dst := fill(t, d.Input, d.Crop, preprocess.Photo{Image: uniform(256, 300, testColour), Orientation: preprocess.Upright})
	mean := [3]float64{123.675, 116.28, 103.53}
	std := [3]float64{58.395, 57.12, 57.375}
	pix := [3]float64{100, 150, 200}
	plane := 224 * 224
	for c := 0; c < 3; c++ {
		want := (pix[c] - mean[c]) / std[c]
		for i := 0; i < plane; i++ {
			if got := float64(dst[c*plane+i]); math.Abs(got-want) > 1e-6 {
				t.Fatalf("channel %d value %d = %v, want %v ± 1e-6", c, i, got, want)
			}
		}
	}
}

// TestFillLayoutPerPixel uses a tensor the photo's size with no crop, so no
// resampling happens and every value can be checked at its exact place.
func TestFillLayoutPerPixel(t *testing.T) {
	const w, h = 4, 2
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	px := func(x, y int) color.RGBA {
		return color.RGBA{uint8(10*x + y), uint8(100 + 10*x + y), uint8(200 + 10*x + y), 255}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, px(x, y))
		}
	}
	crop := model.Crop{Mode: model.CropEachSide, Fraction: 1}
	for _, layout := range []model.Layout{model.NCHW, model.NHWC} {
		for _, channels := range []string{"RGB", "BGR"} {
			t.Run(string(layout)+"/"+channels, func(t *testing.T) {
				in := model.Input{Name: "x", Layout: layout, Width: w, Height: h, Channels: channels,
					Mean: [3]float32{0, 0, 0}, Std: [3]float32{1, 1, 1}}
				dst := fill(t, in, crop, preprocess.Photo{Image: img, Orientation: preprocess.Upright})
				for y := 0; y < h; y++ {
					for x := 0; x < w; x++ {
						p := px(x, y)
						want := [3]float32{float32(p.R), float32(p.G), float32(p.B)}
						if channels == "BGR" {
							want[0], want[2] = want[2], want[0]
						}
						for c := 0; c < 3; c++ {
							i := c*w*h + y*w + x
							if layout == model.NHWC {
								i = 3*(y*w+x) + c
							}
							if dst[i] != want[c] {
								t.Errorf("pixel (%d,%d) channel %d at index %d = %v, want %v", x, y, c, i, dst[i], want[c])
							}
						}
					}
				}
			})
		}
	}
}

// TestFillNonSquareInput checks that width and height are not swapped: a
// photo whose left half is red fills the left half of a wide tensor.
func TestFillNonSquareInput(t *testing.T) {
	img := uniform(200, 100, color.RGBA{0, 0, 255, 255})
	draw.Draw(img, image.Rect(0, 0, 100, 100), image.NewUniform(color.RGBA{255, 0, 0, 255}), image.Point{}, draw.Src)
	const w, h = 40, 10
	in := model.Input{Name: "x", Layout: model.NCHW, Width: w, Height: h, Channels: "RGB",
		Mean: [3]float32{0, 0, 0}, Std: [3]float32{255, 255, 255}}
	dst := fill(t, in, model.Crop{Mode: model.CropEachSide, Fraction: 1}, preprocess.Photo{Image: img, Orientation: preprocess.Upright})
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x >= w/2-1 && x <= w/2 {
				continue // the blended seam
			}
			red, blue := dst[y*w+x], dst[2*w*h+y*w+x]
			if x < w/2 && (red < 0.99 || blue > 0.01) || x > w/2 && (red > 0.01 || blue < 0.99) {
				t.Fatalf("(%d,%d): red %v blue %v; left half should be red, right half blue", x, y, red, blue)
			}
		}
	}
}

func TestFillTransparent(t *testing.T) {
	for _, name := range []string{"mobilenet_v2_1.0_224_quant.json", "mobilenetv2-12.json"} {
		t.Run(name, func(t *testing.T) {
			d := descriptor(t, name)
			for _, img := range []image.Image{
				image.NewRGBA(image.Rect(0, 0, 300, 200)),  // transparent black
				image.NewNRGBA(image.Rect(0, 0, 300, 200)), // transparent black, non-premultiplied
				func() image.Image { // transparent white: colour must not show through
					m := image.NewNRGBA(image.Rect(0, 0, 300, 200))
					for i := range m.Pix {
						if i%4 != 3 {
							m.Pix[i] = 255
						}
					}
					return m
				}(),
			} {
				dst := fill(t, d.Input, d.Crop, preprocess.Photo{Image: img, Orientation: preprocess.Upright})
				plane := 224 * 224
				for c := 0; c < 3; c++ {
					want := (float32(preprocess.Background) - d.Input.Mean[c]) / d.Input.Std[c]
					for i := 0; i < plane; i++ {
						if got := dst[c*plane+i]; math.Abs(float64(got-want)) > 1e-6 {
							t.Fatalf("%T: channel %d value %d = %v, want the background's %v", img, c, i, got, want)
						}
					}
				}
			}
		})
	}
}

func TestFillHalfAlphaComposited(t *testing.T) {
	d := quant(t)
	tests := []struct {
		name string
		c    color.NRGBA
	}{
		{"red at half", color.NRGBA{255, 0, 0, 128}},
		{"black at half", color.NRGBA{0, 0, 0, 128}},
		{"white at quarter", color.NRGBA{255, 255, 255, 64}},
		{"colour at three quarters", color.NRGBA{100, 150, 200, 191}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := image.NewNRGBA(image.Rect(0, 0, 120, 90))
			draw.Draw(img, img.Bounds(), image.NewUniform(tc.c), image.Point{}, draw.Src)
			dst := fill(t, d.Input, d.Crop, preprocess.Photo{Image: img, Orientation: preprocess.Upright})
			a := float64(tc.c.A) / 255
			plane := 224 * 224
			for c, v := range []uint8{tc.c.R, tc.c.G, tc.c.B} {
				composite := float64(v)*a + preprocess.Background*(1-a)
				want := (composite - 128) / 128
				for i := 0; i < plane; i++ {
					// Premultiplication (truncated by the resizer) and
					// compositing each round to 8 bits: allow 1.5 steps.
					if got := float64(dst[c*plane+i]); math.Abs(got-want) > 1.5/128 {
						t.Fatalf("channel %d value %d = %v, want %v (composite %.2f over grey)", c, i, got, want, composite)
					}
				}
			}
		})
	}
}

func TestCentralCropGeometry(t *testing.T) {
	tests := []struct {
		name   string
		bounds image.Rectangle
		crop   model.Crop
		want   image.Rectangle
	}{
		{"each_side half", image.Rect(0, 0, 100, 60), model.Crop{Mode: model.CropEachSide, Fraction: 0.5}, image.Rect(25, 15, 75, 45)},
		{"square 0.875 landscape", image.Rect(0, 0, 400, 200), model.Crop{Mode: model.CropSquare, Fraction: 0.875}, image.Rect(112, 12, 287, 187)},
		{"square half portrait", image.Rect(0, 0, 200, 400), model.Crop{Mode: model.CropSquare, Fraction: 0.5}, image.Rect(50, 150, 150, 250)},
		{"each_side 0.875", image.Rect(0, 0, 256, 256), model.Crop{Mode: model.CropEachSide, Fraction: 0.875}, image.Rect(16, 16, 240, 240)},
		{"offset bounds", image.Rect(10, 20, 110, 80), model.Crop{Mode: model.CropEachSide, Fraction: 0.5}, image.Rect(35, 35, 85, 65)},
		{"square full", image.Rect(0, 0, 400, 200), model.Crop{Mode: model.CropSquare, Fraction: 1}, image.Rect(100, 0, 300, 200)},
		{"tiny keeps a pixel", image.Rect(0, 0, 3, 3), model.Crop{Mode: model.CropEachSide, Fraction: 0.1}, image.Rect(1, 1, 2, 2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := image.NewRGBA(tc.bounds)
			got := preprocess.CentralCrop(img, tc.crop).Bounds()
			if got != tc.want {
				t.Errorf("CentralCrop(%v, %+v) = %v (%dx%d), want %v (%dx%d)",
					tc.bounds, tc.crop, got, got.Dx(), got.Dy(), tc.want, tc.want.Dx(), tc.want.Dy())
			}
			// Centred: the margins differ by at most one pixel.
			left, right := got.Min.X-tc.bounds.Min.X, tc.bounds.Max.X-got.Max.X
			top, bottom := got.Min.Y-tc.bounds.Min.Y, tc.bounds.Max.Y-got.Max.Y
			if abs(left-right) > 1 || abs(top-bottom) > 1 {
				t.Errorf("crop %v is not centred in %v: margins %d/%d, %d/%d", got, tc.bounds, left, right, top, bottom)
			}
		})
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestCentralCropWholeReturnsImage(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 50, 40))
	got := preprocess.CentralCrop(img, model.Crop{Mode: model.CropEachSide, Fraction: 1})
	if got != image.Image(img) {
		t.Errorf("CentralCrop with fraction 1 returned a copy; want the image itself")
	}
}

func TestCentralCropKeepsPixels(t *testing.T) {
	src := noisy(100, 60)
	crop := model.Crop{Mode: model.CropEachSide, Fraction: 0.5}
	// plain hides every method but those of image.Image, so CentralCrop
	// has to copy instead of taking a SubImage.
	type plain struct{ image.Image }
	for _, img := range []image.Image{src, plain{src}} {
		got := preprocess.CentralCrop(img, crop)
		gb := got.Bounds()
		if gb.Dx() != 50 || gb.Dy() != 30 {
			t.Fatalf("%T: crop is %v, want 50x30", img, gb)
		}
		for y := 0; y < 30; y++ {
			for x := 0; x < 50; x++ {
				if g, w := got.At(gb.Min.X+x, gb.Min.Y+y), src.At(25+x, 15+y); g != w {
					t.Fatalf("%T: crop pixel (%d,%d) = %v, want source pixel (%d,%d) = %v", img, x, y, g, 25+x, 15+y, w)
				}
			}
		}
	}
}

// framed is a w×h white image with everything outside inner painted red.
func framed(w, h int, inner image.Rectangle) *image.RGBA {
	img := uniform(w, h, color.RGBA{255, 0, 0, 255})
	draw.Draw(img, inner, image.NewUniform(color.White), image.Point{}, draw.Src)
	return img
}

// TestFillCropExcludesFrame: a red frame outside the crop region must not
// reach the tensor, not even through the resize filter's edge taps.
func TestFillCropExcludesFrame(t *testing.T) {
	d := quant(t)
	white := float64(255-128) / 128
	tests := []struct {
		name string
		img  *image.RGBA
		crop model.Crop
	}{
		{"each_side 0.6 of a 40px frame", framed(200, 200, image.Rect(40, 40, 160, 160)), model.Crop{Mode: model.CropEachSide, Fraction: 0.6}},
		{"square 0.5 of a landscape", framed(300, 200, image.Rect(100, 50, 200, 150)), model.Crop{Mode: model.CropSquare, Fraction: 0.5}},
		{"each_side 0.875 of 256", framed(256, 256, image.Rect(16, 16, 240, 240)), model.Crop{Mode: model.CropEachSide, Fraction: 0.875}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, img := range []image.Image{tc.img, toNRGBA(tc.img)} {
				dst := fill(t, d.Input, tc.crop, preprocess.Photo{Image: img, Orientation: preprocess.Upright})
				for i, v := range dst {
					if math.Abs(float64(v)-white) > 1.01/128 {
						t.Fatalf("%T: value %d (channel %d) = %v, want white's %v: the red frame leaked in", img, i, i/(224*224), v, white)
					}
				}
			}
			// Control: without the crop the frame does show.
			dst := fill(t, d.Input, model.Crop{Mode: model.CropEachSide, Fraction: 1}, preprocess.Photo{Image: tc.img, Orientation: preprocess.Upright})
			if dst[224*224] > -0.99 { // green channel of the top-left pixel
				t.Errorf("control: uncropped top-left green = %v, want red's -1", dst[224*224])
			}
		})
	}
}

func toNRGBA(src image.Image) *image.NRGBA {
	b := src.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
	return dst
}

// TestFillOrientationMatchesRotatedPhoto: filling a stored photo with an
// EXIF orientation gives the tensor of the same photo physically turned
// upright, for every orientation and both crop modes.
func TestFillOrientationMatchesRotatedPhoto(t *testing.T) {
	stored := quadrants(320, 240) // the crops' margins are even, so they are symmetric
	d := quant(t)
	in := d.Input
	in.Width, in.Height = 32, 48 // non-square, so a missed swap shows
	for _, crop := range []model.Crop{{Mode: model.CropEachSide, Fraction: 0.875}, {Mode: model.CropSquare, Fraction: 0.875}} {
		var refs [][]float32
		for o := preprocess.Upright; o <= preprocess.Rotate90CCW; o++ {
			t.Run(string(crop.Mode)+"/"+strconv.Itoa(int(o)), func(t *testing.T) {
				got := fill(t, in, crop, preprocess.Photo{Image: stored, Orientation: o})
				want := fill(t, in, crop, preprocess.Photo{Image: orient(stored, o), Orientation: preprocess.Upright})
				if diff := maxDiff(t, got, want); diff > 2.01/128 {
					t.Errorf("orientation %d: tensor differs from the turned photo's by up to %v", o, diff)
				}
				refs = append(refs, want)
			})
		}
		// The eight references must all differ, or the test proves nothing.
		for i := range refs {
			for j := i + 1; j < len(refs); j++ {
				if maxDiff(t, refs[i], refs[j]) < 0.5 {
					t.Errorf("%s: orientations %d and %d give the same tensor", crop.Mode, i+1, j+1)
				}
			}
		}
	}
}

// TestFillReusesScratchSafely: a Tensor keeps scratch space between photos;
// the second photo's tensor must not depend on the first.
func TestFillReusesScratchSafely(t *testing.T) {
	d := quant(t)
	tensor := preprocess.NewTensor(d.Input, d.Crop)
	first := make([]float32, tensor.Len())
	second := make([]float32, tensor.Len())
	a := toNRGBA(quadrants(300, 200))
	b := toNRGBA(uniform(300, 200, testColour))
	if err := tensor.Fill(preprocess.Photo{Image: a, Orientation: preprocess.Upright}, first); err != nil {
		t.Fatal(err)
	}
	if err := tensor.Fill(preprocess.Photo{Image: b, Orientation: preprocess.Rotate90CW}, second); err != nil {
		t.Fatal(err)
	}
	fresh := fill(t, d.Input, d.Crop, preprocess.Photo{Image: b, Orientation: preprocess.Rotate90CW})
	if diff := maxDiff(t, second, fresh); diff != 0 {
		t.Errorf("second Fill on a reused Tensor differs from a fresh Tensor's by %v", diff)
	}
	again := fill(t, d.Input, d.Crop, preprocess.Photo{Image: a, Orientation: preprocess.Upright})
	if diff := maxDiff(t, first, again); diff != 0 {
		t.Errorf("first photo's tensor is not reproducible: differs by %v", diff)
	}
}

// TestFillLeavesPhotoUntouched: Fill must not write into the photo.
func TestFillLeavesPhotoUntouched(t *testing.T) {
	d := quant(t)
	src := quadrants(300, 200)
	orig := append([]uint8(nil), src.Pix...)
	tensor := preprocess.NewTensor(d.Input, d.Crop)
	dst := make([]float32, tensor.Len())
	for o := preprocess.Upright; o <= preprocess.Rotate90CCW; o++ {
		if err := tensor.Fill(preprocess.Photo{Image: src, Orientation: o}, dst); err != nil {
			t.Fatal(err)
		}
	}
	for i := range orig {
		if src.Pix[i] != orig[i] {
			t.Fatalf("Fill changed the photo's pixel byte %d", i)
		}
	}
}

// Resizing keeps the photo's mean brightness: nfnt/resize's 8-bit path
// alone would make it about one level darker, which moved this model's
// answers by several hundredths.
func TestFillKeepsBrightness(t *testing.T) {
	d := quant(t)
	src := noisy(448, 448)
	var sum float64
	for i, v := range src.Pix {
		if i%4 != 3 {
			sum += float64(v)
		}
	}
	want := sum / float64(448*448*3)
	dst := fill(t, d.Input, model.Crop{Mode: model.CropEachSide, Fraction: 1}, preprocess.Photo{Image: src})
	var got float64
	for _, v := range dst {
		got += float64(v)*128 + 128 // back to levels
	}
	got /= float64(len(dst))
	if math.Abs(got-want) > 0.25 {
		t.Errorf("mean level %.3f after Fill, %.3f before: the resize shifted brightness", got, want)
	}
}
