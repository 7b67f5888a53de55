package folders

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Present reports whether the library folder root is there, and the mount
// point it is on now. lastMount is the mount point it was on when last
// seen ("" when unknown). A folder that is gone is away, never deleted:
// a removable drive's folder vanishes when the drive is unmounted. So is
// a folder left empty on another filesystem after its own was unmounted
// (the bare mount point under /mnt that fstab's nofail leaves).
func Present(root, lastMount string) (mount string, ok bool) {
	fi, err := os.Stat(root)
	if err != nil || !fi.IsDir() {
		return "", false
	}
	mount = mountOf(root)
	if lastMount != "" && mount != lastMount && Within(root, lastMount) && empty(root) {
		return mount, false
	}
	return mount, true
}

// mountOf is the mount point of the filesystem path is on: the longest
// mount point above it in /proc/self/mountinfo; "/" when that cannot be
// read.
func mountOf(path string) string {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
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

func empty(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	names, _ := f.Readdirnames(1)
	return len(names) == 0
}

// Pictures is the person's pictures folder, which Spotter offers as the
// first library folder: XDG_PICTURES_DIR from ~/.config/user-dirs.dirs
// (what `xdg-user-dir PICTURES` reads), else ~/Pictures; "" when it does
// not exist.
func Pictures() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	config := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(config) {
		config = filepath.Join(home, ".config")
	}
	dir := filepath.Join(home, "Pictures")
	if f, err := os.Open(filepath.Join(config, "user-dirs.dirs")); err == nil {
		if d := picturesIn(f, home); d != "" {
			dir = d
		}
		f.Close()
	}
	// xdg-user-dirs sets the folder to $HOME itself when it has none.
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() || dir == home {
		return ""
	}
	return dir
}

// picturesIn reads XDG_PICTURES_DIR="$HOME/Pictures" from a user-dirs.dirs
// file: a path either absolute or starting $HOME/.
func picturesIn(r io.Reader, home string) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "XDG_PICTURES_DIR=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		if rest, ok := strings.CutPrefix(v, "$HOME"); ok {
			v = home + rest
		}
		if filepath.IsAbs(v) {
			return filepath.Clean(v)
		}
	}
	return ""
}

// Tilde writes a path under the home folder with ~ for it.
func Tilde(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == "/" {
		return path
	}
	if path == home {
		return "~"
	}
	if rest, ok := strings.CutPrefix(path, home+"/"); ok {
		return "~/" + rest
	}
	return path
}
