// Box shrinking of 8-bit pixel rows for shrink.go.

#include <stdint.h>
#include <string.h>

#include "shrink.h"

// accumulate adds one row into sums, k source pixels per
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

static inline __attribute__((always_inline)) void rows(const uint8_t *pix, size_t stride, int w, int h,
		const int bpp, int k, int y0, int y1, uint32_t *sums, uint8_t *out, int out_stride) {
	int ow = (w + k - 1) / k;
	for (int y = y0; y < y1; y++) {
		if (y % k == 0) {
			memset(sums, 0, sizeof(uint32_t) * 4 * ow);
		}
		accumulate(pix + (size_t)y * stride, w, bpp, k, sums);
		if (y % k == k - 1 || y == h - 1) {
			emit(sums, w, bpp, k, y % k + 1, out + (size_t)(y / k) * out_stride);
		}
	}
}

void spotter_box_shrink(const uint8_t *pix, size_t stride, int w, int h, int bpp, int k,
		int y0, int y1, uint32_t *sums, uint8_t *out, int out_stride) {
	switch (bpp) {
	case 1: rows(pix, stride, w, h, 1, k, y0, y1, sums, out, out_stride); break;
	case 2: rows(pix, stride, w, h, 2, k, y0, y1, sums, out, out_stride); break;
	case 3: rows(pix, stride, w, h, 3, k, y0, y1, sums, out, out_stride); break;
	default: rows(pix, stride, w, h, 4, k, y0, y1, sums, out, out_stride); break;
	}
}
