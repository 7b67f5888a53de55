package helper_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/spotter-app/spotter/inference/helper"
	"github.com/spotter-app/spotter/inference/inferencetest"
)

// hostile is a helper that does, on request, what a file that took over a
// C parser would try: each attempt answers with what the kernel said.
var hostile = &helper.Service{Name: "hostile-test", Limit: 3 * time.Second, Serve: attempt}

func init() { hostile.ServeIfHelper() }

func attempt(req []byte, file int) (head, data []byte, done func(), err error) {
	result := func(err error) ([]byte, []byte, func(), error) {
		var pathErr *os.PathError
		switch {
		case err == nil:
			return []byte("allowed"), nil, nil, nil
		case errors.As(err, &pathErr):
			err = pathErr.Err
		}
		return []byte(err.Error()), nil, nil, nil
	}
	switch string(req) {
	case "read":
		buf := make([]byte, 5)
		n, err := unix.Pread(file, buf, 0)
		return buf[:n], nil, nil, err
	case "open":
		_, err := os.Open("/etc/passwd")
		return result(err)
	case "create":
		_, err := unix.Open(filepath.Join(os.TempDir(), "spotter-escaped"), unix.O_CREAT|unix.O_WRONLY, 0o644)
		return result(err)
	case "write":
		_, err := unix.Write(file, []byte("overwritten"))
		return result(err)
	case "socket":
		_, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		return result(err)
	case "exec":
		return result(unix.Exec("/bin/sh", []string{"sh", "-c", "true"}, nil))
	case "fork":
		_, _, errno := unix.RawSyscall(unix.SYS_FORK, 0, 0, 0)
		if errno != 0 {
			return result(errno)
		}
		return result(nil)
	case "ptrace":
		_, _, errno := unix.RawSyscall(unix.SYS_PTRACE, unix.PTRACE_TRACEME, 0, 0)
		return result(errno)
	case "segfault":
		_ = *(*int)(nil)
	case "abort":
		unix.Kill(os.Getpid(), unix.SIGABRT)
	case "spin":
		for {
			spins++
		}
	case "allocate":
		for {
			hoard = append(hoard, bytes.Repeat([]byte{1}, 64<<20))
		}
	}
	return nil, nil, nil, errors.New("no such attempt")
}

// What the spinning and hoarding attempts keep, where the compiler cannot
// see that nothing reads it.
var (
	spins int
	hoard [][]byte
)

func file(t *testing.T) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "photo")
	if err := os.WriteFile(path, []byte("photo bytes"), 0o444); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func call(t *testing.T, what string, f *os.File) (string, error) {
	t.Helper()
	head, _, err := hostile.Call(context.Background(), []byte(what), f, 0)
	return string(head), err
}

// A helper is confined before it serves: no new privileges, a seccomp
// filter, and what it was given is all it can reach.
func TestHelperIsLockedDown(t *testing.T) {
	f := file(t)
	if got, err := call(t, "read", f); err != nil || got != "photo" {
		t.Fatalf("reading the file it was given: %q, %v", got, err)
	}
	pids := hostile.PIDs()
	if len(pids) == 0 {
		t.Fatal("no helper waits for work after a request")
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pids[0]))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NoNewPrivs:\t1", "Seccomp:\t2"} {
		if !strings.Contains(string(status), want) {
			t.Errorf("the helper's status lacks %q:\n%s", want, status)
		}
	}
	for what, want := range map[string]string{
		"open":   syscall.EPERM.Error(),
		"create": syscall.EPERM.Error(),
		"socket": syscall.EPERM.Error(),
		"exec":   syscall.EPERM.Error(),
		"fork":   syscall.EPERM.Error(),
		"ptrace": syscall.EPERM.Error(),
		// The photo came read-only.
		"write": syscall.EBADF.Error(),
	} {
		if got, err := call(t, what, f); err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", what, got, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(os.TempDir(), "spotter-escaped")); err == nil {
		t.Error("the helper made a file")
	}
	if data, _ := os.ReadFile(f.Name()); string(data) != "photo bytes" {
		t.Errorf("the photo now holds %q", data)
	}
}

// A crash, an abort, a loop or a hoard costs that request: the caller gets
// ErrCrashed, the next request is served, and no helper is left behind
// but those waiting for work.
func TestCrashCostsOneRequest(t *testing.T) {
	f := file(t)
	for _, what := range []string{"segfault", "abort", "spin", "allocate"} {
		start := time.Now()
		if _, err := call(t, what, f); !errors.Is(err, helper.ErrCrashed) {
			t.Errorf("%s: %v, want helper.ErrCrashed", what, err)
		}
		if d := time.Since(start); d > hostile.Limit+5*time.Second {
			t.Errorf("%s took %v", what, d)
		}
		if got, err := call(t, "read", f); err != nil || got != "photo" {
			t.Errorf("after %s: %q, %v", what, got, err)
		}
	}
	if kids, idle := inferencetest.Children(0), hostile.PIDs(); len(kids) != len(idle) {
		t.Errorf("child processes %v, idle helpers %v", kids, idle)
	}
}

// Cancelling kills the helper at work.
func TestCancelKillsTheHelper(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, _, err := hostile.Call(ctx, []byte("spin"), file(t), 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v, want the context's error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancelling took %v", d)
	}
	if kids, idle := inferencetest.Children(0), hostile.PIDs(); len(kids) != len(idle) {
		t.Errorf("child processes %v, idle helpers %v", kids, idle)
	}
}
