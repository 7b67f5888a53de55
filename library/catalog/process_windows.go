package catalog

import "golang.org/x/sys/windows"

// stillActive is the exit code GetExitCodeProcess gives a running process.
const stillActive = 259

// processOf reads the identity of the running process pid: its creation
// time, a date, so no boot is needed; ok is false when there is no such
// process.
func processOf(pid int) (process, bool) {
	p := process{pid: pid}
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return p, false
	}
	defer windows.CloseHandle(h)
	var code uint32
	if windows.GetExitCodeProcess(h, &code) != nil || code != stillActive {
		return p, false // ended, its handle still held somewhere
	}
	var created, exited, kernel, user windows.Filetime
	if windows.GetProcessTimes(h, &created, &exited, &kernel, &user) != nil {
		return p, false
	}
	p.started = created.Nanoseconds()
	return p, true
}
