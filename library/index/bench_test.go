package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/folders"
)

// BenchmarkRescan100k rescans a library folder of 100,000 photos in 1,000
// folders that the catalogue knows unchanged: nothing to classify, as at
// every start of spotter watch or the window. The files are small (a
// rescan reads no photo, only folders and file sizes and times) and their
// folders in the page cache, as on a machine that has been up. It reports
// the peak resident memory of the rescan itself.
func BenchmarkRescan100k(b *testing.B) {
	const photos, perFolder = 100_000, 100
	cat, err := catalog.Open(filepath.Join(b.TempDir(), "catalog.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer cat.Close()
	root := b.TempDir()
	if _, _, err := folders.Add(cat, root); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for i := range photos {
		dir := filepath.Join(root, fmt.Sprintf("%04d", i/perFolder))
		if i%perFolder == 0 {
			if err := os.Mkdir(dir, 0o755); err != nil {
				b.Fatal(err)
			}
		}
		p := filepath.Join(dir, fmt.Sprintf("IMG_%06d.jpg", i))
		if err := os.WriteFile(p, []byte(p), 0o644); err != nil {
			b.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		// A fingerprint given spares the writer reading the file.
		e := catalog.Entry{Path: p, Size: fi.Size(), MTime: fi.ModTime(), Model: model, Name: "thing"}
		e.Fingerprint[0], e.Fingerprint[1], e.Fingerprint[2] = 1, byte(i), byte(i>>8)
		cat.Put(e)
		if i%1000 == 999 {
			if err := cat.Flush(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("made %d photos and their catalogue rows in %v", photos, time.Since(start).Round(time.Second))
	rules, roots, err := folders.Load(cat)
	if err != nil {
		b.Fatal(err)
	}
	ix := New(cat, Options{Model: modelOK})
	// The peak from here on: the rescan's own, not the set-up's.
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		s, err := ix.ScanRoot(context.Background(), rules, roots[0], nil)
		if err != nil {
			b.Fatal(err)
		}
		if s.Photos != photos || s.Queued != 0 || s.Gone != 0 {
			b.Fatalf("rescan found %+v; want %d photos, all unchanged", s, photos)
		}
	}
	b.StopTimer()
	b.ReportMetric(inferencetest.StatusMB(b, "VmHWM:"), "peak-RSS-MB")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/photos, "us-per-photo")
}
