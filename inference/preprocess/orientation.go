package preprocess

import (
	"encoding/binary"
	"image"
)

// Orientation is the EXIF orientation tag: how the stored pixels must be
// turned to show the scene upright.
type Orientation int

// The EXIF orientation values.
const (
	Upright       Orientation = 1 // as stored
	FlipH         Orientation = 2 // mirror left-right
	Rotate180     Orientation = 3
	FlipV         Orientation = 4 // mirror top-bottom
	Transpose     Orientation = 5 // mirror along the main diagonal
	Rotate90CW    Orientation = 6
	Transverse    Orientation = 7 // mirror along the anti-diagonal
	Rotate90CCW   Orientation = 8
	exifTagOrient             = 0x0112
)

// SwapsAxes reports whether showing the image upright exchanges its width
// and height.
func (o Orientation) SwapsAxes() bool { return o >= Transpose && o <= Rotate90CCW }

// Apply returns src turned upright. It is meant for small images (the model
// input, a preview): the pixels are copied one by one.
func (o Orientation) Apply(src *image.RGBA) *image.RGBA {
	if o <= Upright || o > Rotate90CCW {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o.SwapsAxes() {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case FlipH:
				sx, sy = w-1-x, y
			case Rotate180:
				sx, sy = w-1-x, h-1-y
			case FlipV:
				sx, sy = x, h-1-y
			case Transpose:
				sx, sy = y, x
			case Rotate90CW:
				sx, sy = y, h-1-x
			case Transverse:
				sx, sy = w-1-y, h-1-x
			case Rotate90CCW:
				sx, sy = w-1-y, x
			}
			si := src.PixOffset(b.Min.X+sx, b.Min.Y+sy)
			di := dst.PixOffset(x, y)
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}

// jpegOrientation finds the EXIF orientation among a JPEG's header
// segments. Anything it does not understand means "upright"; a broken EXIF
// block must never stop a photo from classifying.
func jpegOrientation(b []byte) Orientation {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return Upright
	}
	pos := 2
	for pos+4 <= len(b) {
		if b[pos] != 0xFF {
			return Upright
		}
		marker := b[pos+1]
		if marker == 0xFF { // fill byte
			pos++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan / end of image
			return Upright
		}
		size := int(binary.BigEndian.Uint16(b[pos+2:]))
		if size < 2 || pos+2+size > len(b) {
			return Upright
		}
		seg := b[pos+4 : pos+2+size]
		if marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		pos += 2 + size
	}
	return Upright
}

// tiffOrientation reads tag 0x0112 from IFD0 of an EXIF TIFF block.
func tiffOrientation(t []byte) Orientation {
	if len(t) < 8 {
		return Upright
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return Upright
	}
	ifd := int(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return Upright
	}
	n := int(bo.Uint16(t[ifd:]))
	for i := 0; i < n; i++ {
		e := ifd + 2 + 12*i
		if e+12 > len(t) {
			return Upright
		}
		if bo.Uint16(t[e:]) != exifTagOrient {
			continue
		}
		// Type SHORT, count 1: the value sits in the first two bytes of
		// the value field.
		if bo.Uint16(t[e+2:]) != 3 {
			return Upright
		}
		if v := Orientation(bo.Uint16(t[e+8:])); v >= Upright && v <= Rotate90CCW {
			return v
		}
		return Upright
	}
	return Upright
}
