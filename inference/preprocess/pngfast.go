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
#cgo CFLAGS: -O3
#cgo LDFLAGS: -l:libdeflate.a -lpthread
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>

// spotter_inflate returns libdeflate's result; only an exact fill succeeds.
static int spotter_inflate(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len) {
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	if (d == NULL) {
		return -1;
	}
	size_t got = 0;
	enum libdeflate_result r = libdeflate_zlib_decompress(d, in, in_len, out, out_len, &got);
	libdeflate_free_decompressor(d);
	if (r == LIBDEFLATE_SUCCESS && got != out_len) {
		return LIBDEFLATE_SHORT_OUTPUT;
	}
	return r;
}

// The branch-free form lets the compiler use conditional moves: photos
// give the branchy textbook version unpredictable branches on every byte.
static inline int paeth(int a, int b, int c) {
	int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
	int t = pb < pa ? b : a;
	int tp = pb < pa ? pb : pa;
	return pc < tp ? c : t;
}

// unfilter undoes the filter of bytes [i0, i1) of one row in place; prev is
// the row above, already unfiltered that far (zeros for the first row), and
// the row itself is unfiltered before i0. i0 and i1 are whole pixels. It
// returns 0 for an unknown filter. The left and upper-left bytes are carried
// in registers: reading them back from the row just written would put a
// store-to-load delay on the chain every byte depends on. Called with a
// constant bpp, the inner loops unroll into one independent chain per
// channel.
static inline __attribute__((always_inline)) int unfilter(uint8_t *row, const uint8_t *prev, size_t i0, size_t i1,
		const int bpp, int type) {
	int a[4] = {0}, c[4] = {0};
	size_t i;
	int j;
	if (i0 > 0) {
		for (j = 0; j < bpp; j++) {
			a[j] = row[i0 - bpp + j];
			c[j] = prev[i0 - bpp + j];
		}
	}
	switch (type) {
	case 0:
		return 1;
	case 1:
		for (i = i0; i < i1; i += bpp)
			for (j = 0; j < bpp; j++) a[j] = row[i + j] = (uint8_t)(row[i + j] + a[j]);
		return 1;
	case 2:
		for (i = i0; i < i1; i++) row[i] += prev[i];
		return 1;
	case 3:
		for (i = i0; i < i1; i += bpp)
			for (j = 0; j < bpp; j++) a[j] = row[i + j] = (uint8_t)(row[i + j] + ((a[j] + prev[i + j]) >> 1));
		return 1;
	case 4:
		for (i = i0; i < i1; i += bpp)
			for (j = 0; j < bpp; j++) {
				int b = prev[i + j];
				a[j] = row[i + j] = (uint8_t)(row[i + j] + paeth(a[j], b, c[j]));
				c[j] = b;
			}
		return 1;
	}
	return 0;
}

// Two threads unfilter alternate rows, each following the one above it a
// chunk behind (a wavefront): a row needs only the bytes of the row above
// up to where it has got. progress[t] is thread t's row << 32 | bytes done
// in it, so it only grows; the pixel limit keeps both halves in 32 bits.
struct unfilter_job {
	uint8_t *raw;
	const uint8_t *zero;
	int w, h, bpp, threads;
	_Atomic uint64_t progress[2];
	atomic_int failed;
};

enum { UNFILTER_CHUNK = 2048 }; // pixels

static int unfilter_span(uint8_t *row, const uint8_t *prev, size_t i0, size_t i1, int bpp, int type) {
	switch (bpp) {
	case 1: return unfilter(row, prev, i0, i1, 1, type);
	case 2: return unfilter(row, prev, i0, i1, 2, type);
	case 3: return unfilter(row, prev, i0, i1, 3, type);
	default: return unfilter(row, prev, i0, i1, 4, type);
	}
}

static void unfilter_rows(struct unfilter_job *j, int first) {
	size_t n = (size_t)j->w * j->bpp, stride = n + 1, chunk = (size_t)UNFILTER_CHUNK * j->bpp;
	for (int y = first; y < j->h; y += j->threads) {
		uint8_t *row = j->raw + (size_t)y * stride + 1;
		const uint8_t *prev = y == 0 ? j->zero : row - stride;
		int type = row[-1];
		for (size_t i0 = 0; i0 < n; i0 += chunk) {
			size_t i1 = i0 + chunk < n ? i0 + chunk : n;
			if (y > 0 && j->threads > 1) {
				uint64_t need = (uint64_t)(y - 1) << 32 | i1;
				for (int spins = 0; atomic_load_explicit(&j->progress[(y - 1) % 2], memory_order_acquire) < need; spins++) {
					if (atomic_load_explicit(&j->failed, memory_order_relaxed)) {
						return;
					}
					if (spins > 100) {
						sched_yield();
					}
				}
			}
			if (!unfilter_span(row, prev, i0, i1, j->bpp, type)) {
				atomic_store(&j->failed, 1);
				return;
			}
			atomic_store_explicit(&j->progress[y % 2], (uint64_t)y << 32 | i1, memory_order_release);
		}
	}
}

static void *unfilter_second(void *arg) {
	unfilter_rows(arg, 1);
	return NULL;
}

// spotter_png_unfilter undoes the filters of all rows of raw (each a filter
// byte and w*bpp bytes) on one or two threads. It returns 0 for an unknown
// filter.
static int spotter_png_unfilter(uint8_t *raw, const uint8_t *zero, int w, int h, int bpp, int threads) {
	struct unfilter_job j = {.raw = raw, .zero = zero, .w = w, .h = h, .bpp = bpp, .threads = threads};
	atomic_init(&j.progress[0], 0);
	atomic_init(&j.progress[1], 0);
	atomic_init(&j.failed, 0);
	pthread_t second;
	if (threads > 1 && pthread_create(&second, NULL, unfilter_second, &j) != 0) {
		j.threads = 1;
	}
	unfilter_rows(&j, 0);
	if (j.threads > 1) {
		pthread_join(second, NULL);
	}
	return !atomic_load(&j.failed);
}

// accumulate adds one unfiltered row into sums, k source pixels per
// output pixel: colour times alpha and alpha when the row has alpha,
// plain colour when it has not.
static inline __attribute__((always_inline)) void accumulate(const uint8_t *row, int w, const int bpp, int k,
		uint32_t *sums) {
	for (int x0 = 0; x0 < w; x0 += k, sums += 4) {
		const uint8_t *p = row + (size_t)x0 * bpp, *end = row + (size_t)(x0 + k < w ? x0 + k : w) * bpp;
		uint32_t r = 0, g = 0, b = 0, a = 0;
		for (; p < end; p += bpp) {
			switch (bpp) {
			case 1: r += p[0]; break;
			case 2: r += p[0] * p[1]; a += p[1]; break;
			case 3: r += p[0]; g += p[1]; b += p[2]; break;
			default: r += p[0] * p[3]; g += p[1] * p[3]; b += p[2] * p[3]; a += p[3]; break;
			}
		}
		sums[0] += r; sums[1] += g; sums[2] += b; sums[3] += a;
	}
}

// emit writes one band's averages as premultiplied RGBA.
static void emit(const uint32_t *sums, int w, int bpp, int k, int rows, uint8_t *out) {
	int ow = (w + k - 1) / k;
	for (int ox = 0; ox < ow; ox++, sums += 4, out += 4) {
		uint32_t n = (uint32_t)(ox == ow - 1 ? w - ox * k : k) * rows;
		uint32_t r = sums[0], g = sums[1], b = sums[2];
		if (bpp == 1 || bpp == 2) {
			g = b = r;
		}
		if (bpp == 1 || bpp == 3) {
			out[0] = (r + n / 2) / n; out[1] = (g + n / 2) / n; out[2] = (b + n / 2) / n; out[3] = 255;
			continue;
		}
		uint32_t d = 255 * n;
		out[0] = (r + d / 2) / d; out[1] = (g + d / 2) / d; out[2] = (b + d / 2) / d;
		out[3] = (sums[3] + n / 2) / n;
	}
}

static inline __attribute__((always_inline)) void rows(const uint8_t *raw, int w, int h,
		const int bpp, int k, int y0, int y1, uint32_t *sums, uint8_t *out, int out_stride) {
	size_t stride = (size_t)w * bpp + 1;
	int ow = (w + k - 1) / k;
	for (int y = y0; y < y1; y++) {
		if (y % k == 0) {
			memset(sums, 0, sizeof(uint32_t) * 4 * ow);
		}
		accumulate(raw + (size_t)y * stride + 1, w, bpp, k, sums);
		if (y % k == k - 1 || y == h - 1) {
			emit(sums, w, bpp, k, y % k + 1, out + (size_t)(y / k) * out_stride);
		}
	}
}

// spotter_png_shrink averages rows [y0, y1) of the unfiltered raw k×k into
// out. y0 is a multiple of k; so is y1, unless it is h.
static void spotter_png_shrink(const uint8_t *raw, int w, int h, int bpp, int k,
		int y0, int y1, uint32_t *sums, uint8_t *out, int out_stride) {
	switch (bpp) {
	case 1: rows(raw, w, h, 1, k, y0, y1, sums, out, out_stride); break;
	case 2: rows(raw, w, h, 2, k, y0, y1, sums, out, out_stride); break;
	case 3: rows(raw, w, h, 3, k, y0, y1, sums, out, out_stride); break;
	default: rows(raw, w, h, 4, k, y0, y1, sums, out, out_stride); break;
	}
}
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

// pngMaxShrink is the largest shrink factor; a larger one leaves the rest
// to the resize that follows.
const pngMaxShrink = 64

// pngBand is how many rows are shrunk between checks of the context.
const pngBand = 256

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
	switch C.spotter_inflate((*C.uint8_t)(unsafe.Pointer(&idat[0])), C.size_t(len(idat)),
		(*C.uint8_t)(unsafe.Pointer(&raw[0])), C.size_t(len(raw))) {
	case C.LIBDEFLATE_SUCCESS:
	case C.LIBDEFLATE_SHORT_OUTPUT:
		return nil, errors.New("png: invalid format: not enough pixel data")
	case C.LIBDEFLATE_INSUFFICIENT_SPACE:
		return nil, errors.New("png: invalid format: too much pixel data")
	default:
		return nil, errors.New("png: invalid format: the compressed image data is corrupt")
	}

	k := 1
	if minSide > 0 {
		// Box-shrink to twice minSide and leave the rest to the resize:
		// a box alone is a crude filter and this model's answer moves with
		// it (the 12-megapixel PNG in bench/compare: 0.11 from the peer's
		// probability when shrunk to 1×, 0.06 at 2×).
		// At most pngMaxShrink, which keeps the sums within 32 bits.
		k = min(max(min(w, h)/(2*minSide), 1), pngMaxShrink)
	}
	ow, oh := (w+k-1)/k, (h+k-1)/k
	img := image.NewRGBA(image.Rect(0, 0, ow, oh))
	zero := make([]byte, w*bpp)
	threads := 1
	if len(raw) >= pngParallelBytes {
		threads = 2
	}
	if C.spotter_png_unfilter((*C.uint8_t)(unsafe.Pointer(&raw[0])), (*C.uint8_t)(unsafe.Pointer(&zero[0])),
		C.int(w), C.int(h), C.int(bpp), C.int(threads)) == 0 {
		return nil, errors.New("png: invalid format: bad filter type")
	}
	band := (pngBand + k - 1) / k * k // whole blocks, so a band ends a block
	shrink := func(y0, y1 int) error {
		sums := make([]uint32, 4*ow)
		for b := y0; b < y1; b += band {
			if err := ctx.Err(); err != nil {
				return err
			}
			C.spotter_png_shrink((*C.uint8_t)(unsafe.Pointer(&raw[0])), C.int(w), C.int(h), C.int(bpp), C.int(k),
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
	// The bands are independent: the two halves shrink at once.
	mid := min((h/2+band-1)/band*band, h)
	lower := make(chan error, 1)
	go func() { lower <- shrink(mid, h) }()
	err = shrink(0, mid)
	if err2 := <-lower; err == nil {
		err = err2
	}
	if err != nil {
		return nil, err
	}
	return img, nil
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
