// libjpeg-turbo decoding for jpegturbo.go.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

#include "jpegturbo.h"

struct spotter_err {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char msg[JMSG_LENGTH_MAX];
	int truncated;
};

// libjpeg's default error handler exits the process; jump back instead.
static void spotter_error_exit(j_common_ptr c) {
	struct spotter_err *e = (struct spotter_err *)c->err;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jump, 1);
}

// Warnings are not printed. A file that ends early is only a warning to
// libjpeg (it pads with grey); Spotter reports it.
static void spotter_emit_message(j_common_ptr c, int level) {
	struct spotter_err *e = (struct spotter_err *)c->err;
	if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF) {
		e->truncated = 1;
	}
}

int spotter_jpeg_decode(const unsigned char *data, unsigned long size, int min_side,
		unsigned char **out, int *width, int *height, int *truncated, char *msg) {
	struct jpeg_decompress_struct cinfo;
	struct spotter_err err;
	unsigned char *volatile buf = NULL;

	cinfo.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = spotter_error_exit;
	err.pub.emit_message = spotter_emit_message;
	err.truncated = 0;
	err.msg[0] = 0;
	if (setjmp(err.jump)) {
		strncpy(msg, err.msg, JMSG_LENGTH_MAX);
		free(buf);
		jpeg_destroy_decompress(&cinfo);
		return SPOTTER_ERROR;
	}
	jpeg_create_decompress(&cinfo);
	jpeg_mem_src(&cinfo, data, size);
	jpeg_read_header(&cinfo, TRUE);
	if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
		jpeg_destroy_decompress(&cinfo);
		return SPOTTER_UNSUPPORTED;
	}
	unsigned int shorter = cinfo.image_width < cinfo.image_height ? cinfo.image_width : cinfo.image_height;
	unsigned int n = 8;
	if (min_side > 0) {
		for (n = 1; n < 8 && (unsigned long)shorter * n / 8 < (unsigned long)min_side; n++) {
		}
	}
	cinfo.scale_num = n;
	cinfo.scale_denom = 8;
	cinfo.out_color_space = JCS_EXT_RGBA;
	jpeg_start_decompress(&cinfo);
	size_t stride = (size_t)cinfo.output_width * 4;
	buf = malloc(stride * cinfo.output_height);
	if (buf == NULL) {
		strcpy(msg, "out of memory");
		jpeg_destroy_decompress(&cinfo);
		return SPOTTER_ERROR;
	}
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW row = buf + stride * cinfo.output_scanline;
		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_decompress(&cinfo);
	*width = cinfo.output_width;
	*height = cinfo.output_height;
	*truncated = err.truncated;
	*out = buf;
	jpeg_destroy_decompress(&cinfo);
	return SPOTTER_OK;
}
