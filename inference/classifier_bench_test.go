package inference

import (
	"context"
	"strconv"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
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

// BenchmarkRun is the floor: ONNX Runtime's Run alone on a prepared tensor.
func BenchmarkRun(b *testing.B) {
	inferencetest.Library(b)
	for _, threads := range []int{1, 2} {
		c, err := Open(Options{Descriptor: inferencetest.Descriptor(b), Threads: threads})
		if err != nil {
			b.Fatal(err)
		}
		photo, err := preprocess.Load(inferencetest.Photo(b, "dog.jpg"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Classify(context.Background(), photo); err != nil {
			b.Fatal(err)
		}
		b.Run("threads="+strconv.Itoa(threads), func(b *testing.B) {
			for b.Loop() {
				if err := c.session.RunWithOptions(c.run); err != nil {
					b.Fatal(err)
				}
			}
		})
		c.Close()
	}
}
