#ifndef SPOTTER_JPEGTURBO_H
#define SPOTTER_JPEGTURBO_H

#include <stdio.h> // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>

enum { SPOTTER_OK, SPOTTER_ERROR, SPOTTER_UNSUPPORTED };

// spotter_jpeg_decode decodes a JPEG into RGBA at the smallest n/8 scale
// whose shorter side is at least min_side (full size when min_side is 0).
// On SPOTTER_OK *out is the caller's to free(); on SPOTTER_ERROR msg (of
// JMSG_LENGTH_MAX bytes) says why.
int spotter_jpeg_decode(const unsigned char *data, unsigned long size, int min_side,
		unsigned char **out, int *width, int *height, int *truncated, char *msg);

#endif
