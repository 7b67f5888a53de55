// Package rawtest writes DNG files for tests: a real TIFF/DNG with a Bayer
// (CFA) sensor image made from any picture, as a camera would record it,
// and optionally an embedded JPEG preview as real DNGs carry.
package rawtest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"

	"golang.org/x/image/draw"
)

// DNGOptions shapes the file DNG writes. The zero value gives an upright,
// uncompressed 16-bit DNG of the source's size with no preview.
type DNGOptions struct {
	// Width and Height are the sensor's size; 0 takes the source's. Both
	// are rounded down to even numbers, whole Bayer quads.
	Width, Height int
	// PreviewWidth and PreviewHeight, when not 0, add an embedded JPEG
	// preview of that size in IFD 0, the sensor image moving to a SubIFD.
	PreviewWidth, PreviewHeight int
	// Orientation is the EXIF orientation tag, 1–8; 0 writes none.
	Orientation int
	// Make and Model default to "Spotter" and "Test Camera".
	Make, Model string
}

// WriteDNG writes DNG(src, opts) to path.
func WriteDNG(path string, src image.Image, opts DNGOptions) error {
	data, err := DNG(src, opts)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// Gradient is a w×h picture whose colour changes along both axes, for
// tests that need no photo.
func Gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(255 * x / w), uint8(255 * y / h), uint8(255 * (x + y) / (w + h)), 255})
		}
	}
	return img
}

// xyzToSRGB is the XYZ (D65) to linear sRGB matrix. As the DNG's
// ColorMatrix1 it says the sensor sees linear sRGB, so a correct raw
// converter gives back the source's colours.
var xyzToSRGB = [9]float64{
	3.2404542, -1.5371385, -0.4985314,
	-0.9692660, 1.8760108, 0.0415560,
	0.0556434, -0.2040259, 1.0572252,
}

// DNG returns a DNG 1.4 file whose RGGB sensor data samples src: each
// photosite takes its colour's value at the nearest source pixel, undoing
// sRGB's gamma, since a sensor records linear light.
func DNG(src image.Image, opts DNGOptions) ([]byte, error) {
	b := src.Bounds()
	w, h := opts.Width, opts.Height
	if w == 0 {
		w = b.Dx()
	}
	if h == 0 {
		h = b.Dy()
	}
	w, h = w&^1, h&^1
	if w <= 0 || h <= 0 || opts.Orientation < 0 || opts.Orientation > 8 {
		return nil, errors.New("rawtest: bad DNG size or orientation")
	}
	if opts.Make == "" {
		opts.Make = "Spotter"
	}
	if opts.Model == "" {
		opts.Model = "Test Camera"
	}
	cfa := bayer(src, w, h)

	var preview []byte
	if opts.PreviewWidth > 0 && opts.PreviewHeight > 0 {
		small := image.NewRGBA(image.Rect(0, 0, opts.PreviewWidth, opts.PreviewHeight))
		draw.CatmullRom.Scale(small, small.Bounds(), src, b, draw.Src, nil)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, small, &jpeg.Options{Quality: 90}); err != nil {
			return nil, err
		}
		preview = buf.Bytes()
	}

	// Layout: header, IFD 0, the raw SubIFD (when there is a preview), the
	// preview's JPEG, the sensor data. Every IFD's size is known before its
	// offsets are, so the offsets are filled in once the layout is fixed.
	var camera ifd
	camera.ascii(271, opts.Make)
	camera.ascii(272, opts.Model)
	if opts.Orientation > 0 {
		camera.short(274, uint16(opts.Orientation))
	}
	camera.bytes(50706, 1, 4, 0, 0) // DNGVersion
	camera.bytes(50707, 1, 1, 0, 0) // DNGBackwardVersion
	camera.ascii(50708, opts.Make+" "+opts.Model)
	camera.srational(50721, xyzToSRGB[:]...) // ColorMatrix1
	camera.rational(50728, 1, 1, 1)          // AsShotNeutral
	camera.short(50778, 21)                  // CalibrationIlluminant1: D65

	var sensor ifd
	sensor.long(254, 0) // NewSubFileType: the main image
	sensor.long(256, uint32(w))
	sensor.long(257, uint32(h))
	sensor.short(258, 16)
	sensor.short(259, 1)     // uncompressed
	sensor.short(262, 32803) // CFA
	stripOffset := sensor.long(273, 0)
	sensor.short(277, 1)
	sensor.long(278, uint32(h))
	sensor.long(279, uint32(len(cfa)))
	sensor.short(284, 1)
	sensor.short(33421, 2, 2)       // CFARepeatPatternDim
	sensor.bytes(33422, 0, 1, 1, 2) // CFAPattern: RGGB
	sensor.long(50717, 65535)       // WhiteLevel

	var ifd0, sub ifd
	var previewOffset, subOffset *entry
	if preview == nil {
		ifd0 = append(sensor, camera...)
	} else {
		ifd0.long(254, 1) // NewSubFileType: a reduced-resolution copy
		ifd0.long(256, uint32(opts.PreviewWidth))
		ifd0.long(257, uint32(opts.PreviewHeight))
		ifd0.short(258, 8, 8, 8)
		ifd0.short(259, 7) // JPEG
		ifd0.short(262, 6) // YCbCr
		previewOffset = ifd0.long(273, 0)
		ifd0.short(277, 3)
		ifd0.long(278, uint32(opts.PreviewHeight))
		ifd0.long(279, uint32(len(preview)))
		ifd0.short(284, 1)
		subOffset = ifd0.long(330, 0) // SubIFDs
		ifd0 = append(ifd0, camera...)
		sub = sensor
	}
	ifd0.sort()
	sub.sort()

	off0 := 8
	offSub := off0 + ifd0.size()
	offPreview := offSub + sub.size()
	offCFA := offPreview + len(preview) + len(preview)&1
	stripOffset.setLong(uint32(offCFA))
	if preview != nil {
		previewOffset.setLong(uint32(offPreview))
		subOffset.setLong(uint32(offSub))
	}

	out := make([]byte, 0, offCFA+len(cfa))
	out = append(out, 'I', 'I', 42, 0)
	out = binary.LittleEndian.AppendUint32(out, uint32(off0))
	out = ifd0.appendTo(out)
	if sub != nil {
		out = sub.appendTo(out)
	}
	out = append(out, preview...)
	if len(preview)&1 == 1 {
		out = append(out, 0)
	}
	return append(out, cfa...), nil
}

// bayer samples src on an RGGB mosaic of w×h 16-bit little-endian
// photosites.
func bayer(src image.Image, w, h int) []byte {
	b := src.Bounds()
	rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Bounds(), src, b.Min, draw.Src)
	var linear [256]uint16
	for i := range linear {
		v := float64(i) / 255
		if v <= 0.04045 {
			v /= 12.92
		} else {
			v = math.Pow((v+0.055)/1.055, 2.4)
		}
		linear[i] = uint16(math.Round(v * 65535))
	}
	out := make([]byte, 2*w*h)
	for y := range h {
		sy := y * b.Dy() / h
		row := rgba.Pix[sy*rgba.Stride:]
		for x := range w {
			// Channel 0 (red) on even rows and columns, 2 (blue) on odd
			// ones, green between.
			c := x&1 + y&1
			sx := x * b.Dx() / w
			binary.LittleEndian.PutUint16(out[2*(y*w+x):], linear[row[4*sx+c]])
		}
	}
	return out
}

type entry struct {
	tag, typ uint16
	count    uint32
	data     []byte // little-endian values
}

func (e *entry) setLong(v uint32) { binary.LittleEndian.PutUint32(e.data, v) }

// An ifd holds pointers, so that an offset entry can be set after the
// entries are sorted.
type ifd []*entry

func (d *ifd) add(tag, typ uint16, count int, data []byte) *entry {
	e := &entry{tag, typ, uint32(count), data}
	*d = append(*d, e)
	return e
}

func (d *ifd) ascii(tag uint16, s string) { d.add(tag, 2, len(s)+1, append([]byte(s), 0)) }

func (d *ifd) bytes(tag uint16, v ...byte) { d.add(tag, 1, len(v), v) }

func (d *ifd) short(tag uint16, v ...uint16) {
	var data []byte
	for _, x := range v {
		data = binary.LittleEndian.AppendUint16(data, x)
	}
	d.add(tag, 3, len(v), data)
}

func (d *ifd) long(tag uint16, v uint32) *entry {
	return d.add(tag, 4, 1, binary.LittleEndian.AppendUint32(nil, v))
}

func (d *ifd) rational(tag uint16, v ...uint32) {
	var data []byte
	for _, x := range v {
		data = binary.LittleEndian.AppendUint32(data, x)
		data = binary.LittleEndian.AppendUint32(data, 1)
	}
	d.add(tag, 5, len(v), data)
}

func (d *ifd) srational(tag uint16, v ...float64) {
	var data []byte
	for _, x := range v {
		data = binary.LittleEndian.AppendUint32(data, uint32(int32(math.Round(x*10000))))
		data = binary.LittleEndian.AppendUint32(data, 10000)
	}
	d.add(tag, 10, len(v), data)
}

func (d ifd) sort() {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j].tag < d[j-1].tag; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

// size is the IFD's bytes: its entries, the next-IFD link and the values
// too long for an entry, each kept at an even offset.
func (d ifd) size() int {
	if d == nil {
		return 0
	}
	n := 2 + 12*len(d) + 4
	for _, e := range d {
		if len(e.data) > 4 {
			n += len(e.data) + len(e.data)&1
		}
	}
	return n
}

// appendTo writes the IFD as if it starts at len(out), which is its offset
// in the file.
func (d ifd) appendTo(out []byte) []byte {
	extra := len(out) + 2 + 12*len(d) + 4
	out = binary.LittleEndian.AppendUint16(out, uint16(len(d)))
	var values []byte
	for _, e := range d {
		out = binary.LittleEndian.AppendUint16(out, e.tag)
		out = binary.LittleEndian.AppendUint16(out, e.typ)
		out = binary.LittleEndian.AppendUint32(out, e.count)
		if len(e.data) <= 4 {
			var v [4]byte
			copy(v[:], e.data)
			out = append(out, v[:]...)
			continue
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(extra+len(values)))
		values = append(values, e.data...)
		if len(e.data)&1 == 1 {
			values = append(values, 0)
		}
	}
	out = binary.LittleEndian.AppendUint32(out, 0) // no next IFD
	return append(out, values...)
}
