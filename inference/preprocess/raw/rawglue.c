#include <string.h>
#include "rawglue.h"

struct state {
	int cut_off;
};

// LibRaw's default handlers print to stderr; Spotter reports the problem
// itself. A negative offset means the data ended early; other data errors
// leave a partly wrong picture, which still shows what the photo holds.
static void on_data_error(void *data, const char *file, const int offset) {
	struct state *s = data;
	(void)file;
	if (offset < 0) {
		s->cut_off = 1;
	}
}

static void on_memory_error(void *data, const char *file, const char *where) {
	(void)data;
	(void)file;
	(void)where;
}

static libraw_data_t *open_buffer(const void *data, size_t size, struct state *s,
		struct spotter_raw_info *info, int *status) {
	libraw_data_t *lr = libraw_init(LIBRAW_OPTIONS_NONE);
	if (lr == NULL) {
		*status = LIBRAW_UNSUFFICIENT_MEMORY;
		return NULL;
	}
	libraw_set_dataerror_handler(lr, on_data_error, s);
	libraw_set_memerror_handler(lr, on_memory_error, s);
	// LibRaw only reads the buffer; its API is not const-correct.
	*status = libraw_open_buffer(lr, (void *)data, size);
	// The make may be known even when the rest is not: it names the camera
	// in the message.
	memcpy(info->make, lr->idata.normalized_make, sizeof info->make);
	info->make[sizeof info->make - 1] = 0;
	if (info->make[0] == 0) {
		memcpy(info->make, lr->idata.make, sizeof info->make);
		info->make[sizeof info->make - 1] = 0;
	}
	memcpy(info->model, lr->idata.model, sizeof info->model);
	info->model[sizeof info->model - 1] = 0;
	info->raw_width = lr->sizes.raw_width;
	info->raw_height = lr->sizes.raw_height;
	info->flip = lr->sizes.flip;
	info->dng_version = lr->idata.dng_version;
	if (*status == LIBRAW_SUCCESS && !(lr->sizes.raw_width > 0 && lr->sizes.raw_height > 0 &&
			lr->sizes.width > 0 && lr->sizes.height > 0 && lr->idata.colors > 0)) {
		*status = SPOTTER_RAW_NOT_RAW;
	}
	return lr;
}

// after maps a failed step, or a silent data error LibRaw only reported
// through the callback, to the result's status.
static int after(int status, const struct state *s) {
	if (s->cut_off && (status == LIBRAW_SUCCESS || status == LIBRAW_IO_ERROR || status == LIBRAW_DATA_ERROR)) {
		return SPOTTER_RAW_CUT_OFF;
	}
	return status;
}

static int short_side_at_least(int w, int h, int min_side) {
	return (w < h ? w : h) >= min_side;
}

// preview makes the embedded preview the result when it is a JPEG or an
// 8-bit bitmap that is (or, size unknown, may be) large enough.
// whole_bitmap tells whether img is an 8-bit grey or RGB picture whose data
// holds all of its pixels: LibRaw copies a bitmap preview's bytes as the
// file gives them, fewer than its header's size when the file lies.
static int whole_bitmap(const libraw_processed_image_t *img) {
	return img->bits == 8 && (img->colors == 3 || img->colors == 1) &&
		img->width > 0 && img->height > 0 &&
		(uint64_t)img->width * img->height * img->colors <= img->data_size;
}

static int preview(libraw_data_t *lr, struct state *s, int min_side, struct spotter_raw_result *res) {
	// tformat is only known once the preview is unpacked.
	if (min_side < 0 || lr->thumbnail.tlength == 0) {
		return 0;
	}
	if (lr->thumbnail.twidth > 0 && lr->thumbnail.theight > 0 &&
			!short_side_at_least(lr->thumbnail.twidth, lr->thumbnail.theight, min_side)) {
		return 0;
	}
	if (libraw_unpack_thumb(lr) != LIBRAW_SUCCESS || s->cut_off) {
		// A cut-off preview is no reason to refuse the photo yet: the
		// sensor data may lie before it.
		s->cut_off = 0;
		return 0;
	}
	if (lr->thumbnail.tformat != LIBRAW_THUMBNAIL_JPEG && lr->thumbnail.tformat != LIBRAW_THUMBNAIL_BITMAP) {
		return 0;
	}
	int err = 0;
	libraw_processed_image_t *img = libraw_dcraw_make_mem_thumb(lr, &err);
	if (img == NULL) {
		return 0;
	}
	if (img->type == LIBRAW_IMAGE_BITMAP &&
			(!whole_bitmap(img) || !short_side_at_least(img->width, img->height, min_side))) {
		libraw_dcraw_clear_mem(img);
		return 0;
	}
	res->image = img;
	res->is_preview = 1;
	return 1;
}

static int demosaic(libraw_data_t *lr, struct state *s, struct spotter_raw_result *res) {
	int status = after(libraw_unpack(lr), s);
	if (status != LIBRAW_SUCCESS) {
		return status;
	}
	lr->params.half_size = 1;
	lr->params.use_camera_wb = 1;
	lr->params.output_bps = 8;
	lr->params.output_color = 1; // sRGB
	// sRGB's own tone curve (dcraw's -g 2.4 12.92), not LibRaw's default
	// BT.709 one, which is darker in the mid-tones than the JPEGs
	// classifiers learn from.
	lr->params.gamm[0] = 1 / 2.4;
	lr->params.gamm[1] = 12.92;
	lr->params.user_flip = 0;    // the caller turns the picture once, by res->info.flip
	status = after(libraw_dcraw_process(lr), s);
	if (status != LIBRAW_SUCCESS) {
		return status;
	}
	// The sensor data and the working image go now, before the caller
	// copies the output: only one full picture is held at a time after this.
	libraw_processed_image_t *img = libraw_dcraw_make_mem_image(lr, &status);
	libraw_recycle(lr);
	if (img == NULL) {
		return status != LIBRAW_SUCCESS ? status : SPOTTER_RAW_NO_IMAGE;
	}
	if (img->type != LIBRAW_IMAGE_BITMAP || !whole_bitmap(img)) {
		libraw_dcraw_clear_mem(img);
		return SPOTTER_RAW_NO_IMAGE;
	}
	res->image = img;
	return LIBRAW_SUCCESS;
}

void spotter_raw_decode(const void *data, size_t size, int min_side, int64_t max_pixels,
		struct spotter_raw_result *res) {
	struct state s = {0};
	memset(res, 0, sizeof *res);
	libraw_data_t *lr = open_buffer(data, size, &s, &res->info, &res->status);
	if (lr == NULL) {
		return;
	}
	res->identified = res->status == LIBRAW_SUCCESS;
	res->status = after(res->status, &s);
	if (res->status == LIBRAW_SUCCESS &&
			(int64_t)res->info.raw_width * res->info.raw_height > max_pixels) {
		res->status = SPOTTER_RAW_TOO_BIG;
	}
	if (res->status == LIBRAW_SUCCESS && !preview(lr, &s, min_side, res)) {
		res->status = demosaic(lr, &s, res);
	}
	libraw_close(lr);
}
