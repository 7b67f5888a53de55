package sidecar

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// photos makes n photos in a new folder, each with a copy of sidecar beside it unless sidecar
// is nil, and returns their jobs.
func photos(b *testing.B, n int, sidecar []byte) []Job {
	dir := b.TempDir()
	jobs := make([]Job, n)
	for i := range jobs {
		p := filepath.Join(dir, fmt.Sprintf("IMG_%04d.jpg", i))
		if err := os.WriteFile(p, []byte("photo"), 0o644); err != nil {
			b.Fatal(err)
		}
		if sidecar != nil {
			if err := os.WriteFile(p+".xmp", sidecar, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		jobs[i] = Job{p, catKeywords}
	}
	return jobs
}

func benchWrite(b *testing.B, sidecar []byte, write func([]Job)) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		jobs := photos(b, 1000, sidecar)
		b.StartTimer()
		write(jobs)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/1000photos")
}

func writeAll(b *testing.B) func([]Job) {
	return func(jobs []Job) {
		for _, r := range WriteAll(jobs) {
			if r.Err != nil || !r.Change.Changed {
				b.Fatal(r)
			}
		}
	}
}

// Target: under 2 s for 1,000 photos.
func BenchmarkWriteFresh(b *testing.B) { benchWrite(b, nil, writeAll(b)) }

// Target: under 3 s for 1,000 photos, into the sidecar exiftool made with a keyword and a rating.
func BenchmarkMergeExisting(b *testing.B) {
	sidecar, err := os.ReadFile("testdata/exiftool.xmp")
	if err != nil {
		b.Fatal(err)
	}
	benchWrite(b, sidecar, writeAll(b))
}

// One photo after another, as a caller that does not use WriteAll would: every write waits for
// its own flush to the disk.
func BenchmarkWriteFreshOneAtATime(b *testing.B) {
	benchWrite(b, nil, func(jobs []Job) {
		for _, j := range jobs {
			if _, err := Write(j.Photo, j.Keywords); err != nil {
				b.Fatal(err)
			}
		}
	})
}
