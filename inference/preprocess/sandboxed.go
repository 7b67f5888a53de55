package preprocess

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"time"

	"golang.org/x/sys/unix"

	"github.com/spotter-app/spotter/inference/helper"
	"github.com/spotter-app/spotter/inference/preprocess/heif"
)

// libheif (with libde265, dav1d and aom) and libjxl decode in helper
// processes (package helper), locked down, as LibRaw and Tesseract do: a
// HEIC or AVIF that lands in a watched folder is parsed without anyone
// dropping it, and a crash or an exploit in a codec must cost that file,
// not the window or the person's files. The file's bytes go in a memfd;
// the picture comes back shrunk as decodeHEIF and decodeJXL shrink it.

var decoder = &helper.Service{Name: "decode", Limit: decodeLimit, Serve: serveDecode, Env: []string{decoderMalloc}}

// decoderMalloc keeps glibc's malloc from giving each of libheif's planes
// (up to 36 MB at 12 megapixels) fresh pages from mmap, to be faulted in
// and zeroed on every decode, as it does in a young process: a 12-MP HEIC
// took 760 ms in a helper without it against 640 in Spotter's own long-run
// process; with it, 530 against 555, and a 12-MP AVIF 588 against 628
// (BenchmarkSandboxCost, 10 runs each). Freed memory is still given back,
// so an idle helper stays small (BenchmarkHEIFSoak).
const decoderMalloc = "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=67108864"

func init() { decoder.ServeIfHelper() }

// decodeLimit is how long one HEIF or JPEG XL may take: a 100-megapixel
// AVIF decodes in a few seconds here.
const decodeLimit = time.Minute

type decodeRequest struct {
	JXL       bool
	MinSide   int32
	MaxPixels int64
	Size      int64
}

// A decode's outcome as it crosses the socket: the error's kind, which
// the window's process turns into the sentence a person reads, and its
// numbers and detail.
const (
	decodedOK uint8 = iota
	decodedTooLarge
	decodedTruncated
	decodedNoPrimary
	decodedDepthOnly
	decodedUnsupported
	decodedDamaged
)

type decodeReply struct {
	Outcome               uint8
	Width, Height         int32 // the picture sent, or the size refused
	FullWidth, FullHeight int32
	Detail                [160]byte
}

// decodeSandboxed decodes a HEIF, AVIF or JPEG XL file held in data in a
// helper. Its errors are those decodeHEIF and decodeJXL give.
func decodeSandboxed(ctx context.Context, data []byte, format string, maxPixels int64, minSide int) (*image.RGBA, image.Point, error) {
	if len(data) == 0 {
		return nil, image.Point{}, io.ErrUnexpectedEOF
	}
	f, err := helper.Share("spotter-decode", data)
	if err != nil {
		return nil, image.Point{}, err
	}
	defer f.Close()
	req, err := binary.Append(nil, binary.LittleEndian, decodeRequest{JXL: format == "jxl", MinSide: int32(minSide), MaxPixels: maxPixels, Size: int64(len(data))})
	if err != nil {
		return nil, image.Point{}, err
	}
	head, pix, err := decoder.Call(ctx, req, f, 4*maxPixels)
	if err != nil {
		return nil, image.Point{}, err
	}
	var rep decodeReply
	if _, err := binary.Decode(head, binary.LittleEndian, &rep); err != nil {
		return nil, image.Point{}, fmt.Errorf("the decoder's reply: %w", err)
	}
	if rep.Outcome != decodedOK {
		return nil, image.Point{}, rep.err(format == "jxl")
	}
	w, h := int(rep.Width), int(rep.Height)
	if w <= 0 || h <= 0 || len(pix) != 4*w*h {
		return nil, image.Point{}, fmt.Errorf("the decoder sent %d bytes for %d×%d pixels", len(pix), w, h)
	}
	full := image.Pt(int(rep.FullWidth), int(rep.FullHeight))
	return &image.RGBA{Pix: pix, Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}, full, nil
}

// err makes the helper's outcome the error decodeHEIF or decodeJXL gave:
// the same kind, for the sentence, with the same words, for its detail.
func (r decodeReply) err(jxl bool) error {
	detail := string(r.Detail[:])
	if i := bytes.IndexByte(r.Detail[:], 0); i >= 0 {
		detail = detail[:i]
	}
	switch {
	case r.Outcome == decodedTooLarge && jxl:
		return &jxlSizeError{int(r.Width), int(r.Height)}
	case r.Outcome == decodedTooLarge:
		return &heif.SizeError{Width: int(r.Width), Height: int(r.Height)}
	case r.Outcome == decodedTruncated && jxl:
		return io.ErrUnexpectedEOF
	case r.Outcome == decodedTruncated:
		return remoteError{detail, heif.ErrTruncated}
	case r.Outcome == decodedNoPrimary:
		return remoteError{detail, heif.ErrNoPrimary}
	case r.Outcome == decodedDepthOnly:
		return remoteError{detail, heif.ErrDepthOnly}
	case r.Outcome == decodedUnsupported:
		return remoteError{detail, heif.ErrUnsupported}
	case jxl:
		return errJXL
	}
	return errors.New(detail)
}

// remoteError is an error of the helper's, worded as it was there.
type remoteError struct {
	text string
	kind error
}

func (e remoteError) Error() string { return e.text }
func (e remoteError) Unwrap() error { return e.kind }

// serveDecode decodes one file, in the helper.
func serveDecode(msg []byte, file int) (head, pix []byte, done func(), err error) {
	var req decodeRequest
	if _, err := binary.Decode(msg, binary.LittleEndian, &req); err != nil {
		return nil, nil, nil, err
	}
	data, err := helper.Map(file, req.Size)
	if err != nil {
		return nil, nil, nil, err
	}
	done = func() { unix.Munmap(data) }
	var img *image.RGBA
	var full image.Point
	if req.JXL {
		img, err = decodeJXL(context.Background(), data, req.MaxPixels, int(req.MinSide))
	} else {
		img, full, err = decodeHEIF(context.Background(), data, req.MaxPixels, int(req.MinSide))
	}
	rep := outcome(err)
	if err == nil {
		b := img.Rect
		if img.Stride != 4*b.Dx() {
			img = toRGBA(img.SubImage(b), nil)
		}
		rep.Width, rep.Height = int32(b.Dx()), int32(b.Dy())
		rep.FullWidth, rep.FullHeight = int32(full.X), int32(full.Y)
		pix = img.Pix[:4*b.Dx()*b.Dy()]
	}
	head, err = binary.Append(nil, binary.LittleEndian, rep)
	return head, pix, done, err
}

// outcome sorts a decode's error into the kinds the window's process
// explains.
func outcome(err error) decodeReply {
	var rep decodeReply
	var heifSize *heif.SizeError
	var jxlSize *jxlSizeError
	switch {
	case err == nil:
		return rep
	case errors.As(err, &heifSize):
		rep.Outcome, rep.Width, rep.Height = decodedTooLarge, int32(heifSize.Width), int32(heifSize.Height)
	case errors.As(err, &jxlSize):
		rep.Outcome, rep.Width, rep.Height = decodedTooLarge, int32(jxlSize.width), int32(jxlSize.height)
	case errors.Is(err, heif.ErrTruncated), errors.Is(err, io.ErrUnexpectedEOF):
		rep.Outcome = decodedTruncated
	case errors.Is(err, heif.ErrNoPrimary):
		rep.Outcome = decodedNoPrimary
	case errors.Is(err, heif.ErrDepthOnly):
		rep.Outcome = decodedDepthOnly
	case errors.Is(err, heif.ErrUnsupported):
		rep.Outcome = decodedUnsupported
	default:
		rep.Outcome = decodedDamaged
	}
	copy(rep.Detail[:len(rep.Detail)-1], err.Error())
	return rep
}
