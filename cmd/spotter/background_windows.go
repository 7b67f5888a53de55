package main

import (
	"math/bits"
	"runtime"
	"unsafe"

	"golang.org/x/sys/windows"
)

// x/sys/windows wraps neither affinity call.
var (
	kernel32               = windows.NewLazySystemDLL("kernel32.dll")
	getProcessAffinityMask = kernel32.NewProc("GetProcessAffinityMask")
	setProcessAffinityMask = kernel32.NewProc("SetProcessAffinityMask")
)

// background keeps the whole process to cores processors at idle
// priority, as spotter watch, which does nothing else, wants. Windows sets
// both per process, so the threads made later are covered too.
func background(cores int) error {
	self := windows.CurrentProcess()
	var allowed, system uintptr
	if ok, _, err := getProcessAffinityMask.Call(uintptr(self), uintptr(unsafe.Pointer(&allowed)), uintptr(unsafe.Pointer(&system))); ok == 0 {
		return err
	}
	var use uintptr
	for cpu := 0; cpu < bits.UintSize && bits.OnesCount64(uint64(use)) < cores; cpu++ {
		if allowed&(1<<cpu) != 0 {
			use |= 1 << cpu
		}
	}
	runtime.GOMAXPROCS(bits.OnesCount64(uint64(use)))
	if ok, _, err := setProcessAffinityMask.Call(uintptr(self), use); ok == 0 {
		return err
	}
	return windows.SetPriorityClass(self, windows.IDLE_PRIORITY_CLASS)
}
