package preprocess

// JPEG XL through libjxl (apt-get install libjxl-dev). Debian ships it only
// as a shared library; the package carries it in lib/spotter, found through
// the RPATH the heif package sets.

/*
#cgo pkg-config: libjxl
#include <stdlib.h>
#include "jxl.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"unsafe"
)

// jxlFormat returns "jxl" when head is a JPEG XL codestream or container.
func jxlFormat(head []byte) string {
	if len(head) >= 2 && head[0] == 0xff && head[1] == 0x0a ||
		len(head) >= 12 && string(head[:12]) == "\x00\x00\x00\x0cJXL \x0d\x0a\x87\x0a" {
		return "jxl"
	}
	return ""
}

// errJXL is libjxl's failure, which it does not explain further.
var errJXL = errors.New("the JPEG XL decoder rejected the data")

// jxlSizeError carries the size a JPEG XL header claims.
type jxlSizeError struct{ width, height int }

func (e *jxlSizeError) Error() string { return fmt.Sprintf("jxl: %d×%d pixels", e.width, e.height) }

// decodeJXL decodes the first frame of a JPEG XL file, turned upright as its
// header says, box-shrunk to what the crop needs.
func decodeJXL(ctx context.Context, data []byte, maxPixels int64, minSide int) (*image.RGBA, error) {
	if len(data) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	var out C.struct_spotter_jxl
	switch C.spotter_jxl_decode((*C.uint8_t)(unsafe.Pointer(&data[0])), C.size_t(len(data)), C.int64_t(maxPixels), &out) {
	case C.SPOTTER_JXL_TRUNCATED:
		return nil, io.ErrUnexpectedEOF
	case C.SPOTTER_JXL_TOO_LARGE:
		return nil, &jxlSizeError{int(out.width), int(out.height)}
	case C.SPOTTER_JXL_ERROR:
		return nil, errJXL
	}
	defer C.free(unsafe.Pointer(out.pix))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w, h, bpp := int(out.width), int(out.height), 3
	if out.alpha != 0 {
		bpp = 4
	}
	threads := 1
	if w*h*bpp >= pngParallelBytes {
		threads = 2
	}
	return boxShrink(ctx, unsafe.Pointer(out.pix), w*bpp, w, h, bpp, boxFactor(w, h, minSide), threads)
}

// jxlError explains a failed JPEG XL decode.
func jxlError(name string, maxPixels int64, err error) error {
	var size *jxlSizeError
	switch {
	case errors.As(err, &size):
		return tooLarge(name, size.width, size.height, maxPixels)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return cutOff(name)
	}
	return fmt.Errorf("%s is a JPEG XL image that looks damaged and cannot be decoded (%v). Try opening it in another program and saving a fresh copy", name, err)
}
