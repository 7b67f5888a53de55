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

	"github.com/spotter-app/spotter/inference/helper"
	"github.com/spotter-app/spotter/inference/preprocess/heif"
)

// Every C decoder of this package runs in helper processes (package
// helper), locked down, as LibRaw and Tesseract do: libjpeg-turbo,
// libdeflate (with the C that undoes PNG's filters), libheif (with
// libde265, dav1d and aom) and libjxl. A photo that lands in a watched
// folder is parsed without anyone dropping it, and a crash or an exploit
// in a codec must cost that file, not the window or the person's files.
// The file goes in as its own descriptor (or a memfd, for bytes in
// memory); the picture comes back shrunk as the decoder shrinks it. Go's
// decoders (GIF, BMP, TIFF, WebP, and the JPEGs and PNGs the C paths leave
// to image/jpeg and image/png) are memory-safe and stay in the window's
// process.

var decoder = &helper.Service{Name: "decode", Limit: decodeLimit, Serve: serveDecode}

func init() { decoder.ServeIfHelper() }

// decodeLimit is how long one photo may take: a 100-megapixel
// AVIF decodes in a few seconds here.
const decodeLimit = time.Minute

// A cDecoder is one of the C decoders a helper runs.
type cDecoder uint8

const (
	libheif cDecoder = iota
	libjxl
	libjpegTurbo
	libdeflate
)

// reader names a C decoder in the sentence that tells of its crash.
func (d cDecoder) reader() string {
	return [...]string{
		libheif:      "libheif, Spotter's HEIC and AVIF reader,",
		libjxl:       "libjxl, Spotter's JPEG XL reader,",
		libjpegTurbo: "libjpeg-turbo, Spotter's JPEG reader,",
		libdeflate:   "libdeflate, Spotter's PNG reader,",
	}[d]
}

type decodeRequest struct {
	Decoder   cDecoder
	MinSide   int32
	MaxPixels int64
	Size      int64
	// A JPEG's size from its header, which chooses its scale.
	Width, Height int32
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
	// A JPEG or PNG the C path leaves to Go's decoder: CMYK, a palette,
	// 16 bits, interlaced.
	decodedForGo
)

type decodeReply struct {
	Outcome               uint8
	Orientation           uint8
	Width, Height         int32 // the picture sent, or the size refused
	FullWidth, FullHeight int32
	Detail                [160]byte
}

// decoded is a C decoder's picture.
type decoded struct {
	img *image.RGBA
	// full is the stored picture's size, when the decoder shrank it.
	full        image.Point
	orientation Orientation
}

// errForGo marks a file a C decoder leaves to Go's.
var errForGo = errors.New("a variant for Go's decoder")

// decodeInHelper decodes src with the C decoder req names, in a helper.
// Its errors are those the decoder gives, worded as there.
func decodeInHelper(ctx context.Context, src *helper.Source, req decodeRequest) (decoded, error) {
	if src.Size == 0 {
		return decoded{}, io.ErrUnexpectedEOF
	}
	req.Size = src.Size
	msg, err := binary.Append(nil, binary.LittleEndian, req)
	if err != nil {
		return decoded{}, err
	}
	head, pix, err := decoder.Call(ctx, msg, src.File, 4*req.MaxPixels)
	if err != nil {
		return decoded{}, err
	}
	var rep decodeReply
	if _, err := binary.Decode(head, binary.LittleEndian, &rep); err != nil {
		return decoded{}, fmt.Errorf("the decoder's reply: %w", err)
	}
	if rep.Outcome != decodedOK {
		return decoded{}, rep.err(req.Decoder)
	}
	w, h := int(rep.Width), int(rep.Height)
	if w <= 0 || h <= 0 || len(pix) != 4*w*h {
		return decoded{}, fmt.Errorf("the decoder sent %d bytes for %d×%d pixels", len(pix), w, h)
	}
	return decoded{
		img:         &image.RGBA{Pix: pix, Stride: 4 * w, Rect: image.Rect(0, 0, w, h)},
		full:        image.Pt(int(rep.FullWidth), int(rep.FullHeight)),
		orientation: Orientation(rep.Orientation),
	}, nil
}

// err makes the helper's outcome the error the decoder gave: the same
// kind, for the sentence, with the same words, for its detail.
func (r decodeReply) err(d cDecoder) error {
	detail := string(r.Detail[:])
	if i := bytes.IndexByte(r.Detail[:], 0); i >= 0 {
		detail = detail[:i]
	}
	jxl := d == libjxl
	switch {
	case r.Outcome == decodedForGo:
		return errForGo
	case r.Outcome == decodedTooLarge && jxl:
		return &jxlSizeError{int(r.Width), int(r.Height)}
	case r.Outcome == decodedTooLarge:
		return &heif.SizeError{Width: int(r.Width), Height: int(r.Height)}
	case r.Outcome == decodedTruncated && d == libheif:
		return remoteError{detail, heif.ErrTruncated}
	case r.Outcome == decodedTruncated:
		return remoteError{detail, io.ErrUnexpectedEOF}
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
	data, release, err := helper.Map(file, req.Size)
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := decodeC(req, data)
	rep := outcome(err)
	if err == nil {
		img, b := d.img, d.img.Rect
		if img.Stride != 4*b.Dx() {
			img = toRGBA(img.SubImage(b), nil)
		}
		rep.Width, rep.Height = int32(b.Dx()), int32(b.Dy())
		rep.FullWidth, rep.FullHeight = int32(d.full.X), int32(d.full.Y)
		rep.Orientation = uint8(d.orientation)
		pix = img.Pix[:4*b.Dx()*b.Dy()]
	}
	head, err = binary.Append(nil, binary.LittleEndian, rep)
	return head, pix, release, err
}

// decodeC runs the C decoder req names on data.
func decodeC(req decodeRequest, data []byte) (decoded, error) {
	ctx, minSide := context.Background(), int(req.MinSide)
	d := decoded{orientation: Upright}
	var err error
	switch req.Decoder {
	case libheif:
		d.img, d.full, err = decodeHEIF(ctx, data, req.MaxPixels, minSide)
	case libjxl:
		d.img, err = decodeJXL(ctx, data, req.MaxPixels, minSide)
	case libjpegTurbo:
		if int64(req.Width)*int64(req.Height) <= jpegFinePixels {
			minSide *= 2
		}
		d.orientation = jpegOrientation(data)
		d.full = image.Pt(int(req.Width), int(req.Height))
		d.img, err = decodeJPEGTurbo(data, minSide)
	case libdeflate:
		d.img, err = decodePNGFast(ctx, data, minSide)
	default:
		err = fmt.Errorf("no decoder %d", req.Decoder)
	}
	if errors.Is(err, errCMYK) || errors.Is(err, errPNGOther) {
		err = errForGo
	}
	return d, err
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
	case errors.Is(err, errForGo):
		rep.Outcome = decodedForGo
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
