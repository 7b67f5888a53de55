package sidecar

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// newMode is a new file's mode: 0644 less the umask.
func newMode(t *testing.T) os.FileMode {
	t.Helper()
	m := syscall.Umask(0)
	syscall.Umask(m)
	return 0o644 &^ os.FileMode(m)
}

func TestPermissionsAreKept(t *testing.T) {
	photo, sidecar, _ := withSidecar(t, "exiftool.xmp", "photo.jpg.xmp")
	os.Chmod(sidecar, 0o600)
	if _, err := Write(photo, catKeywords); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(sidecar); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after Write = %v, want 0600", fi.Mode().Perm())
	}
}

// mountTmpfs mounts a small tmpfs on a new folder; only root can, so others skip the test that
// needs it (the failure itself is also covered through writeData above).
func mountTmpfs(t *testing.T, flags uintptr, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", flags, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v)", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

func TestReadOnlyFolder(t *testing.T) {
	var dir string
	if os.Geteuid() == 0 {
		// root writes in any folder whatever its mode: a read-only mount is what stops it.
		dir = mountTmpfs(t, 0, "1m")
	} else {
		dir = t.TempDir()
	}
	photo := filepath.Join(dir, "photo.jpg")
	sidecar := photo + ".xmp"
	orig := mustRead(t, "testdata/darktable.xmp")
	os.WriteFile(photo, []byte("photo"), 0o644)
	os.WriteFile(sidecar, orig, 0o644)
	if os.Geteuid() == 0 {
		if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
			t.Fatal(err)
		}
	} else {
		os.Chmod(dir, 0o555)
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
	}
	_, err := Write(photo, catKeywords)
	if err == nil || !strings.Contains(err.Error(), "is read-only for you") || !strings.Contains(err.Error(), "left as it was") {
		t.Errorf("error = %v", err)
	}
	if got := mustRead(t, sidecar); !bytes.Equal(got, orig) {
		t.Error("the sidecar changed")
	}
}

func TestFullDisk(t *testing.T) {
	dir := mountTmpfs(t, 0, "64k")
	photo := filepath.Join(dir, "photo.jpg")
	sidecar := photo + ".xmp"
	orig := mustRead(t, "testdata/digikam.xmp")
	os.WriteFile(photo, []byte("photo"), 0o644)
	os.WriteFile(sidecar, orig, 0o644)
	filler, _ := os.Create(filepath.Join(dir, "filler"))
	for {
		if _, err := filler.Write(make([]byte, 4096)); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	filler.Close()
	_, err := Write(photo, catKeywords)
	if err == nil || !strings.Contains(err.Error(), "the disk is full") {
		t.Errorf("error = %v", err)
	}
	if got := mustRead(t, sidecar); !bytes.Equal(got, orig) {
		t.Error("the sidecar changed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("a temporary file was left behind: %v", entries)
	}
}
