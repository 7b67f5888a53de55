// Package priority lets background work yield the processor to the window.
// Classifying a folder keeps every core busy; at the same priority the
// UI thread then waits its turn behind decoding and inference, and the
// window stutters. A nicer thread still gets all of an otherwise idle
// machine, so throughput does not change.
package priority

import "runtime"

// Nice is how much lower background threads run: Linux's lowest priority,
// which a thread takes the processor from at once. At +10 the window still
// waited behind classification, previews and thumbnails on two cores (make
// bench, "UI fluidity": worst waits of 150–300 ms during a queue).
const Nice = 19

// Lower locks the calling goroutine to its OS thread and lowers that
// thread's priority. On Linux, threads it then creates, such as ONNX
// Runtime's intra-op pool when a session is created here, inherit the
// priority; on Windows they do not (see priority_windows.go). The
// goroutine must not unlock the thread: when it returns, Go ends the
// thread instead of handing its lowered priority to other goroutines.
func Lower() error {
	runtime.LockOSThread()
	return lower()
}
