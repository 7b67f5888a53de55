package catalog

import (
	"os"
	"strconv"
	"strings"
)

// processOf reads the identity of the running process pid from /proc: its
// start time in clock ticks since the boot; ok is false when there is no
// such process.
func processOf(pid int) (process, bool) {
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	p := process{pid: pid, boot: strings.TrimSpace(string(boot))}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return p, false
	}
	// The command name, in parentheses, may hold anything; count after it.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(fields) < 20 || fields[0] == "Z" {
		return p, false // a zombie has ended all but its exit status
	}
	p.started, _ = strconv.ParseInt(fields[19], 10, 64)
	return p, true
}
