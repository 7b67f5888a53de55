#ifndef SPOTTER_RESIZE_H
#define SPOTTER_RESIZE_H

#include <stddef.h>
#include <stdint.h>

// spotter_resize_rgba resizes an sw×sh RGBA image (rows stride bytes apart)
// to dw×dh into out (rows out_stride bytes apart) with a triangle filter
// whose support widens with the shrink factor: bilinear that averages every
// source pixel when shrinking, as PIL's and nfnt/resize's "bilinear" do.
// mid (sh·dw·4 bytes) and acc (dw·4 values) are the caller's scratch, kept
// between photos: fresh megabytes each time cost page faults. It returns 0,
// or -1 when memory for the weights runs out.
int spotter_resize_rgba(const uint8_t *src, size_t stride, int sw, int sh,
		uint8_t *out, size_t out_stride, int dw, int dh, uint8_t *mid, int32_t *acc);

#endif
