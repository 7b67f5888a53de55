package preprocess

import (
	"fmt"
	"image"
	"math"

	"github.com/spotter-app/spotter/inference/model"
)

// Letterbox writes photos into a detector's input: the upright photo scaled
// to fit the input whole, keeping its aspect, at the top-left corner, the
// rest filled with the pad value; raw 0…255 values, NCHW, in the
// descriptor's channel order. Like Tensor it keeps scratch between photos
// and is for one goroutine.
type Letterbox struct {
	in      model.Input
	pad     float32
	values  *Tensor // the descriptor's values (raw 0…255) and channel order
	rgba    *image.RGBA
	resizer resizer
}

// NewLetterbox prepares a detector's input as its descriptor states it.
func NewLetterbox(in model.Input, lb model.Letterbox) *Letterbox {
	return &Letterbox{in: in, pad: float32(lb.Pad), values: NewTensor(in, model.Crop{})}
}

// Len is the number of float32 values one input takes.
func (l *Letterbox) Len() int { return 3 * l.in.Width * l.in.Height }

// MinSide is the shorter side a 4:3 photo, the commonest shape, needs for
// its longer side to cover the input: wider photos are enlarged a little,
// which the detectors' coarse grids do not notice.
func (l *Letterbox) MinSide() int { return (3*max(l.in.Width, l.in.Height) + 3) / 4 }

// Fit is where an upright photo of size lands in the input: scaled by
// Scale, Width × Height pixels from the top-left corner.
type Fit struct {
	Scale         float64
	Width, Height int
}

// FitOf is the letterbox of a photo of the given upright size: r = the
// smaller of the input's width and height over the photo's, and the photo
// rounded to whole pixels at that scale.
func (l *Letterbox) FitOf(size image.Point) Fit {
	r := math.Min(float64(l.in.Width)/float64(size.X), float64(l.in.Height)/float64(size.Y))
	return Fit{
		Scale:  r,
		Width:  min(max(int(math.Round(float64(size.X)*r)), 1), l.in.Width),
		Height: min(max(int(math.Round(float64(size.Y)*r)), 1), l.in.Height),
	}
}

// Fill lays p into dst, which must hold Len() values, and says where it
// landed. The scale is measured against the photo's full size, so boxes
// map back to the photo's own pixels even when it was decoded shrunk.
// The resize is the antialiased bilinear of the detectors' READMEs, made
// in the stored orientation and turned upright at its small size.
func (l *Letterbox) Fill(p Photo, dst []float32) (fit Fit, err error) {
	defer recovered("the photo", &err)
	if len(dst) != l.Len() {
		return Fit{}, fmt.Errorf("tensor buffer holds %d values, the model needs %d", len(dst), l.Len())
	}
	fit = l.FitOf(p.Size())
	w, h := fit.Width, fit.Height
	if p.Orientation.SwapsAxes() {
		w, h = h, w
	}
	src := toRGBA(p.Image, l.rgba)
	if src != p.Image {
		l.rgba = src
	}
	small, err := l.resizer.resize(src, w, h)
	if err != nil {
		return Fit{}, err
	}
	l.write(p.Orientation.Apply(small), dst)
	return fit, nil
}

// write copies img to the top-left of dst, laying transparency on the grey
// background as Tensor does, and pads the rest.
func (l *Letterbox) write(img *image.RGBA, dst []float32) {
	W, H := l.in.Width, l.in.Height
	b := img.Bounds()
	w, h := min(b.Dx(), W), min(b.Dy(), H)
	l.values.normalise(img, w, h, dst)
	plane := W * H
	for c := 0; c < 3; c++ {
		for y := 0; y < h; y++ {
			fill(dst[c*plane+y*W+w:c*plane+(y+1)*W], l.pad)
		}
		fill(dst[c*plane+h*W:(c+1)*plane], l.pad)
	}
}

// Repad copies a letterboxed input whose photo covers fit, replacing the
// padding with pad: two detectors of the same input size that want
// different padding share one resize.
func Repad(src, dst []float32, width, height int, fit Fit, pad float32) {
	plane := width * height
	for c := 0; c < 3; c++ {
		for y := 0; y < height; y++ {
			row := c*plane + y*width
			if y >= fit.Height {
				fill(dst[row:row+width], pad)
				continue
			}
			copy(dst[row:row+fit.Width], src[row:row+fit.Width])
			fill(dst[row+fit.Width:row+width], pad)
		}
	}
}

func fill(s []float32, v float32) {
	for i := range s {
		s[i] = v
	}
}
