package priority

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// niceOf reads a thread's nice value from /proc (field 19 of stat).
func niceOf(t *testing.T, tid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/task/" + strconv.Itoa(tid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// The command name, in parentheses, may hold spaces; count after it.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	n, err := strconv.Atoi(fields[16])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The lowered thread runs at Nice, threads it starts inherit it, and the
// rest of the process keeps its priority.
func TestLowerOnlyTheCallingThread(t *testing.T) {
	base := niceOf(t, syscall.Gettid())
	type result struct{ own, child int }
	done := make(chan result)
	go func() {
		if err := Lower(); err != nil {
			t.Error(err)
		}
		r := result{own: niceOf(t, syscall.Gettid())}
		// Go forks a child from the calling thread, so the child shows
		// what a thread created here (ONNX Runtime's pool) inherits.
		out, err := exec.Command("nice").Output()
		if err != nil {
			t.Error(err)
		}
		r.child, _ = strconv.Atoi(strings.TrimSpace(string(out)))
		done <- r
	}()
	r := <-done
	want := min(base+Nice, 19) // Linux's lowest priority
	if r.own != want {
		t.Errorf("lowered thread nice %d, want %d", r.own, want)
	}
	if r.child != want {
		t.Errorf("a process started from the lowered thread has nice %d, want %d", r.child, want)
	}
	if got := niceOf(t, syscall.Gettid()); got != base {
		t.Errorf("the test's own thread changed to nice %d from %d", got, base)
	}
}
