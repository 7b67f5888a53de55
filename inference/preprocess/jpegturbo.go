package preprocess

// libjpeg-turbo is linked statically: the packaged program must run where
// the shared library has another name (libjpeg.so.62 on Debian, .8 on
// Ubuntu). Building needs its headers and archive (apt-get install
// libjpeg-dev).

/*
#cgo CFLAGS: -Wall -Wextra
#cgo LDFLAGS: -l:libjpeg.a
#include <stdlib.h>
#include "jpegturbo.h"
*/
import "C"

import (
	"errors"
	"image"
	"io"
	"unsafe"
)

// errCMYK means libjpeg-turbo was not asked to convert the photo's colours;
// Go's decoder handles CMYK and YCCK JPEGs instead.
var errCMYK = errors.New("CMYK JPEG")

// decodeJPEGTurbo decodes with libjpeg-turbo, using its DCT scaling to skip
// the pixels the model would throw away: a 12-megapixel photo needed at
// 256 pixels is decoded at 1/8 size, never at full size.
func decodeJPEGTurbo(data []byte, minSide int) (img *image.RGBA, err error) {
	if len(data) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	var out *C.uchar
	var w, h, truncated C.int
	msg := (*C.char)(C.malloc(C.JMSG_LENGTH_MAX))
	defer C.free(unsafe.Pointer(msg))
	switch C.spotter_jpeg_decode((*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), C.int(minSide),
		&out, &w, &h, &truncated, msg) {
	case C.SPOTTER_UNSUPPORTED:
		return nil, errCMYK
	case C.SPOTTER_ERROR:
		return nil, errors.New(C.GoString(msg))
	}
	defer C.free(unsafe.Pointer(out))
	if truncated != 0 {
		return nil, io.ErrUnexpectedEOF
	}
	img = image.NewRGBA(image.Rect(0, 0, int(w), int(h)))
	copy(img.Pix, unsafe.Slice((*byte)(unsafe.Pointer(out)), len(img.Pix)))
	return img, nil
}
