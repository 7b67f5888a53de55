package preprocess

// Every C file of the package is built with these flags: warnings are
// errors waiting to happen in code that handles untrusted bytes.

/*
#cgo CFLAGS: -O3 -Wall -Wextra
#include "shrink.h"
*/
import "C"

import (
	"context"
	"image"
	"unsafe"
)

// maxShrink is the largest box-shrink factor; a larger one leaves the rest
// to the resize that follows. It keeps the sums within 32 bits.
const maxShrink = 64

// shrinkBand is how many rows are shrunk between checks of the context.
const shrinkBand = 256

// boxFactor is the largest whole factor that keeps twice minSide pixels on
// the shorter side of a w×h image (1 when minSide is 0). A box alone is a
// crude filter and this model's answer moves with it (the 12-megapixel PNG
// in bench/compare: 0.11 from the peer's probability when shrunk to 1×,
// 0.06 at 2×), so the resize that follows does the last step.
func boxFactor(w, h, minSide int) int {
	if minSide <= 0 {
		return 1
	}
	return min(max(min(w, h)/(2*minSide), 1), maxShrink)
}

// boxShrink averages a w×h image k×k into a new premultiplied RGBA image.
// Row y of the source starts at pix + y*stride and holds w pixels of bpp
// bytes (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA with straight alpha); pix must
// stay valid until boxShrink returns. With two threads the upper and lower
// halves shrink at once: the bands are independent.
func boxShrink(ctx context.Context, pix unsafe.Pointer, stride, w, h, bpp, k, threads int) (*image.RGBA, error) {
	ow, oh := (w+k-1)/k, (h+k-1)/k
	img := image.NewRGBA(image.Rect(0, 0, ow, oh))
	band := (shrinkBand + k - 1) / k * k // whole blocks, so a band ends a block
	shrink := func(y0, y1 int) error {
		sums := make([]uint32, 4*ow)
		for b := y0; b < y1; b += band {
			if err := ctx.Err(); err != nil {
				return err
			}
			C.spotter_box_shrink((*C.uint8_t)(pix), C.size_t(stride), C.int(w), C.int(h), C.int(bpp), C.int(k),
				C.int(b), C.int(min(b+band, y1)),
				(*C.uint32_t)(unsafe.Pointer(&sums[0])), (*C.uint8_t)(unsafe.Pointer(&img.Pix[0])), C.int(img.Stride))
		}
		return nil
	}
	if threads == 1 {
		if err := shrink(0, h); err != nil {
			return nil, err
		}
		return img, nil
	}
	mid := min((h/2+band-1)/band*band, h)
	lower := make(chan error, 1)
	go func() { lower <- shrink(mid, h) }()
	err := shrink(0, mid)
	if err2 := <-lower; err == nil {
		err = err2
	}
	if err != nil {
		return nil, err
	}
	return img, nil
}
