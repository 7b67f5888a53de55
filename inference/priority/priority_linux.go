package priority

import "syscall"

func lower() error {
	// On Linux a priority belongs to a thread, named by its thread ID.
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), Nice)
}
