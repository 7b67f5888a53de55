package preprocess

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/helper"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/preprocess/heif/heiftest"
	"github.com/spotter-app/spotter/inference/preprocess/raw/rawtest"
)

// Every C decoder runs in a locked-down helper, not in this process; a
// helper that dies in the middle costs that file a sentence that says so,
// and the next file decodes.
func TestCDecodersRunInLockedDownHelpers(t *testing.T) {
	src := inferencetest.Photo(t, "kite.jpg")
	dir := t.TempDir()
	bigJPEG := heiftest.Convert(t, src, dir, "big.jpg", "-resize", "300%")
	for _, tc := range []struct {
		small, big string
		minSide    int // the big file's, decoded slowly enough to be caught
		reader     string
	}{
		{src, bigJPEG, 0, "libjpeg-turbo"},
		{heiftest.Convert(t, src, dir, "kite.png"), heiftest.Convert(t, bigJPEG, dir, "big.png"), 0, "libdeflate"},
		{heiftest.HEIC(t, src, dir, "kite.heic", "-q", "90"), heiftest.HEIC(t, bigJPEG, dir, "big.heic", "-q", "30", "-p", "preset=ultrafast"), 100, "libheif"},
	} {
		t.Run(tc.reader, func(t *testing.T) {
			decoder.Close()
			if _, err := LoadAtLeast(context.Background(), tc.small, 100); err != nil {
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

			// Kill the helper that decodes the large file, as a crash would.
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
			_, err = LoadAtLeast(context.Background(), tc.big, tc.minSide)
			if pid := <-killed; pid == 0 {
				t.Fatal("no helper was seen decoding the large file")
			}
			name := filepath.Base(tc.big)
			if err == nil || !strings.Contains(err.Error(), name+" made "+tc.reader) || !strings.Contains(err.Error(), "stopped without harm") {
				t.Errorf("the crashed decode says %v", err)
			}
			if _, err := LoadAtLeast(context.Background(), tc.small, 100); err != nil {
				t.Errorf("the next photo: %v", err)
			}
		})
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

// BenchmarkSandboxCost times a 12-megapixel photo of each format decoded
// for the classifier's crop with the C decoders in helpers, as Spotter
// does, against the same decode with the helpers' work done in this
// process (helper.SetInProcess), alternating in one run: added-ms is what
// the sandbox costs a photo (target: at most 1 ms). The DNG carries a
// 1600×1200 preview, which LibRaw's helper finds and the JPEG decoder's
// shrinks.
func BenchmarkSandboxCost(b *testing.B) {
	dng := filepath.Join(os.TempDir(), "spotter-bench-heif", "12mp.dng")
	for _, ext := range []string{"jpg", "png", "heic", "avif", "dng"} {
		b.Run(ext, func(b *testing.B) {
			path := dng
			if ext != "dng" {
				path = heiftest.TwelveMP(b, ext)
			} else if _, err := os.Stat(dng); err != nil {
				src := inferencetest.DecodeJPEG(b, heiftest.TwelveMP(b, "jpg"))
				if err := rawtest.WriteDNG(dng, src, rawtest.DNGOptions{PreviewWidth: 1600, PreviewHeight: 1200}); err != nil {
					b.Fatal(err)
				}
			}
			load := func(inProcess bool) time.Duration {
				helper.SetInProcess(inProcess)
				defer helper.SetInProcess(false)
				start := time.Now()
				if _, err := LoadAtLeast(context.Background(), path, 256); err != nil {
					b.Fatal(err)
				}
				return time.Since(start)
			}
			load(false) // a helper is started before the clock
			var inside, sandboxed time.Duration
			for b.Loop() {
				inside += load(true)
				sandboxed += load(false)
			}
			n := float64(b.N)
			b.ReportMetric(float64(inside.Microseconds())/1000/n, "in-process-ms")
			b.ReportMetric(float64(sandboxed.Microseconds())/1000/n, "sandboxed-ms")
			b.ReportMetric(float64((sandboxed-inside).Microseconds())/1000/n, "added-ms")
		})
	}
}
