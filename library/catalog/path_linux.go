package catalog

import (
	"os"
	"path/filepath"
)

// defaultPath is $XDG_DATA_HOME/spotter/catalog.db, else
// ~/.local/share/spotter/catalog.db; "" when there is no home folder.
func defaultPath() string {
	// The XDG base directory spec says relative values are to be ignored.
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "spotter", "catalog.db")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "share", "spotter", "catalog.db")
}
