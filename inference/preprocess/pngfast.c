// PNG inflation and row unfiltering for pngfast.go.

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>

#include "pngfast.h"

int spotter_png_inflate(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len) {
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

int spotter_png_unfilter(uint8_t *raw, const uint8_t *zero, int w, int h, int bpp, int threads) {
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
