package preprocess

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/preprocess/heif/heiftest"
)

// A HEIC is decoded in a locked-down helper, not in this process; a helper
// that dies in the middle costs that file a sentence that says so, and the
// next file decodes.
func TestHEIFDecodesInALockedDownHelper(t *testing.T) {
	src := inferencetest.Photo(t, "kite.jpg")
	dir := t.TempDir()
	heic := heiftest.HEIC(t, src, dir, "kite.heic", "-q", "90")
	big := heiftest.HEIC(t, heiftest.Convert(t, src, dir, "big.jpg", "-resize", "300%"), dir, "big.heic", "-q", "30", "-p", "preset=ultrafast")
	decoder.Close()
	if _, err := LoadAtLeast(context.Background(), heic, 100); err != nil {
		t.Fatal(err)
	}
	pids := decoder.PIDs()
	if len(pids) != 1 {
		t.Fatalf("helpers waiting after a decode: %v, want one", pids)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pids[0]))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NoNewPrivs:\t1", "Seccomp:\t2"} {
		if !strings.Contains(string(status), want) {
			t.Errorf("the decoder's status lacks %q", want)
		}
	}

	// Kill the helper that decodes the large HEIC, as a crash would.
	killed := make(chan int, 1)
	go func() {
		for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(time.Millisecond) {
			for _, pid := range busyHelpers(t) {
				if p, err := os.FindProcess(pid); err == nil && p.Kill() == nil {
					killed <- pid
					return
				}
			}
		}
		killed <- 0
	}()
	_, err = LoadAtLeast(context.Background(), big, 100)
	if pid := <-killed; pid == 0 {
		t.Fatal("no helper was seen decoding the large HEIC")
	}
	if err == nil || !strings.Contains(err.Error(), "big.heic made libheif") || !strings.Contains(err.Error(), "stopped without harm") {
		t.Errorf("the crashed decode says %v", err)
	}
	if _, err := LoadAtLeast(context.Background(), heic, 100); err != nil {
		t.Errorf("the next HEIC: %v", err)
	}
}

// busyHelpers are this process's children that are not waiting for work.
func busyHelpers(t *testing.T) []int {
	idle := decoder.PIDs()
	var out []int
	for _, pid := range inferencetest.Children(0) {
		if !slices.Contains(idle, pid) {
			out = append(out, pid)
		}
	}
	return out
}

// BenchmarkSandboxCost times a 12-megapixel HEIC and AVIF decoded in the
// helper against the same decode in this process, alternating in one run:
// added-ms is what the sandbox costs a photo (target: at most 1 ms).
func BenchmarkSandboxCost(b *testing.B) {
	for _, ext := range []string{"heic", "avif"} {
		b.Run(ext, func(b *testing.B) {
			data := heiftest.Read(b, heiftest.TwelveMP(b, ext))
			ctx := context.Background()
			if _, _, err := decodeSandboxed(ctx, data, "heif", MaxPixels, 256); err != nil {
				b.Fatal(err) // and a helper is started before the clock
			}
			var inside, sandboxed time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, _, err := decodeHEIF(ctx, data, MaxPixels, 256); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, _, err := decodeSandboxed(ctx, data, "heif", MaxPixels, 256); err != nil {
					b.Fatal(err)
				}
				inside += t1.Sub(t0)
				sandboxed += time.Since(t1)
			}
			n := float64(b.N)
			b.ReportMetric(float64(inside.Microseconds())/1000/n, "in-process-ms")
			b.ReportMetric(float64(sandboxed.Microseconds())/1000/n, "sandboxed-ms")
			b.ReportMetric(float64((sandboxed-inside).Microseconds())/1000/n, "added-ms")
		})
	}
}
