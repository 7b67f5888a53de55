package folders

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestLongestMount(t *testing.T) {
	mountinfo := `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 8:17 / /media/me/My\040Disk rw,nosuid shared:2 - vfat /dev/sdb1 rw
41 22 0:5 / /media/me/My rw - tmpfs none rw
`
	for path, want := range map[string]string{
		"/home/me/Pictures":              "/",
		"/media/me/My Disk/DCIM":         "/media/me/My Disk",
		"/media/me/My Disk":              "/media/me/My Disk",
		"/media/me/My Diskette/Pictures": "/",
	} {
		if got := longestMount(strings.NewReader(mountinfo), path); got != want {
			t.Errorf("longestMount(%q) = %q; want %q", path, got, want)
		}
	}
}

// A tmpfs mounted as a library folder, then unmounted: the bare mount
// point left behind is away, not an empty library folder.
func TestPresentAfterUnmount(t *testing.T) {
	root := t.TempDir()
	if err := syscall.Mount("none", root, "tmpfs", 0, "size=1m"); err != nil {
		if os.Getuid() != 0 {
			t.Skip("mounting a tmpfs needs root:", err)
		}
		t.Fatal(err)
	}
	mounted := true
	defer func() {
		if mounted {
			syscall.Unmount(root, 0)
		}
	}()
	write(t, root, "a.jpg")
	mount, ok := Present(root, "")
	if !ok || mount != root {
		t.Fatalf("mounted: Present = %q, %v; want %q, true", mount, ok, root)
	}
	if err := syscall.Unmount(root, 0); err != nil {
		t.Fatal(err)
	}
	mounted = false
	if m, ok := Present(root, mount); ok {
		t.Errorf("unmounted: Present = %q, true", m)
	}
	// Photos put in the bare folder make it a library folder of its own.
	write(t, root, "b.jpg")
	if _, ok := Present(root, mount); !ok {
		t.Error("a folder with photos on another filesystem counts as away")
	}
	if _, ok := Present(filepath.Join(root, "none"), ""); ok {
		t.Error("a folder that is gone counts as present")
	}
}

func TestPicturesFromUserDirs(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	if got := Pictures(); got != "" {
		t.Errorf("with no pictures folder: %q", got)
	}
	write(t, home, "Bilder/a.jpg", "Pictures/b.jpg")
	if got := Pictures(); got != filepath.Join(home, "Pictures") {
		t.Errorf("without user-dirs.dirs: %q", got)
	}
	write(t, home, "config/user-dirs.dirs")
	if err := os.WriteFile(filepath.Join(home, "config", "user-dirs.dirs"),
		[]byte("# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR=\"$HOME/Desktop\"\nXDG_PICTURES_DIR=\"$HOME/Bilder\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := Pictures(); got != filepath.Join(home, "Bilder") {
		t.Errorf("from user-dirs.dirs: %q", got)
	}
}
