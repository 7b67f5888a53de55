package thumbs

import (
	"os"
	"path/filepath"
)

// Dir is the freedesktop thumbnail cache, shared with the file managers:
// $XDG_CACHE_HOME/thumbnails, else ~/.cache/thumbnails.
func Dir() (string, error) {
	if d := os.Getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "thumbnails"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".cache", "thumbnails"), nil
}
