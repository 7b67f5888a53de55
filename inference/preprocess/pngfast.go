package preprocess

// Go's PNG decoder spends a 12-megapixel photo's 300+ ms in compress/flate
// and in its Paeth filter. This path inflates with libdeflate (about three
// times zlib's speed), undoes the row filters in C on two threads (a
// wavefront: each row follows the one above), and box-shrinks by whole
// steps, so the full-size RGBA image is never built. It takes the common
// 8-bit grey, grey+alpha, RGB and RGBA non-interlaced PNGs; the rest
// (palettes, 16-bit, interlaced, transparency chunks) go to image/png.
// Chunks are parsed in Go, so C only ever sees buffers whose sizes Go has
// checked. libdeflate is linked statically for the same reason as
// libjpeg-turbo (apt-get install libdeflate-dev).

/*
#cgo LDFLAGS: -l:libdeflate.a -lpthread
#include "pngfast.h"
*/
import "C"

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"io"
	"unsafe"
)

// errPNGOther marks a PNG this path leaves to image/png.
var errPNGOther = errors.New("PNG variant for image/png")

// pngParallelBytes is the image data size from which two threads undo the
// filters (a 12-megapixel RGB PNG has 36 MB); below it, starting a thread
// costs more than it saves. A variable so tests reach both paths.
var pngParallelBytes = 1 << 20

// decodePNGFast decodes data, shrunk by the largest whole factor that keeps
// twice minSide pixels on the shorter side (none when minSide is 0). Colour
// is premultiplied, as image/png's output is after conversion to RGBA.
func decodePNGFast(ctx context.Context, data []byte, minSide int) (*image.RGBA, error) {
	hdr, idat, err := pngChunks(data)
	if err != nil {
		return nil, err
	}
	w, h, bpp := hdr.width, hdr.height, hdr.bpp
	stride := w*bpp + 1
	raw := make([]byte, h*stride)
	switch C.spotter_png_inflate((*C.uint8_t)(unsafe.Pointer(&idat[0])), C.size_t(len(idat)),
		(*C.uint8_t)(unsafe.Pointer(&raw[0])), C.size_t(len(raw))) {
	case C.LIBDEFLATE_SUCCESS:
	case C.LIBDEFLATE_SHORT_OUTPUT:
		return nil, errors.New("png: invalid format: not enough pixel data")
	case C.LIBDEFLATE_INSUFFICIENT_SPACE:
		return nil, errors.New("png: invalid format: too much pixel data")
	default:
		return nil, errors.New("png: invalid format: the compressed image data is corrupt")
	}

	threads := 1
	if len(raw) >= pngParallelBytes {
		threads = 2
	}
	zero := make([]byte, w*bpp)
	if C.spotter_png_unfilter((*C.uint8_t)(unsafe.Pointer(&raw[0])), (*C.uint8_t)(unsafe.Pointer(&zero[0])),
		C.int(w), C.int(h), C.int(bpp), C.int(threads)) == 0 {
		return nil, errors.New("png: invalid format: bad filter type")
	}
	// Each row's pixels follow its filter byte.
	return boxShrink(ctx, unsafe.Pointer(&raw[1]), stride, w, h, bpp, boxFactor(w, h, minSide), threads)
}

type pngHeader struct {
	width, height, bpp int
}

// pngChunks checks the signature and every chunk's CRC, and returns the
// header and the concatenated image data. A file that ends early gives
// io.ErrUnexpectedEOF; a variant this path does not take, errPNGOther.
func pngChunks(data []byte) (hdr pngHeader, idat []byte, err error) {
	const signature = "\x89PNG\r\n\x1a\n"
	if len(data) < len(signature) || string(data[:len(signature)]) != signature {
		return hdr, nil, errPNGOther
	}
	rest := data[len(signature):]
	for first := true; ; first = false {
		if len(rest) < 12 {
			return hdr, nil, io.ErrUnexpectedEOF
		}
		n := binary.BigEndian.Uint32(rest)
		if n > 1<<31-1 {
			return hdr, nil, errors.New("png: invalid format: chunk length overflow")
		}
		if uint64(len(rest)) < 12+uint64(n) {
			return hdr, nil, io.ErrUnexpectedEOF
		}
		typ, body := string(rest[4:8]), rest[8:8+n]
		if binary.BigEndian.Uint32(rest[8+n:]) != crc32.ChecksumIEEE(rest[4:8+n]) {
			return hdr, nil, fmt.Errorf("png: invalid format: checksum mismatch in %q chunk", typ)
		}
		rest = rest[12+n:]
		switch {
		case first != (typ == "IHDR"):
			return hdr, nil, errors.New("png: invalid format: the header chunk is not first")
		case typ == "IHDR":
			if hdr, err = pngParseHeader(body); err != nil {
				return hdr, nil, err
			}
		case typ == "IDAT":
			if idat == nil {
				// All image data usually follows in one run of chunks.
				idat = make([]byte, 0, len(rest)+int(n))
			}
			idat = append(idat, body...)
		case typ == "tRNS" || typ == "PLTE":
			return hdr, nil, errPNGOther
		case typ == "IEND":
			if len(idat) == 0 {
				return hdr, nil, errors.New("png: invalid format: no image data")
			}
			return hdr, idat, nil
		}
	}
}

func pngParseHeader(b []byte) (pngHeader, error) {
	if len(b) != 13 {
		return pngHeader{}, errors.New("png: invalid format: bad header length")
	}
	w, h := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
	depth, colour, compression, filter, interlace := b[8], b[9], b[10], b[11], b[12]
	if w == 0 || h == 0 || w > 1<<31-1 || h > 1<<31-1 || compression != 0 || filter != 0 {
		return pngHeader{}, errors.New("png: invalid format: bad header")
	}
	bpp := map[byte]int{0: 1, 4: 2, 2: 3, 6: 4}[colour]
	if depth != 8 || bpp == 0 || interlace != 0 {
		return pngHeader{}, errPNGOther
	}
	return pngHeader{width: int(w), height: int(h), bpp: bpp}, nil
}
