package raw_test

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/preprocess/raw"
	"github.com/spotter-app/spotter/inference/preprocess/raw/rawtest"
)

// BenchmarkDecode24MP times a 24-megapixel DNG (6000×4000 sensor, 48 MB)
// with a 1620×1080 JPEG preview, as Spotter meets a camera's file: on disk,
// in the page cache. "preview" is the path a classifier's crop takes;
// "readfile" adds reading all 48 MB, which mapping the file avoids;
// "demosaic" is the fallback for a file whose preview is too small.
func BenchmarkDecode24MP(b *testing.B) {
	path := filepath.Join(b.TempDir(), "24mp.dng")
	err := rawtest.WriteDNG(path, inferencetest.DecodeJPEG(b, dogPath), rawtest.DNGOptions{
		Width: 6000, Height: 4000, PreviewWidth: 1620, PreviewHeight: 1080,
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		minSide int
		read    func(testing.TB, string) ([]byte, func())
		jpeg    func([]byte, int) (image.Image, error)
	}{
		{"preview/mmap", 256, mapFile, nil},
		{"preview/readfile", 256, readFile, nil},
		// LibRaw's part alone: what a faster JPEG decoder would leave.
		{"preview/mmap/no-jpeg-decode", 256, mapFile, func(_ []byte, minSide int) (image.Image, error) {
			return image.NewGray(image.Rect(0, 0, minSide, minSide)), nil
		}},
		{"demosaic/mmap", 2000, mapFile, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				data, done := bc.read(b, path)
				var img image.Image
				var err error
				if bc.jpeg == nil {
					img, _, err = raw.Decode(context.Background(), data, bc.minSide)
				} else {
					img, _, err = raw.DecodeWith(context.Background(), data, bc.minSide, bc.jpeg)
				}
				done()
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

// mapFile maps the file: LibRaw then reads only the header and the part
// of the file it decodes.
func mapFile(tb testing.TB, path string) ([]byte, func()) {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(info.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		tb.Fatal(err)
	}
	return data, func() { syscall.Munmap(data) }
}

func readFile(tb testing.TB, path string) ([]byte, func()) {
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data, func() {}
}
