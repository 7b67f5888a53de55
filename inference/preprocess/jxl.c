// libjxl decoding for jxl.go.

#include <stdlib.h>
#include <string.h>
#include <jxl/decode.h>

#include "jxl.h"

int spotter_jxl_decode(const uint8_t *data, size_t size, int64_t max_pixels, struct spotter_jxl *out) {
	memset(out, 0, sizeof *out);
	JxlDecoder *dec = JxlDecoderCreate(NULL);
	if (dec == NULL) {
		return SPOTTER_JXL_ERROR;
	}
	int ret = SPOTTER_JXL_ERROR;
	JxlPixelFormat format = {3, JXL_TYPE_UINT8, JXL_NATIVE_ENDIAN, 0};
	if (JxlDecoderSubscribeEvents(dec, JXL_DEC_BASIC_INFO | JXL_DEC_FULL_IMAGE) != JXL_DEC_SUCCESS ||
			JxlDecoderSetUnpremultiplyAlpha(dec, JXL_TRUE) != JXL_DEC_SUCCESS ||
			JxlDecoderSetInput(dec, data, size) != JXL_DEC_SUCCESS) {
		goto done;
	}
	// The input is left open: then a file that ends early asks for more
	// input, where a closed one would be an unexplained error.
	for (;;) {
		JxlBasicInfo info;
		size_t n;
		switch (JxlDecoderProcessInput(dec)) {
		case JXL_DEC_BASIC_INFO:
			if (JxlDecoderGetBasicInfo(dec, &info) != JXL_DEC_SUCCESS) {
				goto done;
			}
			// The output is turned upright, which swaps the sides for
			// orientations 5 to 8.
			out->width = info.orientation > JXL_ORIENT_FLIP_VERTICAL ? info.ysize : info.xsize;
			out->height = info.orientation > JXL_ORIENT_FLIP_VERTICAL ? info.xsize : info.ysize;
			if ((int64_t)info.xsize * info.ysize > max_pixels) {
				ret = SPOTTER_JXL_TOO_LARGE;
				goto done;
			}
			out->alpha = info.alpha_bits > 0;
			format.num_channels = out->alpha ? 4 : 3;
			break;
		case JXL_DEC_NEED_IMAGE_OUT_BUFFER:
			if (out->pix != NULL || JxlDecoderImageOutBufferSize(dec, &format, &n) != JXL_DEC_SUCCESS ||
					n != (size_t)out->width * out->height * format.num_channels) {
				goto done;
			}
			out->pix = malloc(n);
			if (out->pix == NULL || JxlDecoderSetImageOutBuffer(dec, &format, out->pix, n) != JXL_DEC_SUCCESS) {
				goto done;
			}
			break;
		case JXL_DEC_FULL_IMAGE: // the first frame is enough
			ret = out->pix != NULL ? SPOTTER_JXL_OK : SPOTTER_JXL_ERROR;
			goto done;
		case JXL_DEC_NEED_MORE_INPUT:
			ret = SPOTTER_JXL_TRUNCATED;
			goto done;
		default: // JXL_DEC_ERROR, or success without an image
			goto done;
		}
	}
done:
	JxlDecoderDestroy(dec);
	if (ret != SPOTTER_JXL_OK) {
		free(out->pix);
		out->pix = NULL;
	}
	return ret;
}
