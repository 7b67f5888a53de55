package inference

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/prediction"
)

// BenchmarkClassifyFile times the whole path per shared photo and reports
// its parts, so a slow step shows by name.
func BenchmarkClassifyFile(b *testing.B) {
	inferencetest.Library(b)
	for _, threads := range []int{1, 2} {
		c, err := Open(Options{Descriptor: inferencetest.Descriptor(b), Threads: threads})
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range []string{"dog.jpg", "eagle.jpg", "giraffe.jpg", "kite.jpg"} {
			path := inferencetest.Photo(b, name)
			b.Run(name+"/threads="+strconv.Itoa(threads), func(b *testing.B) {
				var sum prediction.Timing
				for b.Loop() {
					res, err := c.ClassifyFile(context.Background(), path)
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
					if err := c.session.RunWithOptions(c.run); err != nil {
						b.Fatal(err)
					}
				}
			})
			c.Close()
		}
	}
}
