package thumbs

import (
	"errors"
	"os"
	"path/filepath"
)

// Dir is Spotter's own thumbnail cache, %LOCALAPPDATA%\Spotter\thumbnails:
// Windows has no cache shared between programs in this format (Explorer's
// thumbcache is its own), so the thumbnails are named as the freedesktop
// spec says and only Spotter reads them.
func Dir() (string, error) {
	d := os.Getenv("LOCALAPPDATA")
	if !filepath.IsAbs(d) {
		return "", errors.New("LOCALAPPDATA is not set")
	}
	return filepath.Join(d, "Spotter", "thumbnails"), nil
}
