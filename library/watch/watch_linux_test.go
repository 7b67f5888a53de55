package watch

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/library/index"
)

// When the kernel's watch table is full (ENOSPC, injected after two
// watches), the watcher says so once, keeps its watches, and finds a photo
// in a folder it could not watch by rescanning.
func TestWatchLimitFallsBackToRescans(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a", "b", "c", "d"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	real := addWatch
	t.Cleanup(func() { addWatch = real })
	var added int
	addWatch = func(fd int, path string, mask uint32) (int, error) {
		if added >= 2 {
			return -1, unix.ENOSPC
		}
		added++
		return real(fd, path, mask)
	}
	h := start(t, fast, []string{root})
	h.waitFor("the limit notice", func() bool { return len(h.noticesOf(index.WatchLimit)) == 1 })
	n := h.noticesOf(index.WatchLimit)[0]
	if !strings.Contains(n.Text, "fs.inotify.max_user_watches") || !strings.Contains(n.Text, "after watching 2 folders: the other 3 are rescanned") {
		t.Errorf("notice: %s", n.Text)
	}
	// Watched: seen at once. Not watched: seen by the rescan.
	watched, unwatched := filepath.Join(root, "watched.jpg"), filepath.Join(root, "d", "unwatched.jpg")
	makePhoto(t, watched, 10<<10)
	makePhoto(t, unwatched, 11<<10)
	h.waitFor("the photo in the watched folder", func() bool { return h.cl.count(watched) == 1 })
	h.waitFor("the photo in the unwatched folder", func() bool { return h.cl.count(unwatched) == 1 })
	// A folder made in an unwatched one is rescanned too.
	deeper := filepath.Join(root, "d", "new", "deeper.jpg")
	if err := os.MkdirAll(filepath.Dir(deeper), 0o755); err != nil {
		t.Fatal(err)
	}
	makePhoto(t, deeper, 12<<10)
	h.waitFor("the photo in a folder made in an unwatched one", func() bool { return h.cl.count(deeper) == 1 })
	h.quiet()
	if got := len(h.noticesOf(index.WatchLimit)); got != 1 {
		t.Errorf("%d limit notices; want one", got)
	}
	if h.w.Watches() != 2 {
		t.Errorf("%d watches; want the 2 the kernel gave", h.w.Watches())
	}
}

// A tmpfs mounted as a library folder and unmounted: the photos stay,
// offline.
func TestUnmountedDriveIsOffline(t *testing.T) {
	root := t.TempDir()
	if err := syscall.Mount("none", root, "tmpfs", 0, "size=8m"); err != nil {
		inferencetest.Need(t, os.Getuid() != 0, "mounting a tmpfs (needs root: "+err.Error()+")")
		t.Skip("mounting a tmpfs needs root:", err)
	}
	mounted := true
	t.Cleanup(func() {
		if mounted {
			syscall.Unmount(root, unix.MNT_DETACH)
		}
	})
	h, a := startOffline(t, root)
	h.watchReady(1)
	if err := syscall.Unmount(root, 0); err != nil {
		t.Fatal(err)
	}
	mounted = false
	h.waitFor("the photo offline", func() bool { k, _ := h.known(a); return k.Missing })
	checkOffline(t, h, root)
	if h.w.Watches() != 0 {
		t.Errorf("%d watches left on the unmounted drive", h.w.Watches())
	}
}
