package text

import (
	"context"
	"image"

	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
)

// Sizes a photo is read at. Print a person can read in a phone's photo
// stays readable with the shorter side at 1500 pixels, so a 12-megapixel
// photo is decoded at half size; no side beyond 3000 keeps a 100-megapixel
// scan's reading within seconds and its memory within a few tens of MB.
const (
	readSide    = 1500
	maxReadSide = 3000
)

// Picture is 8-bit grey, row after row.
type Picture struct {
	Width, Height int
	Pix           []byte
}

// Page is what was read in a photo, and what the photo's pixels say about
// where it came from.
type Page struct {
	Lines []prediction.Line
	// Format is the decoder's name for the file ("png", "jpeg").
	Format string
	// Flat is the share of side-by-side pixels of exactly one colour: most
	// of a screenshot, little of a photo, whose sensor noise and
	// compression leave neighbours a shade apart.
	Flat float32
	// Dark is the share of the picture darker than half grey: light text
	// on a dark ground is a screen's (a terminal, a dark theme), rarely
	// paper's.
	Dark float32
}

// ReadFile decodes the photo at path at a size for reading, turned
// upright, and reads its text. Boxes are in the upright photo's own
// pixels, as the detectors' are.
func (r *Reader) ReadFile(ctx context.Context, path string) (Page, error) {
	photo, err := preprocess.LoadAtLeast(ctx, path, readSide)
	if err != nil {
		return Page{}, err
	}
	upright := preprocess.Preview(photo, maxReadSide)
	pic, page := flatten(upright)
	page.Format = photo.Format
	lines, err := r.Read(ctx, pic)
	if err != nil {
		return page, err
	}
	full := photo.Size()
	sx := float32(full.X) / float32(pic.Width)
	sy := float32(full.Y) / float32(pic.Height)
	for i := range lines {
		b := &lines[i].Box
		b[0], b[1], b[2], b[3] = b[0]*sx, b[1]*sy, b[2]*sx, b[3]*sy
	}
	page.Lines = lines
	return page, nil
}

// flatten makes img 8-bit grey for Tesseract, over white where it is
// transparent (a palette PNG's see-through colour is black underneath),
// and measures it on the way. Grey rather than RGB: on the dev set's
// documents grey found a printed word in all 8 pages TEXT.tsv lists, RGB
// in 7 (it lost "NO LITTER"), and it is a third of the bytes to hand over.
func flatten(img *image.RGBA) (*Picture, Page) {
	b := img.Rect
	w, h := b.Dx(), b.Dy()
	out := &Picture{Width: w, Height: h, Pix: make([]byte, w*h)}
	var same, pairs, dark int
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		dst := out.Pix[y*w : (y+1)*w]
		for x := range dst {
			p := row[4*x : 4*x+4 : 4*x+4]
			// Premultiplied: adding what alpha leaves out lays it on white.
			v := (299*int(p[0])+587*int(p[1])+114*int(p[2]))/1000 + 255 - int(p[3])
			dst[x] = uint8(min(v, 255))
			if v < 128 {
				dark++
			}
			if x > 0 {
				pairs++
				q := row[4*x-4 : 4*x : 4*x]
				if p[0] == q[0] && p[1] == q[1] && p[2] == q[2] && p[3] == q[3] {
					same++
				}
			}
		}
	}
	var page Page
	if pairs > 0 {
		page.Flat = float32(same) / float32(pairs)
		page.Dark = float32(dark) / float32(w*h)
	}
	return out, page
}
