package preprocess

import (
	"fmt"
	"image"
	"image/draw"
	"math"

	"github.com/spotter-app/spotter/inference/model"
)

// Background is the colour transparent pixels are laid on before
// classification: mid grey, which the common normalisations map to (or
// near) zero, so transparency reads as "no information" rather than as a
// white or black object.
const Background = 128

// Preparer makes a model's input from a decoded photo, on a goroutine of
// its own: Tensor for a classifier, and the engine's for a model set.
type Preparer interface {
	// MinSide is the shorter side a photo should be decoded at, at least.
	MinSide() int
	// Len is the number of float32 values one input takes.
	Len() int
	// Fill writes the photo's input into dst, which holds Len() values.
	Fill(p Photo, dst []float32) error
}

// Tensor writes photos into a model's input tensor. It keeps its lookup
// tables and scratch image between photos; like the session it feeds, it is
// for one goroutine.
type Tensor struct {
	in   model.Input
	crop model.Crop
	// lut[c][v] is the normalised value of 8-bit value v in tensor channel c.
	lut     [3][256]float32
	resizer resizer
	whole   *image.RGBA // a photo of another kind, made RGBA
}

// NewTensor prepares the normalisation described by a descriptor.
func NewTensor(in model.Input, crop model.Crop) *Tensor {
	t := &Tensor{in: in, crop: crop}
	for c := 0; c < 3; c++ {
		for v := 0; v < 256; v++ {
			t.lut[c][v] = (float32(v) - in.Mean[c]) / in.Std[c]
		}
	}
	return t
}

// MinSide is the shorter side a photo needs for its crop to cover the
// model's input without enlarging: what LoadAtLeast should keep.
func (t *Tensor) MinSide() int {
	return int(math.Ceil(float64(max(t.in.Width, t.in.Height)) / t.crop.Fraction))
}

// Len is the number of float32 values one image takes.
func (t *Tensor) Len() int { return 3 * t.in.Width * t.in.Height }

// Fill crops, resizes, turns upright and normalises p into dst, which must
// hold Len() values.
func (t *Tensor) Fill(p Photo, dst []float32) (err error) {
	defer recovered("the photo", &err)
	if len(dst) != t.Len() {
		return fmt.Errorf("tensor buffer holds %d values, the model needs %d", len(dst), t.Len())
	}
	// Work in the file's pixel order and turn the small result upright: the
	// central crop is symmetric, so only the target size needs swapping.
	w, h := t.in.Width, t.in.Height
	if p.Orientation.SwapsAxes() {
		w, h = h, w
	}
	cropped, ok := CentralCrop(p.Image, t.crop).(*image.RGBA)
	if !ok {
		// Decoders other than Spotter's own give other kinds of image.
		t.whole = toRGBA(CentralCrop(p.Image, t.crop), t.whole)
		cropped = t.whole
	}
	rgba, err := t.resizer.resize(cropped, w, h)
	if err != nil {
		return err
	}
	upright := p.Orientation.Apply(rgba)
	t.normalise(upright, t.in.Width, t.in.Height, dst)
	return nil
}

// CentralCrop returns the central region the model expects.
func CentralCrop(img image.Image, crop model.Crop) image.Image {
	b := img.Bounds()
	cw := int(math.Round(float64(b.Dx()) * crop.Fraction))
	ch := int(math.Round(float64(b.Dy()) * crop.Fraction))
	if crop.Mode == model.CropSquare {
		side := int(math.Round(float64(min(b.Dx(), b.Dy())) * crop.Fraction))
		cw, ch = side, side
	}
	cw, ch = max(cw, 1), max(ch, 1)
	x0 := b.Min.X + (b.Dx()-cw)/2
	y0 := b.Min.Y + (b.Dy()-ch)/2
	if _, ok := img.(*image.YCbCr); ok {
		// nfnt/resize reads a YCbCr sub-image's subsampled chroma as if its
		// origin were even; an odd origin would shift colour by a pixel
		// against brightness. Moving the crop by one pixel is harmless.
		x0 -= x0 & 1
		y0 -= y0 & 1
	}
	r := image.Rect(x0, y0, x0+cw, y0+ch)
	if r == b {
		return img
	}
	if s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return s.SubImage(r)
	}
	dst := image.NewRGBA(image.Rect(0, 0, cw, ch))
	draw.Draw(dst, dst.Bounds(), img, r.Min, draw.Src)
	return dst
}

// normalise reads Pix directly (At() per pixel allocates) and lays
// premultiplied colour over the grey background in the same pass. It
// writes img's top-left w×h pixels to the same places of the input, whose
// own size may be larger (a detector's letterbox).
func (t *Tensor) normalise(img *image.RGBA, w, h int, dst []float32) {
	W := t.in.Width
	plane := W * t.in.Height
	order := [3]int{0, 1, 2}
	if t.in.Channels == "BGR" {
		order = [3]int{2, 1, 0}
	}
	nchw := t.in.Layout == model.NCHW
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := 0; x < w; x++ {
			px := row[4*x : 4*x+4 : 4*x+4]
			under := (Background*(255-int(px[3])) + 127) / 255
			i := y*W + x
			for c := 0; c < 3; c++ {
				v := t.lut[c][min(int(px[order[c]])+under, 255)]
				if nchw {
					dst[c*plane+i] = v
				} else {
					dst[3*i+c] = v
				}
			}
		}
	}
}
