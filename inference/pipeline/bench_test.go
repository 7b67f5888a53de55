package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/pipeline"
)

// BenchmarkFolder classifies a folder of 200 photos (copies of the shared
// photos at their real sizes) with and without decoding the next photos
// while the model runs, with and without running the photos ready together
// in one batch, and reports photos per second and the peak resident memory
// of each run.
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
		maxBatch   int // 0: as many as the classifier takes
		threads    int
	}{
		{"overlap/preparers=2/threads=2", false, 2, 0, 2}, {"overlap/preparers=2/threads=2/batch=1", false, 2, 1, 2},
		{"overlap/preparers=3/threads=2", false, 3, 0, 2}, {"overlap/preparers=2/threads=1", false, 2, 0, 1},
		{"overlap/preparers=1/threads=2", false, 1, 0, 2}, {"sequential/threads=2", true, 0, 0, 2},
	} {
		b.Run(mode.name, func(b *testing.B) {
			c, err := inference.Open(inference.Options{Descriptor: inferencetest.Descriptor(b), Threads: mode.threads})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			resetPeakRSS(b)
			var elapsed time.Duration
			cpu := cpuTime(b)
			for b.Loop() {
				start := time.Now()
				failed := 0
				pipeline.Stream(context.Background(), c, from(jobs), func(d pipeline.Done) {
					if d.Err != nil {
						failed++
					}
				}, pipeline.Options{Sequential: mode.sequential, Preparers: mode.preparers, MaxBatch: mode.maxBatch})
				elapsed += time.Since(start)
				if failed > 0 {
					b.Fatalf("%d photos failed", failed)
				}
			}
			b.ReportMetric(float64(len(jobs)*b.N)/elapsed.Seconds(), "photos/s")
			b.ReportMetric(float64((cpuTime(b)-cpu).Microseconds())/1000/float64(len(jobs)*b.N), "cpu-ms/photo")
			b.ReportMetric(inferencetest.StatusMB(b, "VmHWM:"), "peak-RSS-MB")
		})
	}
}

// cpuTime is the processor time this process has used, user and system:
// on a machine shared with other work it measures the cost of a photo when
// photos per second measure the neighbours too.
func cpuTime(tb testing.TB) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// resetPeakRSS makes VmHWM start again from the current resident size, so
// each run's peak is its own.
func resetPeakRSS(tb testing.TB) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		tb.Logf("cannot reset the peak RSS (%v); it includes earlier runs", err)
	}
}
