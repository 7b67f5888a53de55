#ifndef SPOTTER_TESSGLUE_H
#define SPOTTER_TESSGLUE_H

#include <stddef.h>
#include <stdint.h>

/* Status of a reading. */
enum {
	SPOTTER_TEXT_OK = 0,
	SPOTTER_TEXT_NO_MODEL = 1, /* the language models could not be loaded */
	SPOTTER_TEXT_FAILED = 2,   /* Tesseract could not read the picture */
	SPOTTER_TEXT_MEMORY = 3,
};

/* spotter_text_load loads Tesseract with the languages langs ("eng",
 * "eng+deu") from the folder datapath, once per process. */
int spotter_text_load(const char *datapath, const char *langs);

/* spotter_text_read reads the 8-bit grey picture gray (width×height,
 * row after row) with the languages loaded, stopping after deadline_ms.
 * The lines found are laid out in *out (malloc'd, *out_len bytes; free
 * with free()): for each line int32 left, top, right, bottom, float
 * confidence (0–100), int32 length and that many bytes of UTF-8 text. */
int spotter_text_read(const uint8_t *gray, int width, int height, int deadline_ms, uint8_t **out, size_t *out_len);

#endif
