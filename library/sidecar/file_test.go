package sidecar

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

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
		{diskFull[0], "the disk is full"},
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
	failWrites(t, diskFull[0])
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
