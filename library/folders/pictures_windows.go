package folders

import "golang.org/x/sys/windows"

// pictures is the Pictures known folder, wherever the person (or
// OneDrive's folder backup) moved it.
func pictures() string {
	dir, err := windows.KnownFolderPath(windows.FOLDERID_Pictures, 0)
	if err != nil {
		return ""
	}
	return dir
}

// Tilde gives path as it is: "~" means the home folder only to Unix
// shells, and Windows shows folders by their whole path.
func Tilde(path string) string { return path }
