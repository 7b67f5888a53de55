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

func umask(t *testing.T) os.FileMode {
	t.Helper()
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}

// failWrites makes every write to disk fail with err while the test runs.
func failWrites(t *testing.T, err error) {
	old := writeData
	writeData = func(*os.File, []byte) error { return err }
	t.Cleanup(func() { writeData = old })
}

func TestWriteErrorsLeaveTheSidecarAsItWas(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{syscall.ENOSPC, "the disk is full"},
		{syscall.EIO, "input/output error"},
	} {
		t.Run(tc.err.Error(), func(t *testing.T) {
			photo, sidecar, orig := withSidecar(t, "digikam.xmp", "photo.jpg.xmp")
			failWrites(t, tc.err)
			_, err := Write(photo, catKeywords)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "left as it was") {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
			if got := mustRead(t, sidecar); !bytes.Equal(got, orig) {
				t.Error("the sidecar changed")
			}
			if entries, _ := os.ReadDir(filepath.Dir(photo)); len(entries) != 2 {
				t.Errorf("a temporary file was left behind: %v", entries)
			}
		})
	}
}

func TestNewSidecarIsNotLeftHalfWritten(t *testing.T) {
	photo := newPhoto(t)
	failWrites(t, syscall.ENOSPC)
	_, err := Write(photo, catKeywords)
	if err == nil || !strings.Contains(err.Error(), "Nothing was written") {
		t.Errorf("error = %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(photo)); len(entries) != 1 {
		t.Errorf("files left beside the photo: %v", entries)
	}
}

// Another program (digiKam, say) saves the sidecar while Spotter is writing its copy: Spotter
// gives up rather than throw that save away.
func TestAChangeMadeMeanwhileIsNotOverwritten(t *testing.T) {
	photo, sidecar, orig := withSidecar(t, "exiftool.xmp", "photo.jpg.xmp")
	theirs := bytes.Replace(orig, []byte("holiday"), []byte("holidays"), 1)
	old := writeData
	writeData = func(f *os.File, b []byte) error {
		if err := os.WriteFile(sidecar, theirs, 0o644); err != nil {
			return err
		}
		return old(f, b)
	}
	t.Cleanup(func() { writeData = old })
	_, err := Write(photo, catKeywords)
	if err == nil || !strings.Contains(err.Error(), "another program changed it") {
		t.Errorf("error = %v", err)
	}
	if got := mustRead(t, sidecar); !bytes.Equal(got, theirs) {
		t.Errorf("the other program's save was lost:\n%s", got)
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
