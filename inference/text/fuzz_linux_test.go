package text

import (
	"context"
	"testing"

	"github.com/spotter-app/spotter/inference/helper"
	"github.com/spotter-app/spotter/inference/inferencetest"
)

// FuzzRead feeds Tesseract, through its helper, pictures made of any
// bytes at any small size: none may crash the caller or hang it, and every
// line read lies inside the picture with a confidence in [0, 1].
func FuzzRead(f *testing.F) {
	pic, _ := flatten(page("Fuzz me"))
	f.Add(pic.Pix[:64*64], 64, 64)
	f.Add([]byte{0, 255, 0, 255}, 2, 2)
	r, err := NewReader(nil)
	inferencetest.Need(f, err == nil, "Tesseract's English model (apt-get install tesseract-ocr-eng)")
	f.Fuzz(func(t *testing.T, pix []byte, w, h int) {
		if w <= 0 || h <= 0 || w > 512 || h > 512 || w*h > len(pix) {
			return
		}
		before := helper.Crashes()
		lines, err := r.Read(context.Background(), &Picture{Width: w, Height: h, Pix: pix[:w*h]})
		inferencetest.KeepCrasher(t, before, pix, w, h)
		if err != nil {
			if helper.Crashes() > before {
				return // kept, and counted by make fuzz
			}
			t.Fatal(err)
		}
		for _, l := range lines {
			b := l.Box
			if l.Confidence < 0 || l.Confidence > 1 || b[0] < 0 || b[1] < 0 || b[2] > float32(w) || b[3] > float32(h) || b[0] > b[2] || b[1] > b[3] {
				t.Errorf("line %+v outside a %d×%d picture", l, w, h)
			}
		}
	})
}
