#ifndef SPOTTER_SHRINK_H
#define SPOTTER_SHRINK_H

#include <stddef.h>
#include <stdint.h>

// spotter_box_shrink averages rows [y0, y1) of a w×h image k×k into out as
// premultiplied RGBA. Row y starts at pix + y*stride and holds w pixels of
// bpp bytes: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA, alpha not premultiplied.
// y0 is a multiple of k; so is y1, unless it is h. sums holds 4 values per
// output column.
void spotter_box_shrink(const uint8_t *pix, size_t stride, int w, int h, int bpp, int k,
		int y0, int y1, uint32_t *sums, uint8_t *out, int out_stride);

#endif
