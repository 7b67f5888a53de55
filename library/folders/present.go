package folders

import (
	"os"
	"path/filepath"
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

// mountOf is the mount point of the filesystem path is on, links
// followed.
func mountOf(path string) string {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	return mountPoint(path)
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
// first library folder; "" when it does not exist.
func Pictures() string {
	dir := pictures()
	if fi, err := os.Stat(dir); dir == "" || err != nil || !fi.IsDir() {
		return ""
	}
	return dir
}
