// Package raw decodes camera RAW photos (DNG, CR2, CR3, NEF, ARW, RAF, ORF,
// RW2 and the other formats LibRaw knows) through LibRaw: the camera's own
// embedded JPEG preview when it is large enough, as photo managers show it,
// otherwise a half-size demosaic of the sensor data.
//
// LibRaw's thread-safe library is linked statically, so the program runs
// where LibRaw is not installed. Building needs its headers and archive
// (apt-get install libraw-dev). It still needs liblcms2.so.2 and
// libstdc++.so.6 at run time: Debian ships no static lcms2, and LibRaw's
// colour-profile step refers to it even though Spotter never uses a profile.
package raw

/*
#cgo CFLAGS: -Wall -Wextra
#cgo LDFLAGS: -l:libraw_r.a -l:libjpeg.a -l:libgomp.a -llcms2 -lstdc++ -lm -lpthread
#include <stdlib.h>
#include "rawglue.h"
*/
import "C"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"sync/atomic"
	"unsafe"
)

// MaxPixels is the largest sensor Decode reads (100 megapixels): medium
// format backs reach 150, which at 2 bytes a pixel and LibRaw's working
// copy would hold over a gigabyte.
const MaxPixels = 100_000_000

// Decode decodes a camera RAW file held in data: the embedded JPEG preview
// when its shorter side is at least minSide, else a half-size demosaic.
// orientation is the EXIF orientation value 1–8 from the RAW's own
// metadata (LibRaw's sizes.flip mapped to EXIF); the picture is returned as
// stored, not yet turned.
//
// An error reads as the rest of a sentence whose subject is the file's
// name ("is cut off: …"), except that a cancelled ctx gives ctx.Err().
func Decode(ctx context.Context, data []byte, minSide int) (img image.Image, orientation int, err error) {
	return decode(ctx, data, minSide, MaxPixels, decodeJPEG)
}

// DecodeWith is Decode with the preview's JPEG decoded by decodeJPEG, which
// may shrink while decoding as long as the shorter side stays at least
// minSide. Many cameras embed a full-size JPEG (Canon, Nikon), which
// image/jpeg takes 10 times longer to decode than a decoder that scales
// its DCT. jpeg is LibRaw's memory: decodeJPEG must not keep it.
func DecodeWith(ctx context.Context, data []byte, minSide int,
	decodeJPEG func(jpeg []byte, minSide int) (image.Image, error)) (img image.Image, orientation int, err error) {
	return decode(ctx, data, minSide, MaxPixels, decodeJPEG)
}

func decodeJPEG(data []byte, _ int) (image.Image, error) {
	return jpeg.Decode(bytes.NewReader(data))
}

// Identify reports whether data is a camera RAW file LibRaw recognises, and
// its make and format for messages (e.g. "Canon CR2", "Apple DNG"). A plain
// TIFF or JPEG is not one. It parses only the headers.
func Identify(data []byte) (kind string, ok bool) {
	if len(data) == 0 {
		return "", false
	}
	var info C.struct_spotter_raw_info
	if C.spotter_raw_identify(unsafe.Pointer(unsafe.SliceData(data)), C.size_t(len(data)), &info) != C.LIBRAW_SUCCESS {
		return "", false
	}
	return kindOf(data, &info), true
}

// decode is Decode with the sensor size limit as a parameter, for the fuzz
// test.
func decode(ctx context.Context, data []byte, minSide int, maxPixels int64,
	decodeJPEG func([]byte, int) (image.Image, error)) (image.Image, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if len(data) == 0 {
		return nil, 0, errors.New("is empty (0 bytes). It may still be downloading or copying; try again when it is complete")
	}
	// LibRaw's progress callback polls this flag; Go memory is fine for it,
	// as C reads it only during the call.
	var cancel int32
	stop := context.AfterFunc(ctx, func() { atomic.StoreInt32(&cancel, 1) })
	defer stop()

	res := run(data, minSide, maxPixels, &cancel)
	if res.status == C.LIBRAW_SUCCESS && res.is_preview != 0 && res.image._type == C.LIBRAW_IMAGE_JPEG {
		if img, ok := previewJPEG(ctx, res.image, minSide, decodeJPEG); ok {
			return img, orientation(res.info.flip), nil
		}
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		// The preview's header lied about its size, or it is damaged: the
		// sensor data decides.
		res = run(data, -1, maxPixels, &cancel)
	}
	if res.status != C.LIBRAW_SUCCESS {
		if res.status == statusCancelled && ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		return nil, 0, statusError(data, res.status, &res.info)
	}
	return bitmap(res.image), orientation(res.info.flip), nil
}

// statusCancelled is LibRaw's status when the cancel flag stopped it.
const statusCancelled = C.LIBRAW_CANCELLED_BY_CALLBACK

func run(data []byte, minSide int, maxPixels int64, cancel *int32) C.struct_spotter_raw_result {
	var res C.struct_spotter_raw_result
	C.spotter_raw_decode(unsafe.Pointer(unsafe.SliceData(data)), C.size_t(len(data)), C.int(minSide),
		C.int64_t(maxPixels), (*C.int32_t)(unsafe.Pointer(cancel)), &res)
	return res
}

// pixels is the data of LibRaw's processed image, which LibRaw allocated.
func pixels(p *C.libraw_processed_image_t) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&p.data[0])), int(p.data_size))
}

// previewJPEG decodes the preview p, when it is large enough, and frees it
// either way (also when decodeJPEG panics).
func previewJPEG(ctx context.Context, p *C.libraw_processed_image_t, minSide int,
	decodeJPEG func([]byte, int) (image.Image, error)) (image.Image, bool) {
	defer C.libraw_dcraw_clear_mem(p)
	if ctx.Err() != nil {
		return nil, false
	}
	data := pixels(p)
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil || min(cfg.Width, cfg.Height) < minSide {
		return nil, false
	}
	img, err := decodeJPEG(data, minSide)
	if err != nil {
		return nil, false
	}
	return img, true
}

// bitmap copies LibRaw's 8-bit RGB or grey picture into Go memory and
// frees it.
func bitmap(p *C.libraw_processed_image_t) image.Image {
	defer C.libraw_dcraw_clear_mem(p)
	w, h := int(p.width), int(p.height)
	src := pixels(p)
	if p.colors == 1 {
		img := image.NewGray(image.Rect(0, 0, w, h))
		copy(img.Pix, src[:w*h])
		return img
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	dst := img.Pix
	for i, j := 0, 0; j < w*h*3; i, j = i+4, j+3 {
		s := src[j : j+3 : j+3]
		d := dst[i : i+4 : i+4]
		d[0], d[1], d[2], d[3] = s[0], s[1], s[2], 0xff
	}
	return img
}

// exifOrientation maps LibRaw's flip (dcraw's bits: 1 mirror left-right,
// 2 upside down, 4 swap axes first) to EXIF's 1–8: the inverse of the table
// LibRaw reads the TIFF Orientation tag with.
var exifOrientation = [8]int{1, 2, 4, 3, 5, 8, 6, 7}

func orientation(flip C.int) int {
	if flip < 0 || flip > 7 {
		return 1
	}
	return exifOrientation[flip]
}

const exportJPEG = "Export it as JPEG from your photo software and drop that"

func statusError(data []byte, status C.int, info *C.struct_spotter_raw_info) error {
	camera := cameraName(info)
	switch status {
	case C.SPOTTER_RAW_TOO_BIG:
		w, h := int(info.raw_width), int(info.raw_height)
		return fmt.Errorf("is a camera RAW photo of %d×%d sensor pixels (%.0f megapixels); Spotter reads RAW photos up to %d megapixels. %s",
			w, h, float64(w)*float64(h)/1e6, MaxPixels/1_000_000, exportJPEG)
	case C.SPOTTER_RAW_NOT_RAW:
		return fmt.Errorf("holds no camera sensor data, so it is not a camera RAW photo (it may be a TIFF or JPEG under a RAW name). Open it in your photo software and export a JPEG")
	case C.SPOTTER_RAW_CUT_OFF:
		return errors.New("is cut off: the file ends before the image does. It may still be downloading or copying; try again when it is complete")
	case C.LIBRAW_IO_ERROR:
		// LibRaw reads a few hundred bytes to know a format; this file has
		// fewer, or points outside itself before LibRaw knows it.
		return errors.New("is too short or too damaged to be a camera RAW photo: it is cut off, or not a photo at all. If it is still downloading or copying, try again when it is complete")
	case C.LIBRAW_FILE_UNSUPPORTED:
		// A camera's JPEG names the camera too.
		if bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}) {
			return errors.New("is a JPEG photo, not a camera RAW photo. Rename it to end in .jpg and drop it again")
		}
		if camera != "" {
			return fmt.Errorf("is a camera RAW photo%s that LibRaw %s cannot read: the camera is newer or rarer than LibRaw knows, or the file is damaged or cut off. %s",
				camera, librawVersion(), exportJPEG)
		}
		return fmt.Errorf("is not a camera RAW photo that LibRaw %s knows: it is from a newer or rarer camera, or not a photo at all. %s",
			librawVersion(), exportJPEG)
	case C.LIBRAW_DATA_ERROR:
		return fmt.Errorf("is a damaged camera RAW photo%s: its image data cannot be read. Try opening it in your photo software and exporting a JPEG", camera)
	case C.LIBRAW_UNSUFFICIENT_MEMORY, C.LIBRAW_TOO_BIG, C.LIBRAW_MEMPOOL_OVERFLOW:
		return fmt.Errorf("is a camera RAW photo%s too large to decode in the memory Spotter may use. Close other programs and try again, or %s",
			camera, "export a JPEG from your photo software and drop that")
	}
	return fmt.Errorf("is a camera RAW photo%s that LibRaw cannot decode (%s). %s", camera, C.GoString(C.libraw_strerror(status)), exportJPEG)
}

// librawVersion is "0.20.2" from LibRaw's "0.20.2-Release".
func librawVersion() string {
	v := int(C.libraw_versionNumber())
	return fmt.Sprintf("%d.%d.%d", v>>16, v>>8&0xff, v&0xff)
}

// cameraName is " (Make Model)" for messages, or "" when LibRaw did not
// get that far.
func cameraName(info *C.struct_spotter_raw_info) string {
	mk, model := C.GoString(&info.make[0]), C.GoString(&info.model[0])
	switch {
	case mk == "" && model == "":
		return ""
	case mk == "":
		return " (" + model + ")"
	case model == "":
		return " (" + mk + ")"
	}
	return " (" + mk + " " + model + ")"
}

// kindOf names the file's make and format. LibRaw does not say which
// container it parsed, so the format comes from the file's signature,
// and for plain TIFF containers from the make.
func kindOf(data []byte, info *C.struct_spotter_raw_info) string {
	format := "RAW"
	has := func(off int, s string) bool {
		return len(data) >= off+len(s) && string(data[off:off+len(s)]) == s
	}
	switch {
	case info.dng_version != 0:
		format = "DNG"
	case has(0, "FUJIFILM"):
		format = "RAF"
	case has(4, "ftypcrx "):
		format = "CR3"
	case has(6, "HEAPCCDR"):
		format = "CRW"
	case has(0, "IIRO"), has(0, "IIRS"), has(0, "MMOR"):
		format = "ORF"
	case has(0, "IIU\x00"):
		format = "RW2"
	case has(0, "\x00MRM"):
		format = "MRW"
	case has(0, "FOVb"):
		format = "X3F"
	case has(8, "CR"):
		format = "CR2"
	default:
		if f, ok := tiffFormats[C.GoString(&info.make[0])]; ok {
			format = f
		}
	}
	mk := C.GoString(&info.make[0])
	if mk == "" {
		return format
	}
	return mk + " " + format
}

// tiffFormats are the RAW formats that are plain TIFF files apart from
// their maker notes, by LibRaw's normalised make.
var tiffFormats = map[string]string{
	"Nikon":      "NEF",
	"Sony":       "ARW",
	"Pentax":     "PEF",
	"Samsung":    "SRW",
	"Kodak":      "DCR",
	"Hasselblad": "3FR",
	"PhaseOne":   "IIQ",
	"Phase One":  "IIQ",
	"Epson":      "ERF",
	"Mamiya":     "MEF",
	"Leica":      "RWL",
	"Olympus":    "ORF",
	"Panasonic":  "RW2",
}
