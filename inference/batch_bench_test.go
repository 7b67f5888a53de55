package inference

import (
	"strconv"
	"testing"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/spotter-app/spotter/inference/inferencetest"
)

// BenchmarkBatch measures whether running several photos in one ONNX
// Runtime call (the model's batch dimension is dynamic) beats one call per
// photo. It reports the time per photo; batch=1 is what Spotter does.
func BenchmarkBatch(b *testing.B) {
	inferencetest.Library(b)
	c, err := Open(Options{Descriptor: inferencetest.Descriptor(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	in := c.desc.Input
	for _, n := range []int64{1, 2, 4, 8} {
		b.Run("batch="+strconv.Itoa(int(n)), func(b *testing.B) {
			input, err := ort.NewEmptyTensor[float32](ort.NewShape(n, 3, int64(in.Height), int64(in.Width)))
			if err != nil {
				b.Fatal(err)
			}
			defer input.Destroy()
			output, err := ort.NewEmptyTensor[float32](ort.NewShape(n, int64(len(c.labels))))
			if err != nil {
				b.Fatal(err)
			}
			defer output.Destroy()
			so, err := ort.NewSessionOptions()
			if err != nil {
				b.Fatal(err)
			}
			defer so.Destroy()
			if err := so.SetIntraOpNumThreads(DefaultThreads); err != nil {
				b.Fatal(err)
			}
			if err := so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"); err != nil {
				b.Fatal(err)
			}
			s, err := ort.NewAdvancedSession(c.desc.ModelPath(), []string{in.Name}, []string{c.desc.Output.Name},
				[]ort.Value{input}, []ort.Value{output}, so)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Destroy()
			for b.Loop() {
				if err := s.Run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N)/float64(n), "ms/photo")
		})
	}
}
