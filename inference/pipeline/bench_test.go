package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/pipeline"
)

// BenchmarkFolder classifies a folder of 200 photos (copies of the shared
// photos at their real sizes) with and without decoding the next photo
// while the current one runs, and reports photos per second and the peak
// resident memory of each run.
func BenchmarkFolder(b *testing.B) {
	inferencetest.Library(b)
	dir := b.TempDir()
	names := []string{"dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "kite.jpg", "person.jpg"}
	var jobs []pipeline.Job
	for i := range 200 {
		data, err := os.ReadFile(inferencetest.Photo(b, names[i%len(names)]))
		if err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("%03d-%s", i, names[i%len(names)]))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
		jobs = append(jobs, pipeline.Job{ID: uint64(i + 1), Path: p})
	}
	for _, mode := range []struct {
		name       string
		sequential bool
		preparers  int
		threads    int
	}{
		{"overlap/preparers=2/threads=2", false, 2, 2}, {"overlap/preparers=2/threads=1", false, 2, 1},
		{"overlap/preparers=1/threads=2", false, 1, 2}, {"sequential/threads=2", true, 0, 2},
	} {
		b.Run(mode.name, func(b *testing.B) {
			c, err := inference.Open(inference.Options{Descriptor: inferencetest.Descriptor(b), Threads: mode.threads})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			resetPeakRSS(b)
			var elapsed time.Duration
			for b.Loop() {
				start := time.Now()
				failed := 0
				pipeline.Stream(context.Background(), c, from(jobs), func(d pipeline.Done) {
					if d.Err != nil {
						failed++
					}
				}, pipeline.Options{Sequential: mode.sequential, Preparers: mode.preparers})
				elapsed += time.Since(start)
				if failed > 0 {
					b.Fatalf("%d photos failed", failed)
				}
			}
			b.ReportMetric(float64(len(jobs)*b.N)/elapsed.Seconds(), "photos/s")
			b.ReportMetric(inferencetest.StatusMB(b, "VmHWM:"), "peak-RSS-MB")
		})
	}
}

// resetPeakRSS makes VmHWM start again from the current resident size, so
// each run's peak is its own.
func resetPeakRSS(tb testing.TB) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		tb.Logf("cannot reset the peak RSS (%v); it includes earlier runs", err)
	}
}
