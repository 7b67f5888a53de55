// Package heif decodes the primary image of HEIF (HEIC) and AVIF files
// through libheif, which brings HEVC through libde265 and AV1 through dav1d
// or aom. libheif applies the file's own rotation and mirror (irot, imir),
// assembles grid images from their tiles and narrows 10- and 12-bit images
// to 8 bits.
//
// Debian ships libheif only as a shared library (apt-get install
// libheif-dev). The packaged program carries it and its codecs in
// lib/spotter beside bin/, and finds them there through its RPATH, whoever
// builds it (make, go build, go install). DT_RPATH, not the newer RUNPATH:
// only RPATH also serves libheif's own dependencies. In a checkout that
// folder does not exist and the system's copies load. On Windows libheif
// and libde265 are DLLs beside spotter.exe, built from their pinned source
// by assets/windows/libs.sh: they are LGPL, and a person may replace them.
package heif

/*
#cgo pkg-config: libheif
#cgo linux LDFLAGS: -Wl,--disable-new-dtags -Wl,-rpath,$ORIGIN/../lib/spotter
#cgo CFLAGS: -O2 -Wall -Wextra
#include <stdlib.h>
#include "heif.h"
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// The errors Decode returns for files a person can be told about; any other
// failure is an *Error.
var (
	// ErrTruncated: the file ends before the image data does.
	ErrTruncated = errors.New("heif: the file ends before the image does")
	// ErrNoPrimary: the file names no primary image, or one it does not hold.
	ErrNoPrimary = errors.New("heif: no primary image")
	// ErrDepthOnly: the only image left is a depth map, not a picture.
	ErrDepthOnly = errors.New("heif: the primary image is a depth map")
	// ErrUnsupported: the image is compressed with a codec libheif lacks here.
	ErrUnsupported = errors.New("heif: unsupported codec or feature")
)

// SizeError is returned for an image larger than the limit, from its header:
// nothing was decoded.
type SizeError struct {
	Width, Height int
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("heif: image of %d×%d pixels is too large", e.Width, e.Height)
}

// Error is libheif's own report of a failure.
type Error struct {
	Code, Subcode int
	Message       string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("heif: libheif error %d.%d", e.Code, e.Subcode)
	}
	return "heif: " + e.Message
}

// Image is a decoded primary image in libheif's memory: 8-bit RGB rows, or
// RGBA with straight alpha when Alpha is set, Stride bytes apart. Pix is
// valid until Close, which must be called once.
type Image struct {
	Width, Height, Stride int
	Alpha                 bool
	Pix                   []byte
	c                     *C.struct_spotter_heif
}

// Close gives the pixels back to libheif. Decode's callers call it as soon
// as they have shrunk the image, so a 48-megapixel photo does not stay in
// memory at full size.
func (im *Image) Close() {
	if im.c == nil {
		return
	}
	C.spotter_heif_free(im.c)
	C.free(unsafe.Pointer(im.c))
	im.c, im.Pix = nil, nil
}

// Decode decodes the primary image of data, refusing one of more than
// maxPixels from the header (a *SizeError) before allocating its pixels.
func Decode(data []byte, maxPixels int64) (*Image, error) {
	if len(data) == 0 {
		return nil, ErrTruncated
	}
	// The result lives in C memory beside the image it describes; Close
	// frees both.
	out := (*C.struct_spotter_heif)(C.malloc(C.sizeof_struct_spotter_heif))
	if out == nil {
		return nil, &Error{Code: C.heif_error_Memory_allocation_error}
	}
	ret := C.spotter_heif_decode(unsafe.Pointer(&data[0]), C.size_t(len(data)), C.int64_t(maxPixels), out)
	if ret != C.SPOTTER_HEIF_OK {
		err := decodeError(ret, out)
		C.free(unsafe.Pointer(out))
		if _, ok := err.(*Error); ok && cut(data) {
			// libheif reports a box that runs past the end as missing.
			return nil, fmt.Errorf("%w (%v)", ErrTruncated, err)
		}
		return nil, err
	}
	bpp := 3
	if out.alpha != 0 {
		bpp = 4
	}
	w, h, stride := int(out.width), int(out.height), int(out.stride)
	return &Image{
		Width: w, Height: h, Stride: stride, Alpha: bpp == 4,
		Pix: unsafe.Slice((*byte)(unsafe.Pointer(out.pix)), (h-1)*stride+w*bpp),
		c:   out,
	}, nil
}

func decodeError(ret C.int, out *C.struct_spotter_heif) error {
	switch ret {
	case C.SPOTTER_HEIF_DEPTH_ONLY:
		return ErrDepthOnly
	case C.SPOTTER_HEIF_TOO_LARGE:
		return &SizeError{Width: int(out.width), Height: int(out.height)}
	case C.SPOTTER_HEIF_NOT_8BIT:
		return &Error{Code: C.heif_error_Unsupported_feature, Message: "the image could not be converted to 8 bits"}
	}
	e := &Error{Code: int(out.code), Subcode: int(out.subcode), Message: strings.TrimSpace(C.GoString(&out.msg[0]))}
	switch {
	case e.Subcode == C.heif_suberror_End_of_data:
		return fmt.Errorf("%w (%s)", ErrTruncated, e.Message)
	case e.Subcode == C.heif_suberror_No_pitm_box, e.Subcode == C.heif_suberror_No_or_invalid_primary_item,
		e.Subcode == C.heif_suberror_Nonexisting_item_referenced && strings.Contains(e.Message, "pitm"):
		return fmt.Errorf("%w (%s)", ErrNoPrimary, e.Message)
	// Not Unsupported_filetype: that says the ftyp box lacks the brands
	// by which Spotter recognised the file, so the file is damaged.
	case e.Code == C.heif_error_Unsupported_feature, e.Subcode == C.heif_suberror_Unsupported_codec:
		return fmt.Errorf("%w (%s)", ErrUnsupported, e.Message)
	}
	return e
}

// cut reports whether the file's last top-level box runs past its end, as
// in a file still being copied. A box whose type is not four printable
// characters is damage instead: random bytes often claim huge sizes.
func cut(data []byte) bool {
	for p := 0; p+8 <= len(data); {
		size := uint64(binary.BigEndian.Uint32(data[p:]))
		typ := data[p+4 : p+8]
		for _, c := range typ {
			if c < ' ' || c > '~' {
				return false
			}
		}
		switch size {
		case 0: // to the end of the file
			return false
		case 1:
			if p+16 > len(data) {
				return true
			}
			size = binary.BigEndian.Uint64(data[p+8:])
		}
		if size < 8 {
			return false
		}
		if size > uint64(len(data)-p) {
			return true
		}
		p += int(size)
	}
	return false
}

// Baseline is libheif's own decode of data's primary image to interleaved
// 8-bit RGB, with nothing around it: the floor against which benchmarks
// measure Decode and what follows it.
func Baseline(data []byte) error {
	if len(data) == 0 {
		return ErrTruncated
	}
	if code := C.spotter_heif_decode_plain(unsafe.Pointer(&data[0]), C.size_t(len(data))); code != C.heif_error_Ok {
		return &Error{Code: int(code)}
	}
	return nil
}
