package preprocess_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"strings"
	"testing"

	"golang.org/x/image/tiff"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/preprocess"
	"github.com/spotter-app/spotter/inference/preprocess/heif/heiftest"
	"github.com/spotter-app/spotter/inference/preprocess/raw/rawtest"
)

// TestLoadRAW: camera RAW files are recognised by their content and decoded
// through LibRaw to the picture they were made from, turned by their own
// orientation; a file's content wins over a RAW name.
func TestLoadRAW(t *testing.T) {
	src := inferencetest.Photo(t, "dog.jpg") // 768×576
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	photo, err := jpeg.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	dng := func(opts rawtest.DNGOptions) []byte {
		data, err := rawtest.DNG(photo, opts)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	var plainTIFF bytes.Buffer
	if err := tiff.Encode(&plainTIFF, photo, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tests := []struct {
		name    string
		data    []byte
		minSide int
		format  string
		turn    preprocess.Orientation
	}{
		{"IMG_0001.dng", dng(rawtest.DNGOptions{}), 0, "raw", preprocess.Upright},
		{"with preview.dng", dng(rawtest.DNGOptions{PreviewWidth: 768, PreviewHeight: 576}), 256, "raw", preprocess.Upright},
		{"turned.dng", dng(rawtest.DNGOptions{Orientation: 6}), 0, "raw", preprocess.Rotate90CW},
		{"a DNG named.tif", dng(rawtest.DNGOptions{}), 0, "raw", preprocess.Upright},
		{"a JPEG named.CR2", heiftest.Read(t, src), 0, "jpeg", preprocess.Upright},
		{"a PNG named.DNG", encodePNG(t, photo), 0, "png", preprocess.Upright},
		{"plain.tif", plainTIFF.Bytes(), 0, "tiff", preprocess.Upright},
	}
	want := load(t, src, 0)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := load(t, inferencetest.WriteFile(t, dir, tc.name, tc.data), tc.minSide)
			if p.Format != tc.format || p.Orientation != tc.turn {
				t.Errorf("Format %q, Orientation %d; want %q, %d", p.Format, p.Orientation, tc.format, tc.turn)
			}
			like := want
			like.Orientation = tc.turn
			d := pictureDiff(t, picture(p), picture(like))
			t.Logf("%v, mean difference %.2f levels", p.Image.Bounds().Size(), d)
			if d > 3 {
				t.Errorf("mean difference from the original %.2f levels, want at most 3: not the same picture", d)
			}
		})
	}
}

// TestLoadRAWErrors: a RAW-named file LibRaw cannot read gets LibRaw's
// verdict, prefixed with the file's name.
func TestLoadRAWErrors(t *testing.T) {
	photo := image.NewRGBA(image.Rect(0, 0, 64, 48))
	data, err := rawtest.DNG(photo, rawtest.DNGOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"DSC_0001.NEF", append([]byte("MM\x00*"), randomBytes(512)...), "DSC_0001.NEF is "},
		{"cut.dng", data[:len(data)/2], "cut.dng is cut off"},
		{"noise.CR2", randomBytes(4096), "noise.CR2 is not a camera RAW photo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := preprocess.Load(context.Background(), writeTemp(t, tc.name, tc.data))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v, want a message starting %q", err, tc.want)
			}
			t.Log(err)
		})
	}
}
