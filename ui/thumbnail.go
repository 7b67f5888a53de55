package ui

import (
	"bytes"
	"image"
	"image/jpeg"
	"log/slog"
)

// thumbnail is a list row's picture kept as a small JPEG (a few kilobytes)
// rather than as pixels, so thousands of rows stay cheap; the list decodes
// only the rows on screen.
type thumbnail []byte

func newThumbnail(img image.Image) thumbnail {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		slog.Warn("encoding a thumbnail", "err", err)
		return nil
	}
	return buf.Bytes()
}

// image decodes the thumbnail; nil when there is none.
func (t thumbnail) image() image.Image {
	if len(t) == 0 {
		return nil
	}
	img, err := jpeg.Decode(bytes.NewReader(t))
	if err != nil {
		return nil
	}
	return img
}
