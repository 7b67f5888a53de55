#ifndef SPOTTER_PNGFAST_H
#define SPOTTER_PNGFAST_H

#include <stddef.h>
#include <stdint.h>
#include <libdeflate.h>

// spotter_png_inflate inflates a zlib stream into out and returns
// libdeflate's result; only an exact fill of out_len bytes succeeds.
int spotter_png_inflate(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len);

// spotter_png_unfilter undoes the filters of all rows of raw (each a filter
// byte and w*bpp bytes) on one or two threads; zero is w*bpp zero bytes. It
// returns 0 for an unknown filter.
int spotter_png_unfilter(uint8_t *raw, const uint8_t *zero, int w, int h, int bpp, int threads);

#endif
