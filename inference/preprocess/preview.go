package preprocess

import (
	"image"
	"image/draw"

	"github.com/nfnt/resize"
)

// Preview returns the photo shrunk to fit maxSide and turned upright, for
// showing on screen. The full-size decode is never handed to the UI, so a
// 12-megapixel photo costs the window one small texture.
func Preview(p Photo, maxSide int) *image.RGBA {
	b := p.Image.Bounds()
	small := p.Image
	if b.Dx() > maxSide || b.Dy() > maxSide {
		small = resize.Thumbnail(uint(maxSide), uint(maxSide), p.Image, resize.Bilinear)
	}
	return p.Orientation.Apply(toRGBA(small, nil))
}

// Thumbnail returns the photo shrunk to fit side, turned upright, for a list
// row. A nearest-neighbour pass first brings a large photo near the size
// cheaply; the bilinear pass after it smooths what that left.
func Thumbnail(p Photo, side int) *image.RGBA {
	img := p.Image
	if b := img.Bounds(); b.Dx() > 4*side || b.Dy() > 4*side {
		img = resize.Thumbnail(uint(4*side), uint(4*side), img, resize.NearestNeighbor)
	}
	return Preview(Photo{Image: img, Orientation: p.Orientation}, side)
}

// toRGBA returns img as premultiplied 8-bit RGBA at the origin. It draws
// into reuse when that has the right size, else into a new image.
func toRGBA(img image.Image, reuse *image.RGBA) *image.RGBA {
	if rgba, ok := img.(*image.RGBA); ok && rgba.Bounds().Min == (image.Point{}) {
		return rgba
	}
	b := img.Bounds()
	dst := reuse
	if dst == nil || dst.Bounds().Size() != b.Size() {
		dst = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	}
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	return dst
}
