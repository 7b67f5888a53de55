package raw_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/preprocess/raw"
	"github.com/spotter-app/spotter/inference/preprocess/raw/rawtest"
)

// BenchmarkDecode24MP times a 24-megapixel DNG (6000×4000 sensor, 48 MB)
// with a 1620×1080 JPEG preview, as Spotter meets a camera's file: on disk,
// in the page cache, read by LibRaw's helper where it is. "preview" is the
// path a classifier's crop takes; "bytes" is the same file already in
// memory, which is copied for the helper; "demosaic" is the fallback for a
// file whose preview is too small.
func BenchmarkDecode24MP(b *testing.B) {
	path := filepath.Join(b.TempDir(), "24mp.dng")
	err := rawtest.WriteDNG(path, inferencetest.DecodeJPEG(b, dogPath), rawtest.DNGOptions{
		Width: 6000, Height: 4000, PreviewWidth: 1620, PreviewHeight: 1080,
	})
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	stdJPEG := func(data []byte, _ int) (image.Image, error) { return jpeg.Decode(bytes.NewReader(data)) }
	fromFile := func(minSide int, decodeJPEG func([]byte, int) (image.Image, error)) func() (image.Image, error) {
		return func() (image.Image, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			img, _, err := raw.DecodeFile(context.Background(), f, minSide, decodeJPEG)
			return img, err
		}
	}
	for _, bc := range []struct {
		name    string
		minSide int
		decode  func() (image.Image, error)
	}{
		{"preview/file", 256, fromFile(256, stdJPEG)},
		{"preview/bytes", 256, func() (image.Image, error) {
			img, _, err := raw.Decode(context.Background(), data, 256)
			return img, err
		}},
		// LibRaw's part and the helper's alone: what a faster JPEG decoder
		// would leave.
		{"preview/file/no-jpeg-decode", 256, fromFile(256, func(_ []byte, minSide int) (image.Image, error) {
			return image.NewGray(image.Rect(0, 0, minSide, minSide)), nil
		})},
		{"demosaic/file", 2000, fromFile(2000, stdJPEG)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				img, err := bc.decode()
				if err != nil {
					b.Fatal(err)
				}
				if img.Bounds().Dx() < bc.minSide {
					b.Fatalf("a %v picture for minSide %d", img.Bounds().Size(), bc.minSide)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "decode-ms")
		})
	}
}
