package preprocess

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"os"

	"github.com/spotter-app/spotter/inference/helper"
	"github.com/spotter-app/spotter/inference/preprocess/raw"
)

// mayBeRAW reports whether a file should be offered to LibRaw: its first
// bytes are those of a RAW format, or of a TIFF (DNG, CR2, NEF, ARW and most
// others are TIFF inside, told apart by LibRaw), or it has a RAW name and
// content no other decoder claims. Content wins over the name: a JPEG named
// .CR2 is decoded as the JPEG it is, and a TIFF LibRaw does not take is
// decoded as a TIFF unless it has a RAW name.
func mayBeRAW(head []byte, name string) bool {
	return rawSignature(head) || bytes.HasPrefix(head, []byte("II*\x00")) || bytes.HasPrefix(head, []byte("MM\x00*")) ||
		IsRAWName(name) && !LooksLikeImage(head)
}

// rawSignature recognises the RAW formats that are not TIFF inside.
func rawSignature(head []byte) bool {
	has := func(off int, magic string) bool {
		return len(head) >= off+len(magic) && string(head[off:off+len(magic)]) == magic
	}
	return has(4, "ftypcrx ") || has(0, "FUJIFILMCCD-RAW") || has(0, "IIRO") || has(0, "IIRS") || has(0, "IIU\x00") ||
		has(0, "\x00MRM") || has(0, "FOVb")
}

// decodeRAW decodes a camera RAW file LibRaw recognises, or one named as a
// RAW that LibRaw does not know (then its verdict is the message). A file
// is read where it is; other readers are read into memory first. Its error
// tells raw.NotRAW.
func decodeRAW(ctx context.Context, name string, head []byte, f io.ReadSeeker, r *bufio.Reader,
	maxPixels int64, minSide int) (Photo, error) {
	var img image.Image
	var o int
	var err error
	if file, ok := f.(*os.File); ok {
		img, o, err = raw.DecodeFile(ctx, file, minSide, rawPreview(ctx))
	} else {
		data, rerr := readWhole(ctx, f, r)
		if rerr != nil {
			return Photo{}, decodeError(ctx, name, head, rerr)
		}
		img, o, err = raw.DecodeWith(ctx, data, minSide, rawPreview(ctx))
	}
	if err != nil {
		if ctx.Err() != nil {
			return Photo{}, ctx.Err()
		}
		// The raw package's messages are the rest of a sentence whose
		// subject is the file.
		return Photo{}, fmt.Errorf("%s %w", name, err)
	}
	// LibRaw has its own limit on the sensor; this one is the caller's.
	if b := img.Bounds(); int64(b.Dx())*int64(b.Dy()) > maxPixels {
		return Photo{}, tooLarge(name, b.Dx(), b.Dy(), maxPixels)
	}
	return Photo{Image: img, Orientation: Orientation(o), Format: "raw"}, nil
}

// rawPreview decodes a RAW's embedded JPEG preview as any JPEG, in a
// helper, shrinking it while decoding. The preview's bytes are LibRaw's
// reply; they go to the decoder in a memfd.
func rawPreview(ctx context.Context) func(data []byte, minSide int) (image.Image, error) {
	return func(data []byte, minSide int) (image.Image, error) {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		src, err := helper.BytesSource("spotter-preview", data)
		if err != nil {
			return nil, err
		}
		defer src.Close()
		img, _, err := decodeJPEGOrPNG(ctx, src, "jpeg", cfg, minSide)
		return img, err
	}
}
