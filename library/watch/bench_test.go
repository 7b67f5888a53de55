package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
)

// BenchmarkWatch20kFolders watches a library folder of 20,000 folders (200
// of 100, a photo in every tenth) from start: the initial scan, one watch
// per folder. It reports the watches held, how long until all were, and
// the memory they cost Spotter: resident and Go heap, after less before.
// The kernel's own, about 1 KB a watch on 64-bit (inotify(7)), is not
// Spotter's to see.
func BenchmarkWatch20kFolders(b *testing.B) {
	const top, sub = 200, 100
	root := b.TempDir()
	for i := range top {
		for j := range sub {
			d := filepath.Join(root, fmt.Sprintf("%03d", i), fmt.Sprintf("%03d", j))
			if err := os.MkdirAll(d, 0o755); err != nil {
				b.Fatal(err)
			}
			if j%10 == 0 {
				makePhoto(b, filepath.Join(d, "IMG.jpg"), 64)
			}
		}
	}
	folders := 1 + top + top*sub
	for range b.N {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		rss := inferencetest.ResidentMB(b)
		began := time.Now()
		h := start(b, fast, []string{root})
		h.waitFor("every folder watched", func() bool { return h.w.Watches() >= folders })
		took := time.Since(began)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(h.w.Watches()), "watches")
		b.ReportMetric(took.Seconds()*1000, "ms-to-watch-all")
		b.ReportMetric(inferencetest.ResidentMB(b)-rss, "RSS-MB")
		b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/(1<<20), "heap-MB")
		h.stop()
	}
}
