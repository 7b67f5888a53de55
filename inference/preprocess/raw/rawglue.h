#ifndef SPOTTER_RAWGLUE_H
#define SPOTTER_RAWGLUE_H

#include <stddef.h>
#include <stdint.h>
#include <libraw/libraw.h>

// What LibRaw's header parse tells about a file.
struct spotter_raw_info {
	char make[64];
	char model[64];
	int raw_width, raw_height;
	int flip;         // LibRaw's sizes.flip, dcraw's encoding
	unsigned dng_version;
};

// Codes of spotter_raw_decode beside LibRaw's own (which are all negative).
enum {
	SPOTTER_RAW_NOT_RAW = 1,  // opened, but holds no sensor data (a plain TIFF)
	SPOTTER_RAW_TOO_BIG = 2,  // more sensor pixels than max_pixels
	SPOTTER_RAW_CUT_OFF = 3,  // the data ends before the image does
	SPOTTER_RAW_NO_IMAGE = 4, // LibRaw returned no image and no error
};

struct spotter_raw_result {
	int status;  // 0, a LibRaw error code or a SPOTTER_RAW_ code
	struct spotter_raw_info info;
	// The preview (type LIBRAW_IMAGE_JPEG or an 8-bit bitmap) or the
	// demosaiced picture; the caller frees it with libraw_dcraw_clear_mem.
	libraw_processed_image_t *image;
	int is_preview;
	int identified; // LibRaw took the file as a camera RAW
};

// spotter_raw_decode returns the embedded preview when it may be at least
// min_side pixels on its shorter side (min_side < 0: never), else a
// half-size 8-bit sRGB demosaic, never rotated.
void spotter_raw_decode(const void *data, size_t size, int min_side, int64_t max_pixels,
		struct spotter_raw_result *res);

#endif
