#ifndef SPOTTER_JXL_H
#define SPOTTER_JXL_H

#include <stddef.h>
#include <stdint.h>

enum {
	SPOTTER_JXL_OK,
	SPOTTER_JXL_ERROR,
	SPOTTER_JXL_TRUNCATED, // the data ends before the first frame does
	SPOTTER_JXL_TOO_LARGE, // width × height is over max_pixels; nothing was decoded
};

// A decoded JPEG XL image, turned upright by its orientation: 8-bit RGB,
// or RGBA with straight alpha, rows width*(3 or 4) bytes apart.
struct spotter_jxl {
	uint8_t *pix;
	int width, height, alpha;
};

// spotter_jxl_decode decodes the first frame of the JPEG XL file in data,
// refusing one of more than max_pixels from its header before any pixel is
// allocated (width and height are then set). On SPOTTER_JXL_OK out->pix is
// the caller's to free(); otherwise it is NULL.
int spotter_jxl_decode(const uint8_t *data, size_t size, int64_t max_pixels, struct spotter_jxl *out);

#endif
