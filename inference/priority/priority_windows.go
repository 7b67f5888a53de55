package priority

import "golang.org/x/sys/windows"

// x/sys/windows has GetCurrentThread but not these.
var (
	kernel32          = windows.NewLazySystemDLL("kernel32.dll")
	setThreadPriority = kernel32.NewProc("SetThreadPriority")
)

// idle is THREAD_PRIORITY_IDLE, Windows' lowest priority in the process's
// class, as Nice is Linux's.
const idle = -15

// lower idles the calling thread alone. Unlike Linux, Windows starts every
// new thread at normal priority whoever creates it, so ONNX Runtime's pool
// threads do not inherit it: only the decoding and the session's calling
// thread yield to the window.
func lower() error {
	h, _ := windows.GetCurrentThread() // a pseudo-handle: nothing to close
	p := idle
	if ok, _, err := setThreadPriority.Call(uintptr(h), uintptr(p)); ok == 0 {
		return err
	}
	return nil
}
