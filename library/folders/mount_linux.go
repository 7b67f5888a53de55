package folders

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
)

// mountPoint is the longest mount point above path in
// /proc/self/mountinfo; "/" when that cannot be read.
func mountPoint(path string) string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "/"
	}
	defer f.Close()
	return longestMount(f, path)
}

func longestMount(mountinfo io.Reader, path string) string {
	best := "/"
	sc := bufio.NewScanner(mountinfo)
	for sc.Scan() {
		// ID parent major:minor root mount-point options …
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		m := unescape(fields[4])
		if len(m) > len(best) && Within(path, m) {
			best = m
		}
	}
	return best
}

// unescape undoes mountinfo's octal escapes (\040 for a space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
