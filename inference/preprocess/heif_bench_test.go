package preprocess_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/preprocess"
	"github.com/spotter-app/spotter/inference/preprocess/heif"
	"github.com/spotter-app/spotter/inference/preprocess/heif/heiftest"
)

// benchMinSide is what the default model's crop needs (Tensor.MinSide).
const benchMinSide = 256

// BenchmarkDecodeHEIF times Spotter's decode of a 12-megapixel HEIC, HEIC
// grid and AVIF (read, decode, shrink for the crop) against libheif's own decode of
// the same file to 8-bit RGB, alternating in the same run: ratio is
// Spotter's time over libheif's (target: at most 1.2 for HEIC).
func BenchmarkDecodeHEIF(b *testing.B) {
	for _, ext := range []string{"heic", "grid.heic", "avif"} {
		b.Run(ext, func(b *testing.B) {
			path := heiftest.TwelveMP(b, ext)
			data := heiftest.Read(b, path)
			var spotter, libheif time.Duration
			for b.Loop() {
				t0 := time.Now()
				p, err := preprocess.LoadAtLeast(context.Background(), path, benchMinSide)
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := heif.Baseline(data); err != nil {
					b.Fatal(err)
				}
				spotter += t1.Sub(t0)
				libheif += time.Since(t1)
				if p.Image.Bounds().Dx() < benchMinSide {
					b.Fatalf("decoded %v", p.Image.Bounds())
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(spotter.Microseconds())/1000/n, "decode-ms")
			b.ReportMetric(float64(libheif.Microseconds())/1000/n, "libheif-ms")
			b.ReportMetric(float64(spotter)/float64(libheif), "ratio")
		})
	}
}

// BenchmarkHEIFSoak decodes HEIC files over and over (-benchtime 2000x for
// the soak) and reports resident memory before and after, of this process
// and the decoder's helpers, where libheif runs, to show that libheif's
// objects and pixels are freed on every path: good photos, one with alpha,
// a cut-off one and a 200-megapixel header.
func BenchmarkHEIFSoak(b *testing.B) {
	src := inferencetest.Photo(b, "dog.jpg")
	dir := b.TempDir()
	good := heiftest.HEIC(b, src, dir, "dog.heic")
	alpha := heiftest.HEIC(b, heiftest.Convert(b, src, dir, "alpha.png", "-alpha", "set", "-channel", "A", "-fx", "i/w"), dir, "alpha.heic")
	data := heiftest.Read(b, good)
	cut := filepath.Join(dir, "cut.heic")
	huge := filepath.Join(dir, "huge.heic")
	if os.WriteFile(cut, data[:len(data)*3/4], 0o644) != nil || os.WriteFile(huge, heiftest.ClaimSize(b, data, 20000, 10000), 0o644) != nil {
		b.Fatal("cannot write the test files")
	}
	files := []string{good, alpha, cut, good, huge}
	decode := func(i int) {
		_, err := preprocess.LoadAtLeast(context.Background(), files[i%len(files)], benchMinSide)
		if bad := files[i%len(files)] == cut || files[i%len(files)] == huge; bad != (err != nil) {
			b.Fatalf("%s: %v", files[i%len(files)], err)
		}
	}
	// Warm up until Go's heap and malloc's per-thread arenas (libheif
	// decodes on threads of its own) have their working size: 6,000
	// decodes grew no more than 2,000 did after a short warm-up.
	for i := range 20 * len(files) {
		decode(i)
	}
	runtime.GC()
	start := inferencetest.ResidentMB(b, preprocess.DecoderPIDs()...)
	i := 0
	for b.Loop() {
		decode(i)
		i++
	}
	runtime.GC()
	end := inferencetest.ResidentMB(b, preprocess.DecoderPIDs()...)
	b.ReportMetric(start, "rss-start-MB")
	b.ReportMetric(end, "rss-end-MB")
	b.ReportMetric(end-start, "rss-growth-MB")
}
