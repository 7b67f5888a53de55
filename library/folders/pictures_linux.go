package folders

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// pictures is XDG_PICTURES_DIR from ~/.config/user-dirs.dirs (what
// `xdg-user-dir PICTURES` reads), else ~/Pictures.
func pictures() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	config := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(config) {
		config = filepath.Join(home, ".config")
	}
	dir := filepath.Join(home, "Pictures")
	if f, err := os.Open(filepath.Join(config, "user-dirs.dirs")); err == nil {
		if d := picturesIn(f, home); d != "" {
			dir = d
		}
		f.Close()
	}
	// xdg-user-dirs sets the folder to $HOME itself when it has none.
	if dir == home {
		return ""
	}
	return dir
}

// picturesIn reads XDG_PICTURES_DIR="$HOME/Pictures" from a user-dirs.dirs
// file: a path either absolute or starting $HOME/.
func picturesIn(r io.Reader, home string) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "XDG_PICTURES_DIR=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		if rest, ok := strings.CutPrefix(v, "$HOME"); ok {
			v = home + rest
		}
		if filepath.IsAbs(v) {
			return filepath.Clean(v)
		}
	}
	return ""
}

// Tilde writes a path under the home folder with ~ for it.
func Tilde(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == "/" {
		return path
	}
	if path == home {
		return "~"
	}
	sep := string(filepath.Separator)
	if rest, ok := strings.CutPrefix(path, home+sep); ok {
		return "~" + sep + rest
	}
	return path
}
