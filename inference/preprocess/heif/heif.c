// libheif decoding for heif.go.

#include <stdio.h>
#include <string.h>

#include "heif.h"

static int fail(struct spotter_heif *out, struct heif_error err) {
	out->code = err.code;
	out->subcode = err.subcode;
	snprintf(out->msg, sizeof out->msg, "%s", err.message != NULL ? err.message : "");
	return SPOTTER_HEIF_ERROR;
}

// is_depth reports whether handle is a depth map that libheif took for a
// picture: it offers one as the primary image when nothing else is left.
static int is_depth(const struct heif_image_handle *handle) {
	const char *type = NULL;
	if (heif_image_handle_get_auxiliary_type(handle, &type).code != heif_error_Ok || type == NULL) {
		return 0;
	}
	int depth = strcmp(type, "urn:mpeg:hevc:2015:auxid:2") == 0 ||
		strcmp(type, "urn:mpeg:mpegB:cicp:systems:auxiliary:depth") == 0;
	heif_image_handle_free_auxiliary_types(handle, &type);
	return depth;
}

// unpremultiply turns premultiplied RGBA rows into straight alpha, which is
// what the shrink expects. Few files store premultiplied colour.
static void unpremultiply(uint8_t *pix, int stride, int w, int h) {
	for (int y = 0; y < h; y++) {
		uint8_t *p = pix + (size_t)y * stride;
		for (int x = 0; x < w; x++, p += 4) {
			unsigned a = p[3];
			if (a == 0 || a == 255) {
				continue;
			}
			for (int c = 0; c < 3; c++) {
				unsigned v = (p[c] * 255u + a / 2) / a;
				p[c] = v > 255 ? 255 : (uint8_t)v;
			}
		}
	}
}

int spotter_heif_decode(const void *data, size_t size, int64_t max_pixels, struct spotter_heif *out) {
	memset(out, 0, sizeof *out);
	struct heif_context *ctx = heif_context_alloc();
	if (ctx == NULL) {
		out->code = heif_error_Memory_allocation_error;
		return SPOTTER_HEIF_ERROR;
	}
	struct heif_image_handle *handle = NULL;
	struct heif_decoding_options *opts = NULL;
	int ret = SPOTTER_HEIF_OK;
	struct heif_error err = heif_context_read_from_memory_without_copy(ctx, data, size, NULL);
	if (err.code == heif_error_Ok) {
		err = heif_context_get_primary_image_handle(ctx, &handle);
	}
	if (err.code != heif_error_Ok) {
		ret = fail(out, err);
		goto done;
	}
	// The size after irot, which only swaps the sides.
	out->width = heif_image_handle_get_width(handle);
	out->height = heif_image_handle_get_height(handle);
	if (is_depth(handle)) {
		ret = SPOTTER_HEIF_DEPTH_ONLY;
		goto done;
	}
	if (out->width <= 0 || out->height <= 0 || (int64_t)out->width * out->height > max_pixels) {
		ret = SPOTTER_HEIF_TOO_LARGE;
		goto done;
	}
	out->alpha = heif_image_handle_has_alpha_channel(handle);
	opts = heif_decoding_options_alloc();
	if (opts == NULL) {
		out->code = heif_error_Memory_allocation_error;
		ret = SPOTTER_HEIF_ERROR;
		goto done;
	}
	opts->convert_hdr_to_8bit = 1;
	err = heif_decode_image(handle, &out->img, heif_colorspace_RGB,
		out->alpha ? heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB, opts);
	if (err.code != heif_error_Ok) {
		ret = fail(out, err);
		out->img = NULL;
		goto done;
	}
	out->pix = heif_image_get_plane_readonly(out->img, heif_channel_interleaved, &out->stride);
	out->width = heif_image_get_width(out->img, heif_channel_interleaved);
	out->height = heif_image_get_height(out->img, heif_channel_interleaved);
	if (out->pix == NULL || heif_image_get_bits_per_pixel_range(out->img, heif_channel_interleaved) != 8) {
		spotter_heif_free(out);
		ret = SPOTTER_HEIF_NOT_8BIT;
		goto done;
	}
	// A grid's tiles can add up to more than its header said.
	if ((int64_t)out->width * out->height > max_pixels) {
		spotter_heif_free(out);
		ret = SPOTTER_HEIF_TOO_LARGE;
		goto done;
	}
	if (out->alpha && heif_image_is_premultiplied_alpha(out->img)) {
		unpremultiply((uint8_t *)out->pix, out->stride, out->width, out->height);
	}
done:
	heif_decoding_options_free(opts);
	heif_image_handle_release(handle);
	heif_context_free(ctx);
	return ret;
}

void spotter_heif_free(struct spotter_heif *h) {
	heif_image_release(h->img);
	h->img = NULL;
	h->pix = NULL;
}

int spotter_heif_decode_plain(const void *data, size_t size) {
	struct heif_context *ctx = heif_context_alloc();
	struct heif_image_handle *handle = NULL;
	struct heif_image *img = NULL;
	struct heif_error err = heif_context_read_from_memory_without_copy(ctx, data, size, NULL);
	if (err.code == heif_error_Ok) {
		err = heif_context_get_primary_image_handle(ctx, &handle);
	}
	if (err.code == heif_error_Ok) {
		err = heif_decode_image(handle, &img, heif_colorspace_RGB, heif_chroma_interleaved_RGB, NULL);
	}
	heif_image_release(img);
	heif_image_handle_release(handle);
	heif_context_free(ctx);
	return err.code;
}
