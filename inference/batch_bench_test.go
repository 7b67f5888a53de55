package inference

import (
	"context"
	"strconv"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
)

// BenchmarkBatch measures what running several prepared photos in one
// RunBatch call (the model's batch dimension is dynamic) saves against one
// call per photo, with ONNX Runtime's one and two threads. It reports the
// time per photo; batch=1 is a photo dropped alone.
func BenchmarkBatch(b *testing.B) {
	inferencetest.Library(b)
	for _, threads := range []int{1, 2} {
		c, err := Open(Options{Descriptor: inferencetest.Descriptor(b), Threads: threads})
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range []int{1, 2, 4, 8} {
			inputs := make([][]float32, n)
			for i := range inputs {
				inputs[i] = make([]float32, c.inSize)
			}
			b.Run("threads="+strconv.Itoa(threads)+"/batch="+strconv.Itoa(n), func(b *testing.B) {
				for b.Loop() {
					if _, err := c.RunBatch(context.Background(), inputs); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N)/float64(n), "ms/photo")
			})
		}
		c.Close()
	}
}
