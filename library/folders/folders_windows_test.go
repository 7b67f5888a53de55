package folders

import (
	"path/filepath"
	"testing"
)

func TestMountPointIsTheDrive(t *testing.T) {
	dir := t.TempDir()
	if got, want := mountPoint(dir), filepath.VolumeName(dir)+`\`; got != want {
		t.Errorf("mountPoint(%q) = %q; want %q", dir, got, want)
	}
}
