// Package preprocess turns a photo file into the numbers a classifier eats:
// decode, orientation, central crop, resize and normalisation. It decodes
// through C libraries where they are much faster or Go has no decoder
// (libjpeg-turbo, libdeflate, libheif, libjxl, LibRaw), and knows nothing
// of ONNX Runtime or the UI.
package preprocess

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"

	// Decoders register themselves with image.Decode.
	_ "image/gif"
	"image/jpeg"
	"image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"

	"github.com/spotter-app/spotter/inference/helper"
	"github.com/spotter-app/spotter/inference/preprocess/raw"
)

// MaxPixels is the largest image Spotter decodes. It is checked from the
// header before any pixel is allocated: 100 megapixels take up to 400 MB
// decoded, which a desktop can spare once; a bogus header claiming
// 100000×100000 would ask for 40 GB.
const MaxPixels = 100_000_000

// Supported lists the formats Spotter decodes, for messages.
const Supported = "JPEG, PNG, HEIC, AVIF, JPEG XL, camera RAW, GIF, BMP, TIFF or WebP"

// Photo is a decoded image still in the file's pixel order, with the EXIF
// orientation that says how to show it upright. Orientation is applied after
// shrinking, where it costs almost nothing.
type Photo struct {
	Image       image.Image
	Orientation Orientation
	Format      string
	// Full is the stored picture's size before it was shrunk while
	// decoding; zero when Image has it (or the decoder does not say).
	Full image.Point
}

// Size is the upright photo's full size: what boxes found in it measure
// against.
func (p Photo) Size() image.Point {
	s := p.Full
	if s == (image.Point{}) {
		s = p.Image.Bounds().Size()
	}
	if p.Orientation.SwapsAxes() {
		s.X, s.Y = s.Y, s.X
	}
	return s
}

// Load decodes the image file at path at full size. Its errors are written
// for the person who dropped the file: they name it, say what is wrong and
// what to do. When ctx ends, decoding stops at the next read and ctx.Err()
// is returned, so closing the window never waits for a large photo.
func Load(ctx context.Context, path string) (Photo, error) {
	return LoadAtLeast(ctx, path, 0)
}

// LoadAtLeast is Load for a photo needed only at minSide pixels on its
// shorter side: a JPEG is then decoded at the smallest 1/8 step that keeps
// that many, which for a camera photo is many times faster.
func LoadAtLeast(ctx context.Context, path string, minSide int) (Photo, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return Photo{}, openError(path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Photo{}, openError(path, err)
	}
	if info.IsDir() {
		return Photo{}, fmt.Errorf("%s is a folder, not a photo. Drop the photos inside it instead", name)
	}
	if info.Size() == 0 {
		return Photo{}, fmt.Errorf("%s is empty (0 bytes). It may still be downloading or copying; try again when it is complete", name)
	}
	return decode(ctx, f, path, MaxPixels, minSide)
}

// decode reads an image from f, refusing more than maxPixels before
// allocating them. The fuzz test calls it directly with a smaller limit.
func decode(ctx context.Context, f io.ReadSeeker, path string, maxPixels int64, minSide int) (_ Photo, err error) {
	name := filepath.Base(path)
	defer recovered(name, &err)
	r := bufio.NewReaderSize(ctxReader{ctx, f}, 64<<10)
	// A copy: Peek's slice is the reader's buffer, which decoding refills.
	head, _ := r.Peek(64)
	head = bytes.Clone(head)
	format := heifFormat(head) + jxlFormat(head)
	if format == "" && mayBeRAW(head, name) {
		p, err := decodeRAW(ctx, name, head, f, r, maxPixels, minSide)
		if !raw.NotRAW(err) || IsRAWName(name) {
			return p, err
		}
		// A TIFF that is no camera RAW: the decoders below read it again.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return Photo{}, openError(path, err)
		}
		r.Reset(ctxReader{ctx, f})
	}
	if format != "" {
		src, err := source(ctx, f, r)
		if err != nil {
			return Photo{}, decodeError(ctx, name, head, err)
		}
		defer src.Close()
		dec := libheif
		if format == "jxl" {
			dec = libjxl
		}
		d, err := decodeInHelper(ctx, src, decodeRequest{Decoder: dec, MinSide: int32(minSide), MaxPixels: maxPixels})
		switch {
		case ctx.Err() != nil:
			return Photo{}, ctx.Err()
		case errors.Is(err, helper.ErrCrashed):
			return Photo{}, crashed(name, dec)
		case err != nil && format == "jxl":
			return Photo{}, jxlError(name, maxPixels, err)
		case err != nil:
			return Photo{}, heifError(name, format, maxPixels, err)
		}
		// libheif and libjxl turn the image upright themselves.
		return Photo{Image: d.img, Format: format, Orientation: Upright, Full: d.full}, nil
	}
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return Photo{}, decodeError(ctx, name, head, err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return Photo{}, tooLarge(name, cfg.Width, cfg.Height, maxPixels)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Photo{}, openError(path, err)
	}
	if format == "jpeg" || format == "png" {
		r.Reset(ctxReader{ctx, f})
		src, err := source(ctx, f, r)
		if err != nil {
			return Photo{}, decodeError(ctx, name, head, err)
		}
		defer src.Close()
		p := Photo{Format: format, Full: image.Pt(cfg.Width, cfg.Height)}
		p.Image, p.Orientation, err = decodeJPEGOrPNG(ctx, src, format, cfg, minSide)
		switch {
		case ctx.Err() != nil:
			return Photo{}, ctx.Err()
		case errors.Is(err, helper.ErrCrashed) && format == "jpeg":
			return Photo{}, crashed(name, libjpegTurbo)
		case errors.Is(err, helper.ErrCrashed):
			return Photo{}, crashed(name, libdeflate)
		case err != nil:
			return Photo{}, decodeError(ctx, name, head, err)
		}
		return p, nil
	}
	r.Reset(ctxReader{ctx, f})
	img, _, err := image.Decode(r)
	if err != nil {
		return Photo{}, decodeError(ctx, name, head, err)
	}
	return Photo{Image: img, Format: format, Orientation: Upright}, nil
}

// crashed explains a file that made its decoder crash in the helper.
func crashed(name string, d cDecoder) error {
	return fmt.Errorf("%s made %s crash or run too long: the file is damaged or hostile; it was stopped without harm. Try opening it in another program and saving a fresh copy", name, d.reader())
}

// jpegFinePixels is the size up to which a JPEG is shrunk while decoding
// only to twice the side asked for. The scaled DCT keeps more detail than
// the resize's filter would, and this model's answer moves with that: on
// horses.jpg (773×512, decoded at 1/2) its probability was 0.16 from the
// peer's (bench/compare), 0.00 at full size, and kite.jpg at 5/8 is 0.03
// from it. Larger photos keep the smallest step that covers the crop: the
// 12-megapixel JPEG decodes in 18 ms at 1/8 where 1/4 took 26, and its
// answer was within 0.02 of the peer's.
const jpegFinePixels = 2_000_000

// decodeJPEGOrPNG decodes src, a JPEG or PNG whose header said cfg, with
// libjpeg-turbo or libdeflate in a helper, or with Go's decoder here when
// the C path leaves the file to it. The orientation is the JPEG's EXIF.
func decodeJPEGOrPNG(ctx context.Context, src *helper.Source, format string, cfg image.Config, minSide int) (image.Image, Orientation, error) {
	req := decodeRequest{Decoder: libdeflate, MinSide: int32(minSide), MaxPixels: MaxPixels}
	if format == "jpeg" {
		req.Decoder, req.Width, req.Height = libjpegTurbo, int32(cfg.Width), int32(cfg.Height)
	}
	d, err := decodeInHelper(ctx, src, req)
	if !errors.Is(err, errForGo) {
		return d.img, d.orientation, err
	}
	// Read, not mapped: a file cut short while mapped would end this
	// process with SIGBUS.
	data := make([]byte, src.Size)
	if _, err := io.ReadFull(io.NewSectionReader(src.File, 0, src.Size), data); err != nil {
		return nil, Upright, err
	}
	if format == "png" {
		img, err := png.Decode(bytes.NewReader(data))
		return img, Upright, err
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	return img, jpegOrientation(data), err
}

// source is the file f as a decoder helper reads it: f itself when it is
// a regular file, else its bytes read through r.
func source(ctx context.Context, f io.ReadSeeker, r *bufio.Reader) (*helper.Source, error) {
	if file, ok := f.(*os.File); ok {
		if src, err := helper.FileSource(file); src != nil || err != nil {
			return src, err
		}
	}
	data, err := readWhole(ctx, f, r)
	if err != nil {
		return nil, err
	}
	return helper.BytesSource("spotter-decode", data)
}

// readWhole reads the whole file from the start. A file's size is known,
// so its bytes go into one buffer of that size: io.ReadAll's doubling
// copied a 48 MB RAW four times over. Anything else is read through r.
func readWhole(ctx context.Context, f io.ReadSeeker, r *bufio.Reader) ([]byte, error) {
	file, ok := f.(*os.File)
	if !ok {
		return io.ReadAll(r)
	}
	info, err := file.Stat()
	if err != nil {
		return nil, err
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	// One byte more than the size, so a file that grew since is read whole.
	buf := make([]byte, info.Size()+1)
	n, err := io.ReadFull(ctxReader{ctx, file}, buf)
	switch {
	case err == nil:
		rest, err := io.ReadAll(ctxReader{ctx, file})
		return append(buf, rest...), err
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return buf[:n], nil
	}
	return nil, err
}

// ctxReader ends a read once its context is done; decoders give up on the
// error at once.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func decodeError(ctx context.Context, name string, head []byte, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return unreadable(name, head, err)
}

// rawExtensions are camera RAW formats, by file extension. A file with one
// is offered to LibRaw unless its content is another format's, so that a
// RAW from a camera LibRaw does not know is explained as such rather than
// decoded as the thumbnail in its TIFF structure.
var rawExtensions = []string{".3fr", ".arw", ".cr2", ".cr3", ".crw", ".dcr", ".dng", ".erf", ".iiq", ".k25", ".kdc",
	".mef", ".mos", ".mrw", ".nef", ".nrw", ".orf", ".pef", ".raf", ".raw", ".rw2", ".rwl", ".sr2", ".srf", ".srw", ".x3f"}

// IsRAWName reports whether a file name has a camera RAW extension.
func IsRAWName(name string) bool {
	return slices.Contains(rawExtensions, strings.ToLower(filepath.Ext(name)))
}

// truncated recognises the ways Go's decoders report data that ends early;
// only some of them wrap io.ErrUnexpectedEOF.
func truncated(err error) bool {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"short Huffman data", "not enough pixel data", "not enough image data", "unexpected EOF"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func openError(path string, err error) error {
	name := filepath.Base(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && strings.Contains(path, "://"):
		return fmt.Errorf("%s is a web address, not a file on this computer. Spotter only reads local files: download the photo first", path)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s is no longer there: it was moved, renamed or deleted", name)
	case errors.Is(err, syscall.ELOOP):
		return fmt.Errorf("%s is a symbolic link that leads back to itself (a loop), so there is no photo behind it. Drop the photo it was meant to point to", name)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("Spotter is not allowed to read %s (permission denied). Check the file's permissions", name)
	}
	return fmt.Errorf("Cannot read %s: %v", name, err)
}

// unreadable explains a decode failure. The file's first bytes often say
// what it really is, which helps more than Go's "unknown format".
func unreadable(name string, head []byte, err error) error {
	if kind := sniff(head); kind != "" {
		return fmt.Errorf("%s is %s, which Spotter cannot read. Drop a %s photo", name, kind, Supported)
	}
	if truncated(err) {
		return cutOff(name)
	}
	if errors.Is(err, image.ErrFormat) {
		return fmt.Errorf("%s is not an image Spotter can read. Drop a %s photo", name, Supported)
	}
	return fmt.Errorf("%s looks damaged and cannot be decoded (%v). Try opening it in another program and saving a fresh copy", name, err)
}

func cutOff(name string) error {
	return fmt.Errorf("%s is cut off: the file ends before the image does. It may still be downloading or copying; try again when it is complete", name)
}

func tooLarge(name string, w, h int, maxPixels int64) error {
	return fmt.Errorf("%s is %d×%d pixels (%.0f megapixels); Spotter reads photos up to %d megapixels. Save a smaller copy and drop that",
		name, w, h, float64(int64(w)*int64(h))/1e6, maxPixels/1_000_000)
}

// recovered is the one place a panic in decoding or preparing a photo is
// caught (deferred by decode and Tensor.Fill; no other layer of the
// package recovers): image decoders have had panics on crafted files, and
// one bad file must cost one answer, never the program.
func recovered(name string, err *error) {
	if r := recover(); r != nil {
		slog.Error("panic while reading a photo", "file", name, "panic", r, "stack", string(debug.Stack()))
		*err = fmt.Errorf("Spotter could not read %s (%v). The file is probably damaged: try opening it in another program and saving a fresh copy", name, r)
	}
}
