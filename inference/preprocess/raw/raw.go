// Package raw decodes camera RAW photos (DNG, CR2, CR3, NEF, ARW, RAF, ORF,
// RW2 and the other formats LibRaw knows) through LibRaw: the camera's own
// embedded JPEG preview when it is large enough, as photo managers show it,
// otherwise a half-size demosaic of the sensor data.
//
// LibRaw runs in a helper process, this program started again, so that a
// file that crashes it costs only that file (helper.go says why and how).
//
// LibRaw's thread-safe library is linked statically, so the program runs
// where LibRaw is not installed. Building needs its headers and archive
// (apt-get install libraw-dev). It still needs liblcms2.so.2 and
// libstdc++.so.6 at run time: Debian ships no static lcms2, and LibRaw's
// colour-profile step refers to it even though Spotter never uses a profile.
//
// The Windows build links LibRaw statically too, built from its pinned
// source by assets/windows/libs.sh without LCMS or OpenMP. LibRaw is
// LGPL-2.1 or CDDL-1.0; Spotter takes it under the CDDL, which allows that.
package raw

/*
#cgo CFLAGS: -Wall -Wextra
#cgo linux LDFLAGS: -l:libraw_r.a -l:libjpeg.a -l:libgomp.a -llcms2 -lstdc++ -lm -lpthread
#cgo windows CFLAGS: -DLIBRAW_NODLL
#cgo windows LDFLAGS: -l:libraw_r.a -l:libjpeg.a -lstdc++ -lws2_32
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
	"os"

	"github.com/spotter-app/spotter/inference/helper"
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
	return decodeBytes(ctx, data, minSide, MaxPixels, decodeJPEG)
}

// DecodeWith is Decode with the preview's JPEG decoded by decodeJPEG, which
// may shrink while decoding as long as the shorter side stays at least
// minSide. Many cameras embed a full-size JPEG (Canon, Nikon), which
// image/jpeg takes 10 times longer to decode than a decoder that scales
// its DCT. decodeJPEG must not keep jpeg.
func DecodeWith(ctx context.Context, data []byte, minSide int,
	decodeJPEG func(jpeg []byte, minSide int) (image.Image, error)) (img image.Image, orientation int, err error) {
	return decodeBytes(ctx, data, minSide, MaxPixels, decodeJPEG)
}

// DecodeFile is DecodeWith for the file f, which LibRaw reads where it is:
// a 48 MB RAW is not copied to be decoded.
func DecodeFile(ctx context.Context, f *os.File, minSide int,
	decodeJPEG func(jpeg []byte, minSide int) (image.Image, error)) (img image.Image, orientation int, err error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	s, err := shareFile(f)
	if err != nil {
		return nil, 0, err
	}
	defer s.Close()
	return decode(ctx, s, minSide, MaxPixels, decodeJPEG)
}

func decodeJPEG(data []byte, _ int) (image.Image, error) {
	return jpeg.Decode(bytes.NewReader(data))
}

// NotRAW reports whether Decode failed because LibRaw does not take the
// file as a camera RAW at all, rather than on a RAW it could not decode.
func NotRAW(err error) bool {
	var e notRAW
	return errors.As(err, &e)
}

type notRAW struct{ error }

func (e notRAW) Unwrap() error { return e.error }

// decodeBytes is DecodeWith with the sensor size limit as a parameter, for
// the fuzz test.
func decodeBytes(ctx context.Context, data []byte, minSide int, maxPixels int64,
	decodeJPEG func([]byte, int) (image.Image, error)) (image.Image, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	s, err := share(data)
	if err != nil {
		return nil, 0, err
	}
	defer s.Close()
	return decode(ctx, s, minSide, maxPixels, decodeJPEG)
}

// decode asks a helper for s's picture, and again without the preview
// when the preview is not what its header said.
func decode(ctx context.Context, s *shared, minSide int, maxPixels int64,
	decodeJPEG func([]byte, int) (image.Image, error)) (image.Image, int, error) {
	res, err := call(ctx, s, minSide, maxPixels)
	if err == nil && res.ok() && res.Preview != 0 && res.JPEG != 0 {
		if img, ok := previewJPEG(ctx, res.data, minSide, decodeJPEG); ok {
			return img, orientation(res.Flip), nil
		}
		// The preview's header lied about its size, or it is damaged: the
		// sensor data decides.
		res, err = call(ctx, s, -1, maxPixels)
	}
	switch {
	case ctx.Err() != nil:
		return nil, 0, ctx.Err()
	case errors.Is(err, helper.ErrCrashed):
		return nil, 0, notRAW{fmt.Errorf("made LibRaw %s, Spotter's RAW reader, crash: it is damaged, or not a camera RAW photo that LibRaw knows. %s",
			librawVersion(), exportJPEG)}
	case err != nil:
		return nil, 0, fmt.Errorf("could not be read: %v. Close other programs and try again", err)
	case !res.ok() && res.Identified == 0:
		return nil, 0, notRAW{statusError(s.head, res)}
	case !res.ok():
		return nil, 0, statusError(s.head, res)
	}
	img, err := bitmap(res)
	if err != nil {
		return nil, 0, err
	}
	return img, orientation(res.Flip), nil
}

// previewJPEG decodes the preview data when it is large enough.
func previewJPEG(ctx context.Context, data []byte, minSide int,
	decodeJPEG func([]byte, int) (image.Image, error)) (image.Image, bool) {
	if ctx.Err() != nil {
		return nil, false
	}
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

// bitmap makes LibRaw's 8-bit RGB or grey picture an image.
func bitmap(res *result) (image.Image, error) {
	w, h, colors := int(res.Width), int(res.Height), int(res.Colors)
	src := res.data
	if w <= 0 || h <= 0 || (colors != 1 && colors != 3) || len(src) < w*h*colors {
		return nil, fmt.Errorf("made LibRaw %s, Spotter's RAW reader, return a broken picture: the file is damaged. %s", librawVersion(), exportJPEG)
	}
	if colors == 1 {
		img := image.NewGray(image.Rect(0, 0, w, h))
		copy(img.Pix, src[:w*h])
		return img, nil
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	dst := img.Pix
	for i, j := 0, 0; j < w*h*3; i, j = i+4, j+3 {
		s := src[j : j+3 : j+3]
		d := dst[i : i+4 : i+4]
		d[0], d[1], d[2], d[3] = s[0], s[1], s[2], 0xff
	}
	return img, nil
}

// exifOrientation maps LibRaw's flip (dcraw's bits: 1 mirror left-right,
// 2 upside down, 4 swap axes first) to EXIF's 1–8: the inverse of the table
// LibRaw reads the TIFF Orientation tag with.
var exifOrientation = [8]int{1, 2, 4, 3, 5, 8, 6, 7}

func orientation(flip int32) int {
	if flip < 0 || flip > 7 {
		return 1
	}
	return exifOrientation[flip]
}

const exportJPEG = "Export it as JPEG from your photo software and drop that"

func statusError(data []byte, res *result) error {
	camera := cameraName(res)
	switch res.Status {
	case C.SPOTTER_RAW_TOO_BIG:
		w, h := int(res.RawWidth), int(res.RawHeight)
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
	return fmt.Errorf("is a camera RAW photo%s that LibRaw cannot decode (%s). %s", camera, C.GoString(C.libraw_strerror(C.int(res.Status))), exportJPEG)
}

// librawVersion is "0.20.2" from LibRaw's "0.20.2-Release".
func librawVersion() string {
	v := int(C.libraw_versionNumber())
	return fmt.Sprintf("%d.%d.%d", v>>16, v>>8&0xff, v&0xff)
}

// cameraName is " (Make Model)" for messages, or "" when LibRaw did not
// get that far.
func cameraName(res *result) string {
	mk, model := cString(res.Make[:]), cString(res.Model[:])
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

// cString is the text of a NUL-terminated C string in b.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
