// Package inferencetest finds what the real-engine tests need: the ONNX
// Runtime library, the model and the shared photos. When one is missing a
// test is skipped on a developer's machine but fails under CI=true, so CI
// can never pass by silently skipping the real thing.
package inferencetest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/helper"
	"github.com/spotter-app/spotter/inference/ortlib"
)

// Need fails (under CI) or skips the test when ok is false.
func Need(t testing.TB, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing; CI must provide it (make test sets it up)", what)
	}
	t.Skipf("%s is missing; run `make test` to set it up", what)
}

// Root is the repository's root, found from the test's working directory.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Photo is the path of one of ../shared/photos.
func Photo(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(Root(t), "..", "shared", "photos", name)
	_, err := os.Stat(p)
	Need(t, err == nil, "../shared/photos/"+name)
	return p
}

// Library points ONNXRUNTIME_SHARED_LIBRARY_PATH at the library `make
// runtime` installed, unless the variable is already set, and returns it.
func Library(t testing.TB) string {
	t.Helper()
	p := os.Getenv(ortlib.EnvVar)
	if p == "" {
		p = filepath.Join(Root(t), "build", ortlib.LibraryName())
		t.Setenv(ortlib.EnvVar, p)
	}
	_, err := os.Stat(p)
	Need(t, err == nil, "the ONNX Runtime library ("+p+")")
	return p
}

// Descriptor is the default test model's descriptor, with its model file
// present (`make model` copies it from ../shared).
func Descriptor(t testing.TB) string {
	t.Helper()
	d := filepath.Join(Root(t), "models", "mobilenet_v2_1.0_224_quant.json")
	_, err := os.Stat(filepath.Join(Root(t), "models", "mobilenet_v2_1.0_224_quant", "model.qdq.onnx"))
	Need(t, err == nil, "the test model (models/mobilenet_v2_1.0_224_quant)")
	return d
}

// StatusMB reads a memory figure of this process from /proc/self/status,
// such as "VmRSS:" (resident now) or "VmHWM:" (peak), in megabytes.
func StatusMB(tb testing.TB, field string) float64 {
	tb.Helper()
	mb, err := ProcStatusMB(field)
	if err != nil {
		tb.Fatal(err)
	}
	return mb
}

// ResidentMB is the resident memory of this process and of the processes
// pids (helpers, where C parsers keep their memory), in MB.
func ResidentMB(tb testing.TB, pids ...int) float64 {
	tb.Helper()
	mb, err := ProcResidentMB(pids...)
	if err != nil {
		tb.Fatal(err)
	}
	return mb
}

// ProcResidentMB is ResidentMB for programs that are not tests. A process
// of pids that has ended counts for nothing.
func ProcResidentMB(pids ...int) (float64, error) {
	var sum int64
	for i, pid := range append([]int{os.Getpid()}, pids...) {
		statm, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid))
		if err != nil && i > 0 && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, err
		}
		fields := strings.Fields(string(statm))
		if len(fields) < 2 {
			return 0, fmt.Errorf("/proc/%d/statm: %q", pid, statm)
		}
		pages, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil {
			return 0, err
		}
		sum += pages * int64(os.Getpagesize())
	}
	return float64(sum) / (1 << 20), nil
}

// ProcStatusMB is StatusMB for programs that are not tests.
func ProcStatusMB(field string) (float64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}

// WriteFile writes data to dir/name and returns the path.
func WriteFile(tb testing.TB, dir, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// DecodeJPEG decodes the JPEG at path with Go's decoder, for tests that
// make other formats from a shared photo and compare with it.
func DecodeJPEG(tb testing.TB, path string) image.Image {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return img
}

// CrashersEnv names the folder where fuzz targets keep the inputs that
// crashed a helper; `make fuzz` sets it, counts them and adds them to the
// corpus.
const CrashersEnv = "SPOTTER_CRASHERS"

// KeepCrasher keeps a fuzz input in $SPOTTER_CRASHERS, in the corpus's
// format, when a helper crashed on it (helper.Crashes moved past before):
// the caller survives such a crash by design, so only this shows it.
// args are the fuzz function's arguments after t, each []byte, int or uint8.
func KeepCrasher(t *testing.T, before int64, args ...any) {
	dir := os.Getenv(CrashersEnv)
	if dir == "" || helper.Crashes() == before {
		return
	}
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		case int:
			fmt.Fprintf(&b, "int(%d)\n", v)
		case uint8:
			fmt.Fprintf(&b, "byte(%d)\n", v)
		default:
			t.Fatalf("KeepCrasher: a %T", a)
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, hex.EncodeToString(sum[:8])), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Children are the child processes of the process pid (0: this one):
// helpers, which tests count so that none is left behind, and whose
// memory benchmarks add to Spotter's.
func Children(pid int) []int {
	proc := "self"
	if pid != 0 {
		proc = strconv.Itoa(pid)
	}
	tasks, _ := filepath.Glob("/proc/" + proc + "/task/*/children") // the pattern is good
	var out []int
	for _, f := range tasks {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended
		}
		for _, field := range strings.Fields(string(data)) {
			if kid, err := strconv.Atoi(field); err == nil {
				out = append(out, kid)
			}
		}
	}
	return out
}
