package preprocess

import (
	"context"
	"errors"
	"fmt"
	"image"
	"unsafe"

	"github.com/spotter-app/spotter/inference/preprocess/heif"
)

// heifBrands are the ftyp brands of the HEIF files libheif decodes, with
// the format each one means. A file names one major brand and lists
// compatible ones; an AVIF brand anywhere among them makes it AVIF, since
// the generic brands (mif1, msf1) say nothing about the codec.
var heifBrands = map[string]string{
	"heic": "heif", "heix": "heif", "hevc": "heif", "hevx": "heif", "heim": "heif", "heis": "heif",
	"hevm": "heif", "hevs": "heif", "mif1": "heif", "msf1": "heif",
	"avif": "avif", "avis": "avif",
}

// heifFormat returns "heif" or "avif" when head begins with an ftyp box
// that declares a HEIF or AVIF brand, else "".
func heifFormat(head []byte) string {
	if len(head) < 12 || string(head[4:8]) != "ftyp" {
		return ""
	}
	format := heifBrands[string(head[8:12])]
	size := int(head[0])<<24 | int(head[1])<<16 | int(head[2])<<8 | int(head[3])
	// Compatible brands follow the minor version, up to the box's end.
	for i := 16; i+4 <= min(size, len(head)); i += 4 {
		switch heifBrands[string(head[i:i+4])] {
		case "avif":
			return "avif"
		case "heif":
			if format == "" {
				format = "heif"
			}
		}
	}
	return format
}

// heifKind names a format for messages.
func heifKind(format string) string {
	if format == "avif" {
		return "an AVIF image"
	}
	return "a HEIC photo"
}

// decodeHEIF decodes the primary image of a HEIF or AVIF file turned as the
// file says (libheif applies irot and imir), box-shrunk like a PNG to what
// the crop needs; libheif's full-size pixels are given back at once. The
// EXIF orientation inside a HEIF is not applied: the HEIF specification
// makes irot and imir the authority and leaves Exif informational, and
// phones write both (an iPhone photo held upright has irot 270° and EXIF 6),
// so applying EXIF as well would turn it twice.
func decodeHEIF(ctx context.Context, data []byte, maxPixels int64, minSide int) (*image.RGBA, image.Point, error) {
	if err := ctx.Err(); err != nil {
		return nil, image.Point{}, err
	}
	im, err := heif.Decode(data, maxPixels)
	if err != nil {
		return nil, image.Point{}, err
	}
	defer im.Close()
	// libheif cannot be stopped inside a decode; stop before the shrink.
	if err := ctx.Err(); err != nil {
		return nil, image.Point{}, err
	}
	bpp, threads := 3, 1
	if im.Alpha {
		bpp = 4
	}
	if len(im.Pix) >= pngParallelBytes {
		threads = 2
	}
	img, err := boxShrink(ctx, unsafe.Pointer(&im.Pix[0]), im.Stride, im.Width, im.Height, bpp,
		boxFactor(im.Width, im.Height, minSide), threads)
	return img, image.Pt(im.Width, im.Height), err
}

// heifError explains a failed HEIF or AVIF decode to the person who
// dropped the file.
func heifError(name, format string, maxPixels int64, err error) error {
	kind := heifKind(format)
	var size *heif.SizeError
	switch {
	case errors.As(err, &size):
		return tooLarge(name, size.Width, size.Height, maxPixels)
	case errors.Is(err, heif.ErrTruncated):
		return cutOff(name)
	case errors.Is(err, heif.ErrNoPrimary):
		return fmt.Errorf("%s is %s whose main picture is missing (the file names no primary image that it holds), so there is nothing to classify. Open it in the program that made it and save or export the photo again", name, kind)
	case errors.Is(err, heif.ErrDepthOnly):
		return fmt.Errorf("%s holds only a depth map (how far each point is from the camera), not the photo itself. Drop the photo it belongs to instead", name)
	case errors.Is(err, heif.ErrUnsupported):
		return fmt.Errorf("%s is %s stored in a way Spotter cannot decode (%v). Convert it to JPEG in your photo software and drop that", name, kind, err)
	}
	return fmt.Errorf("%s is %s that looks damaged and cannot be decoded (%v). Try opening it in another program and saving a fresh copy", name, kind, err)
}
