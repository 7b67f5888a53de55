package inference

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/prediction"
)

// BenchmarkClassifyFile times the whole path per photo, pipeline.One as
// every photo goes through the stream, and reports its parts, so a slow
// step shows by name: the shared photos, and dog.jpg made
// into a 640×480 JPEG and 12-megapixel JPEG and PNG with ImageMagick.
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
					if err := c.runBatch(1); err != nil {
						b.Fatal(err)
					}
				}
			})
			c.Close()
		}
	}
}
