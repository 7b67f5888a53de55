package thumbs

import (
	"path/filepath"
	"testing"
)

// cache points Dir at a new folder and returns Dir.
func cache(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("LOCALAPPDATA", dir)
	return filepath.Join(dir, "Spotter", "thumbnails")
}
