package inference

import (
	ort "github.com/yalue/onnxruntime_go"

	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess/heif/heiftest"
	"github.com/spotter-app/spotter/inference/preprocess/raw/rawtest"
)

// BenchmarkClassifyFile times the whole path per photo, pipeline.One as
// every photo goes through the stream, and reports its parts, so a slow
// step shows by name: the shared photos; dog.jpg made into a 640×480 JPEG
// and 12-megapixel JPEG and PNG with ImageMagick; a 12-megapixel HEIC and
// AVIF (heif-enc, avifenc); a 24-megapixel DNG with an embedded preview,
// as cameras write them.
func BenchmarkClassifyFile(b *testing.B) {
	inferencetest.Library(b)
	photos := map[string]string{}
	var names []string
	for _, name := range []string{"dog.jpg", "eagle.jpg", "giraffe.jpg", "kite.jpg"} {
		photos[name], names = inferencetest.Photo(b, name), append(names, name)
	}
	_, err := exec.LookPath("convert")
	inferencetest.Need(b, err == nil, "ImageMagick's convert")
	dir := b.TempDir()
	for _, v := range []struct{ name, size string }{
		{"640x480.jpg", "640x480!"}, {"4000x3000.jpg", "4000x3000!"}, {"4000x3000.png", "4000x3000!"},
	} {
		p := filepath.Join(dir, v.name)
		if out, err := exec.Command("convert", photos["dog.jpg"], "-resize", v.size, p).CombinedOutput(); err != nil {
			b.Fatalf("convert: %v\n%s", err, out)
		}
		photos[v.name], names = p, append(names, v.name)
	}
	for _, ext := range []string{"heic", "avif"} {
		photos["4000x3000."+ext], names = heiftest.TwelveMP(b, ext), append(names, "4000x3000."+ext)
	}
	photos["6000x4000.dng"], names = dng24MP(b, photos["dog.jpg"], dir), append(names, "6000x4000.dng")
	for _, threads := range []int{1, 2} {
		c, err := Open(Options{Descriptor: inferencetest.Descriptor(b), Threads: threads})
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range names {
			path := photos[name]
			b.Run(name+"/threads="+strconv.Itoa(threads), func(b *testing.B) {
				var sum prediction.Timing
				for b.Loop() {
					res, err := classify(context.Background(), c, path)
					if err != nil {
						b.Fatal(err)
					}
					sum.Decode += res.Timing.Decode
					sum.Preprocess += res.Timing.Preprocess
					sum.Inference += res.Timing.Inference
				}
				n := float64(b.N) * 1e6
				b.ReportMetric(float64(sum.Decode)/n, "decode-ms")
				b.ReportMetric(float64(sum.Preprocess)/n, "preprocess-ms")
				b.ReportMetric(float64(sum.Inference)/n, "inference-ms")
			})
		}
		c.Close()
	}
}

// BenchmarkRun is the floor: ONNX Runtime's Run alone on a prepared tensor,
// for the quantised and the float32 model.
func BenchmarkRun(b *testing.B) {
	inferencetest.Library(b)
	quant := inferencetest.Descriptor(b)
	models := map[string]string{"qdq": quant, "f32": strings.TrimSuffix(quant, ".json") + "_float.json"}
	for _, name := range []string{"qdq", "f32"} {
		for _, threads := range []int{1, 2} {
			c, err := Open(Options{Descriptor: models[name], Threads: threads})
			if err != nil {
				b.Fatal(err)
			}
			b.Run(name+"/threads="+strconv.Itoa(threads), func(b *testing.B) {
				for b.Loop() {
					if err := c.runBatch(context.Background(), 1); err != nil {
						b.Fatal(err)
					}
				}
			})
			c.Close()
		}
	}
}

// dng24MP writes a 6000×4000 DNG made from src with a 1620×1080 JPEG
// preview, the size many cameras embed.
func dng24MP(b *testing.B, src, dir string) string {
	p := filepath.Join(dir, "6000x4000.dng")
	opts := rawtest.DNGOptions{Width: 6000, Height: 4000, PreviewWidth: 1620, PreviewHeight: 1080}
	if err := rawtest.WriteDNG(p, inferencetest.DecodeJPEG(b, src), opts); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkDetectors is the detectors' floor: ONNX Runtime's Run alone on a
// prepared 416×416 letterbox, YOLOX-Nano on every photo and YuNet-s on
// those with people.
func BenchmarkDetectors(b *testing.B) {
	inferencetest.Library(b)
	for _, threads := range []int{1, 2} {
		c, err := Open(Options{Descriptor: inferencetest.Descriptor(b), Threads: threads})
		if err != nil {
			b.Fatal(err)
		}
		if c.objects == nil || c.faces == nil {
			c.Close()
			inferencetest.Need(b, false, "the object and face detectors (make model)")
		}
		b.Run("yolox/threads="+strconv.Itoa(threads), func(b *testing.B) {
			for b.Loop() {
				if err := c.objects.session.run(context.Background(), []ort.Value{c.objects.in.t}, []ort.Value{c.objects.out.t}); err != nil {
					b.Fatal(err)
				}
			}
		})
		outs := make([]ort.Value, len(c.faces.outs))
		for i, p := range c.faces.outs {
			outs[i] = p.t
		}
		b.Run("yunet/threads="+strconv.Itoa(threads), func(b *testing.B) {
			for b.Loop() {
				if err := c.faces.session.run(context.Background(), []ort.Value{c.faces.in.t}, outs); err != nil {
					b.Fatal(err)
				}
			}
		})
		c.Close()
	}
}
