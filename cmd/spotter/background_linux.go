package main

import (
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/spotter-app/spotter/inference/priority"
)

// background keeps the whole process to cores processors at the lowest
// priority, as spotter watch, which does nothing else, wants. Linux sets
// both per thread and a new thread inherits them from the one that makes
// it, so every thread there is now is set (twice over, for threads made
// meanwhile), and ONNX Runtime's pools, the helpers' processes and Go's
// later threads inherit them.
func background(cores int) error {
	var allowed, use unix.CPUSet
	if err := unix.SchedGetaffinity(0, &allowed); err != nil {
		return err
	}
	for cpu, n := 0, 0; n < cores && cpu < 1024; cpu++ {
		if allowed.IsSet(cpu) {
			use.Set(cpu)
			n++
		}
	}
	runtime.GOMAXPROCS(use.Count())
	for range 2 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := unix.Setpriority(unix.PRIO_PROCESS, tid, priority.Nice); err != nil {
				return err
			}
			if err := unix.SchedSetaffinity(tid, &use); err != nil {
				return err
			}
		}
	}
	return nil
}
