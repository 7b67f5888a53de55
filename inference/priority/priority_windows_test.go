package priority

import (
	"testing"

	"golang.org/x/sys/windows"
)

var getThreadPriority = kernel32.NewProc("GetThreadPriority")

// threadPriority is the calling thread's priority.
func threadPriority() int {
	h, _ := windows.GetCurrentThread()
	p, _, _ := getThreadPriority.Call(uintptr(h))
	return int(int32(p))
}

// The lowered thread idles; the test's own keeps its priority.
func TestLowerOnlyTheCallingThread(t *testing.T) {
	base := threadPriority()
	done := make(chan int)
	go func() {
		if err := Lower(); err != nil {
			t.Error(err)
		}
		done <- threadPriority()
	}()
	if got := <-done; got != idle {
		t.Errorf("lowered thread priority %d, want %d", got, idle)
	}
	if got := threadPriority(); got != base {
		t.Errorf("the test's own thread changed to priority %d from %d", got, base)
	}
}
