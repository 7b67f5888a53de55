package preprocess

import (
	"image"
	"image/color"
	"testing"

	"github.com/spotter-app/spotter/inference/model"
)

var yoloxInput = model.Input{Name: "images", Layout: model.NCHW, Width: 416, Height: 416, Channels: "BGR", Std: [3]float32{1, 1, 1}}

// A photo decoded shrunk is letterboxed by its full size: the fit maps
// boxes back to the photo's own pixels. Stored on its side, it is laid in
// upright, and the padding fills the rest.
func TestLetterboxFitsTheUprightPhoto(t *testing.T) {
	l := NewLetterbox(yoloxInput, model.Letterbox{Pad: 114})
	// 300×400 stored, shown turned (orientation 6): upright 400×300, its
	// full size 1600×1200 (decoded at a quarter).
	img := image.NewRGBA(image.Rect(0, 0, 300, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 300; x++ {
			img.Set(x, y, color.RGBA{R: 200, G: 100, B: 50, A: 255})
		}
	}
	p := Photo{Image: img, Orientation: Rotate90CW, Full: image.Pt(1200, 1600)}
	dst := make([]float32, l.Len())
	fit, err := l.Fill(p, dst)
	if err != nil {
		t.Fatal(err)
	}
	if fit.Width != 416 || fit.Height != 312 || fit.Scale != 416.0/1600 {
		t.Fatalf("fit %+v, want 416×312 at 0.26", fit)
	}
	plane := 416 * 416
	// BGR: blue first.
	if b, r := dst[100*416+100], dst[2*plane+100*416+100]; b != 50 || r != 200 {
		t.Errorf("inside the photo: B %v R %v, want 50 and 200", b, r)
	}
	if v := dst[plane+400*416+10]; v != 114 {
		t.Errorf("below the photo: %v, want the padding 114", v)
	}
	faces := make([]float32, l.Len())
	Repad(dst, faces, 416, 416, fit, 0)
	if faces[plane+400*416+10] != 0 || faces[100*416+100] != 50 {
		t.Errorf("repadded: padding %v, photo %v", faces[plane+400*416+10], faces[100*416+100])
	}
}
