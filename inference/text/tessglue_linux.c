#include "tessglue.h"

#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>

/* One Tesseract per helper, loaded before the helper is locked down (it
 * reads its models from files) and kept between requests: loading the
 * English model takes longer than reading a sign. */
static TessBaseAPI *api;

int spotter_text_load(const char *datapath, const char *langs) {
	api = TessBaseAPICreate();
	if (api == NULL) {
		return SPOTTER_TEXT_MEMORY;
	}
	if (TessBaseAPIInit3(api, datapath, langs) != 0) {
		TessBaseAPIDelete(api);
		api = NULL;
		return SPOTTER_TEXT_NO_MODEL;
	}
	return SPOTTER_TEXT_OK;
}

struct buffer {
	uint8_t *data;
	size_t len, cap;
};

static int put(struct buffer *b, const void *p, size_t n) {
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n) {
			cap *= 2;
		}
		uint8_t *d = realloc(b->data, cap);
		if (d == NULL) {
			return 0;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 1;
}

int spotter_text_read(const uint8_t *gray, int width, int height, int deadline_ms, uint8_t **out, size_t *out_len) {
	*out = NULL;
	*out_len = 0;
	if (api == NULL) {
		return SPOTTER_TEXT_NO_MODEL;
	}
	TessBaseAPISetImage(api, gray, width, height, 1, width);
	/* No source resolution: Tesseract estimates one from the letters'
	 * sizes, which read the dev set's signs where 300 lost them. */
	ETEXT_DESC *monitor = TessMonitorCreate();
	if (monitor == NULL) {
		return SPOTTER_TEXT_MEMORY;
	}
	TessMonitorSetDeadlineMSecs(monitor, deadline_ms);
	int failed = TessBaseAPIRecognize(api, monitor) != 0;
	TessMonitorDelete(monitor);
	if (failed) {
		TessBaseAPIClear(api);
		return SPOTTER_TEXT_FAILED;
	}
	struct buffer b = {0};
	int status = SPOTTER_TEXT_OK;
	TessResultIterator *it = TessBaseAPIGetIterator(api);
	if (it != NULL) {
		const TessPageIterator *page = TessResultIteratorGetPageIterator(it);
		do {
			int box[4];
			if (!TessPageIteratorBoundingBox(page, RIL_TEXTLINE, &box[0], &box[1], &box[2], &box[3])) {
				continue;
			}
			char *text = TessResultIteratorGetUTF8Text(it, RIL_TEXTLINE);
			if (text == NULL) {
				continue;
			}
			float conf = TessResultIteratorConfidence(it, RIL_TEXTLINE);
			int32_t n = (int32_t)strlen(text);
			int32_t b32[4] = {box[0], box[1], box[2], box[3]};
			int ok = put(&b, b32, sizeof b32) && put(&b, &conf, sizeof conf) && put(&b, &n, sizeof n) && put(&b, text, n);
			TessDeleteText(text);
			if (!ok) {
				status = SPOTTER_TEXT_MEMORY;
				break;
			}
		} while (TessResultIteratorNext(it, RIL_TEXTLINE));
		TessResultIteratorDelete(it);
	}
	TessBaseAPIClear(api);
	if (status != SPOTTER_TEXT_OK) {
		free(b.data);
		return status;
	}
	*out = b.data;
	*out_len = b.len;
	return SPOTTER_TEXT_OK;
}
