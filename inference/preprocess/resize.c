#include "resize.h"

#include <math.h>
#include <stdlib.h>

// Weights are fixed point with 14 fraction bits: exact enough for 8-bit
// pixels, and sums of 255·2^14 over a row fit comfortably in 32 bits.
#define SHIFT 14

typedef struct {
	int *first; // first source index of each output position
	int *count; // taps of each output position
	int32_t *w; // taps × outputs weights, max_taps apart
	int max_taps;
} filter;

static void filter_free(filter *f) {
	free(f->first);
	free(f->count);
	free(f->w);
}

// filter_make lays the triangle filter of a src → dst resize.
static int filter_make(filter *f, int src, int dst) {
	double scale = (double)src / dst;
	double support = scale > 1 ? scale : 1;
	f->max_taps = (int)ceil(support) * 2 + 1;
	f->first = malloc(sizeof(int) * dst);
	f->count = malloc(sizeof(int) * dst);
	f->w = malloc(sizeof(int32_t) * (size_t)f->max_taps * dst);
	if (!f->first || !f->count || !f->w) {
		filter_free(f);
		return -1;
	}
	double *tmp = malloc(sizeof(double) * f->max_taps);
	if (!tmp) {
		filter_free(f);
		return -1;
	}
	for (int i = 0; i < dst; i++) {
		double centre = (i + 0.5) * scale;
		int lo = (int)floor(centre - support);
		int hi = (int)ceil(centre + support);
		if (lo < 0)
			lo = 0;
		if (hi > src)
			hi = src;
		double sum = 0;
		int n = 0;
		for (int j = lo; j < hi && n < f->max_taps; j++, n++) {
			double d = fabs((j + 0.5 - centre) / support);
			tmp[n] = d < 1 ? 1 - d : 0;
			sum += tmp[n];
		}
		if (sum <= 0) { // a filter narrower than a pixel: take the nearest
			lo = (int)centre < src ? (int)centre : src - 1;
			n = 1;
			tmp[0] = sum = 1;
		}
		f->first[i] = lo;
		f->count[i] = n;
		for (int k = 0; k < n; k++)
			f->w[(size_t)i * f->max_taps + k] = (int32_t)lround(tmp[k] / sum * (1 << SHIFT));
	}
	free(tmp);
	return 0;
}

static uint8_t clamp8(int32_t v) {
	v = (v + (1 << (SHIFT - 1))) >> SHIFT;
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

int spotter_resize_rgba(const uint8_t *src, size_t stride, int sw, int sh,
		uint8_t *out, size_t out_stride, int dw, int dh, uint8_t *mid, int32_t *acc) {
	filter fx, fy;
	if (filter_make(&fx, sw, dw) != 0)
		return -1;
	if (filter_make(&fy, sh, dh) != 0) {
		filter_free(&fx);
		return -1;
	}
	// Horizontal pass into 8-bit rows dw wide: the rows the vertical pass
	// needs, all of them, since every output row reads a band of them.
	for (int y = 0; y < sh; y++) {
		const uint8_t *row = src + (size_t)y * stride;
		uint8_t *m = mid + (size_t)y * dw * 4;
		for (int x = 0; x < dw; x++) {
			const int32_t *w = fx.w + (size_t)x * fx.max_taps;
			const uint8_t *p = row + (size_t)fx.first[x] * 4;
			int32_t r = 0, g = 0, b = 0, a = 0;
			for (int k = 0; k < fx.count[x]; k++, p += 4) {
				r += w[k] * p[0];
				g += w[k] * p[1];
				b += w[k] * p[2];
				a += w[k] * p[3];
			}
			m[4 * x] = clamp8(r);
			m[4 * x + 1] = clamp8(g);
			m[4 * x + 2] = clamp8(b);
			m[4 * x + 3] = clamp8(a);
		}
	}
	for (int y = 0; y < dh; y++) {
		const int32_t *w = fy.w + (size_t)y * fy.max_taps;
		for (int x = 0; x < dw * 4; x++)
			acc[x] = 0;
		// Row by row, so the inner loop runs along memory and vectorises.
		for (int k = 0; k < fy.count[y]; k++) {
			const uint8_t *p = mid + (size_t)(fy.first[y] + k) * dw * 4;
			int32_t wk = w[k];
			for (int x = 0; x < dw * 4; x++)
				acc[x] += wk * p[x];
		}
		uint8_t *o = out + (size_t)y * out_stride;
		for (int x = 0; x < dw * 4; x++)
			o[x] = clamp8(acc[x]);
	}
	filter_free(&fx);
	filter_free(&fy);
	return 0;
}
