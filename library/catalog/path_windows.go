package catalog

import (
	"os"
	"path/filepath"
)

// defaultPath is %LOCALAPPDATA%\Spotter\catalog.db: the catalogue belongs to
// this machine (its paths are this machine's drives), so not the roaming
// profile. "" when LOCALAPPDATA is not set.
func defaultPath() string {
	d := os.Getenv("LOCALAPPDATA")
	if !filepath.IsAbs(d) {
		return ""
	}
	return filepath.Join(d, "Spotter", "catalog.db")
}
