#ifndef SPOTTER_HEIF_H
#define SPOTTER_HEIF_H

#include <stddef.h>
#include <stdint.h>
#include <libheif/heif.h>

enum {
	SPOTTER_HEIF_OK,
	SPOTTER_HEIF_ERROR,      // libheif's error is in code, subcode and msg
	SPOTTER_HEIF_DEPTH_ONLY, // the primary image is a depth map
	SPOTTER_HEIF_TOO_LARGE,  // width × height is over max_pixels; nothing was decoded
	SPOTTER_HEIF_NOT_8BIT,   // libheif did not narrow the image to 8 bits
};

enum { SPOTTER_HEIF_MSG = 256 };

// A decoded primary image: interleaved 8-bit RGB, or RGBA with straight
// alpha, turned by the file's irot/imir. Only img holds memory.
struct spotter_heif {
	struct heif_image *img;
	const uint8_t *pix;
	int stride, width, height, alpha;
	int code, subcode;
	char msg[SPOTTER_HEIF_MSG];
};

// spotter_heif_decode decodes the primary image of the HEIF or AVIF file in
// data, refusing one of more than max_pixels from its header before any
// pixel is allocated (width and height are then set). data is only read
// during the call. Every libheif object but out->img is released before it
// returns; out->img is NULL unless it returns SPOTTER_HEIF_OK.
int spotter_heif_decode(const void *data, size_t size, int64_t max_pixels, struct spotter_heif *out);

// spotter_heif_free releases the decoded image.
void spotter_heif_free(struct spotter_heif *h);

// spotter_heif_decode_plain is libheif's own decode of the primary image to
// interleaved 8-bit RGB with nothing of Spotter's around it, for comparing
// speeds. It returns libheif's error code.
int spotter_heif_decode_plain(const void *data, size_t size);

#endif
