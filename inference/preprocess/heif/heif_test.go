package heif_test

import (
	"errors"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/preprocess/heif"
	"github.com/spotter-app/spotter/inference/preprocess/heif/heiftest"
)

func TestDecode(t *testing.T) {
	src := inferencetest.Photo(t, "dog.jpg") // 768×576
	dir := t.TempDir()
	opaque := heiftest.Read(t, heiftest.HEIC(t, src, dir, "dog.heic"))
	alpha := heiftest.Read(t, heiftest.AVIF(t, heiftest.Convert(t, src, dir, "alpha.png", "-alpha", "set", "-channel", "A", "-fx", "i/w"), dir, "alpha.avif"))
	for _, tc := range []struct {
		name  string
		data  []byte
		alpha bool
	}{{"HEIC", opaque, false}, {"AVIF with alpha", alpha, true}} {
		t.Run(tc.name, func(t *testing.T) {
			im, err := heif.Decode(tc.data, 768*576)
			if err != nil {
				t.Fatal(err)
			}
			bpp := 3
			if tc.alpha {
				bpp = 4
			}
			if im.Width != 768 || im.Height != 576 || im.Alpha != tc.alpha || im.Stride < 768*bpp ||
				len(im.Pix) != 575*im.Stride+768*bpp {
				t.Errorf("%d×%d, alpha %v, stride %d, %d bytes", im.Width, im.Height, im.Alpha, im.Stride, len(im.Pix))
			}
			im.Close()
			im.Close() // a second Close does nothing
			if im.Pix != nil {
				t.Error("Pix outlives Close")
			}
			if err := heif.Baseline(tc.data); err != nil {
				t.Errorf("Baseline: %v", err)
			}
		})
	}
	var size *heif.SizeError
	if _, err := heif.Decode(opaque, 768*576-1); !errors.As(err, &size) || size.Width != 768 || size.Height != 576 {
		t.Errorf("one pixel over the limit: %v", err)
	}
	for _, cut := range [][]byte{nil, opaque[:10], opaque[:len(opaque)/2]} {
		if _, err := heif.Decode(cut, 1<<30); !errors.Is(err, heif.ErrTruncated) {
			t.Errorf("%d of %d bytes: %v, want ErrTruncated", len(cut), len(opaque), err)
		}
	}
}
