package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/library/catalog"
)

// BenchmarkCopyToSearch copies photos, one at a time, into a folder
// spotter watch watches (the real program, models and catalogue), and
// times each from its copy completing until it is in the catalogue, and
// until spotter search (a process of its own, as a person runs it) lists
// it. Each photo is a shared one with bytes of its own after the image, so
// that none is recognised as a copy of another.
func BenchmarkCopyToSearch(b *testing.B) {
	bin := buildSpotter(b)
	cat := filepath.Join(b.TempDir(), "catalog.db")
	env := append(os.Environ(), "SPOTTER_CATALOG="+cat, "ONNXRUNTIME_SHARED_LIBRARY_PATH="+inferencetest.Library(b),
		"SPOTTER_MODEL="+inferencetest.Descriptor(b))
	root := b.TempDir()
	add := exec.Command(bin, "library", "add", root)
	add.Env = env
	if out, err := add.CombinedOutput(); err != nil {
		b.Fatalf("spotter library add: %v\n%s", err, out)
	}
	w := startWatch(b, bin, env)
	w.waitSaid(b, 0, "Library up to date")
	eagle, err := os.ReadFile(inferencetest.Photo(b, "eagle.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	var inCatalogue, bySearch, worst time.Duration
	b.ResetTimer()
	for i := range b.N {
		name := fmt.Sprintf("IMG_%04d.jpg", i)
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, append(eagle, fmt.Sprintf("copy %d", i)...), 0o644); err != nil {
			b.Fatal(err)
		}
		copied := time.Now()
		waitFor(b, 30*time.Second, name+" in the catalogue", func() bool {
			c, err := catalog.OpenForReading(cat)
			if err != nil {
				return false
			}
			defer c.Close()
			found, _ := c.Search(catalog.Filter{Text: name}, 1)
			return len(found) == 1
		})
		inCatalogue += time.Since(copied)
		search := exec.Command(bin, "search", name)
		search.Env = env
		out, err := search.Output()
		if err != nil || !strings.HasPrefix(string(out), p+": ") {
			b.Fatalf("spotter search %s: %v\n%s", name, err, out)
		}
		took := time.Since(copied)
		bySearch += took
		worst = max(worst, took)
	}
	b.StopTimer()
	b.ReportMetric(inCatalogue.Seconds()*1000/float64(b.N), "ms-to-catalogue")
	b.ReportMetric(bySearch.Seconds()*1000/float64(b.N), "ms-to-search")
	b.ReportMetric(worst.Seconds()*1000, "worst-ms-to-search")
	w.stop(b)
}
