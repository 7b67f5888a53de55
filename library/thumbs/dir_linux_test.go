package thumbs

import (
	"path/filepath"
	"strings"
	"testing"
)

// cache points Dir at a new folder and returns Dir.
func cache(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "cache")
	t.Setenv("XDG_CACHE_HOME", dir)
	return filepath.Join(dir, "thumbnails")
}

func TestDirWithoutXDGCacheHome(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/jens")
	if got, _ := Path("/p.jpg", Normal); !strings.HasPrefix(got, "/home/jens/.cache/thumbnails/normal/") {
		t.Errorf("without XDG_CACHE_HOME: %q", got)
	}
}
