package inference

import (
	"context"
	"runtime"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
)

// BenchmarkSoak classifies the shared photos over and over in one process
// (-benchtime 2000x for the soak in `make soak`) and reports the resident
// memory before and after, to show nothing leaks per photo: not Go memory,
// not ONNX Runtime's.
func BenchmarkSoak(b *testing.B) {
	inferencetest.Library(b)
	c, err := Open(Options{Descriptor: inferencetest.Descriptor(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var photos []string
	for _, name := range []string{"dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "kite.jpg", "person.jpg"} {
		photos = append(photos, inferencetest.Photo(b, name))
	}
	// Warm up: the first photos of each size grow ONNX Runtime's arena and
	// Go's heap to their working size.
	for _, p := range photos {
		if _, err := classify(context.Background(), c, p); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	start := inferencetest.StatusMB(b, "VmRSS:")
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := classify(context.Background(), c, photos[i%len(photos)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.StopTimer()
	runtime.GC()
	end := inferencetest.StatusMB(b, "VmRSS:")
	b.ReportMetric(start, "rss-start-MB")
	b.ReportMetric(end, "rss-end-MB")
	b.ReportMetric(end-start, "rss-growth-MB")
}
