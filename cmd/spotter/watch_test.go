package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/library/catalog"
)

// runLibrary runs `spotter library` in process with the catalogue at cat.
func runLibrary(t *testing.T, cat string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = libraryCmd(append([]string{"--catalog", cat}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestLibraryCommand(t *testing.T) {
	home := t.TempDir()
	cat := filepath.Join(t.TempDir(), "catalog.db")
	pictures, camera := filepath.Join(home, "Pictures"), filepath.Join(home, "Camera")
	for _, d := range []string{filepath.Join(pictures, "Screenshots"), camera} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, _ := runLibrary(t, cat, "list"); code != 0 || !strings.Contains(out, "No library folders yet: add one with spotter library add") {
		t.Errorf("list with no catalogue: %d %q", code, out)
	}
	if _, err := os.Stat(cat); err == nil {
		t.Error("list made a catalogue")
	}
	code, out, errs := runLibrary(t, cat, "add", pictures, camera, filepath.Join(home, "none"))
	if code != 1 || strings.Count(out, "Added ") != 2 || !strings.Contains(out, "classified when Spotter's window is open, or by spotter watch") ||
		!strings.Contains(errs, "none does not exist: name a folder that holds photos") {
		t.Errorf("add: %d\n%s%s", code, out, errs)
	}
	if code, _, errs := runLibrary(t, cat, "exclude", filepath.Join(pictures, "Screenshots")); code != 0 || errs != "" {
		t.Errorf("exclude: %d %s", code, errs)
	}
	if code, out, _ := runLibrary(t, cat, "pause"); code != 0 || !strings.Contains(out, "paused") {
		t.Errorf("pause: %d %s", code, out)
	}
	// Photos kept, one of them missing, and a folder away.
	c, err := catalog.Open(cat)
	if err != nil {
		t.Fatal(err)
	}
	m := catalog.Model{Name: "test", SHA256: strings.Repeat("a", 64)}
	for _, p := range []string{"a.jpg", "b.jpg"} {
		c.Put(catalog.Entry{Path: filepath.Join(pictures, p), Size: 1, Model: m})
	}
	c.Put(catalog.Entry{Path: filepath.Join(camera, "c.jpg"), Size: 1, Model: m})
	if err := c.MarkMissing(filepath.Join(pictures, "b.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkOffline(camera); err != nil {
		t.Fatal(err)
	}
	c.Close()
	code, out, _ = runLibrary(t, cat, "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 4 ||
		!regexp.MustCompile(`^.*/Camera +1 photos +away since .* \(drive unmounted\?\): its 1 photos are kept, offline$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^.*/Pictures +2 photos \(1 missing\) +not watched now: open Spotter, or run spotter watch$`).MatchString(lines[1]) ||
		!strings.HasSuffix(lines[2], "Excluded: "+filepath.Join(pictures, "Screenshots")) ||
		lines[3] != "Indexing is paused: spotter library resume goes on." {
		t.Errorf("list: %d\n%s", code, out)
	}
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"remove", camera}, 0, "Removed " + camera + ": it is no longer indexed or watched; the answers of its photos stay"},
		{[]string{"remove", camera}, 1, "is not a library folder (spotter library list shows them)"},
		{[]string{"include", filepath.Join(pictures, "Screenshots")}, 0, "Included"},
		{[]string{"add", filepath.Join(pictures, "Screenshots")}, 1, "is inside the library folder " + pictures},
		{[]string{"exclude", pictures}, 1, "is a library folder: remove it instead"},
		{[]string{"resume"}, 0, "Indexing resumes."},
		{[]string{"add"}, 2, "name the folders, as in spotter library add ~/Pictures"},
		{[]string{"list", "extra"}, 2, "Usage: spotter library"},
		{[]string{"frobnicate"}, 2, `unknown subcommand "frobnicate"`},
		{[]string{}, 2, "Examples:"},
		{[]string{"-h"}, 0, "spotter library exclude ~/Pictures/Screenshots"},
	} {
		code, out, errs := runLibrary(t, cat, c.args...)
		if code != c.code || !strings.Contains(out+errs, c.says) {
			t.Errorf("library %q: %d\n%s%s\nwant %d and %q", c.args, code, out, errs, c.code, c.says)
		}
	}
}

// watching is a spotter watch under test, its output collected by line.
type watching struct {
	cmd      *exec.Cmd
	mu       sync.Mutex
	out, err []string
	exited   chan error
}

func startWatch(t testing.TB, bin string, env []string, args ...string) *watching {
	t.Helper()
	w := &watching{cmd: exec.Command(bin, append([]string{"watch"}, args...)...), exited: make(chan error, 1)}
	w.cmd.Env = env
	stdout, err := w.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := w.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	collect := func(r io.Reader, into *[]string) {
		defer wg.Done()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			w.mu.Lock()
			*into = append(*into, sc.Text())
			w.mu.Unlock()
		}
	}
	wg.Add(2)
	go collect(stdout, &w.out)
	go collect(stderr, &w.err)
	go func() {
		wg.Wait()
		w.exited <- w.cmd.Wait()
	}()
	t.Cleanup(func() {
		w.cmd.Process.Kill()
		<-w.exited
		if t.Failed() {
			t.Logf("spotter watch (process %d) said:\n%s", w.cmd.Process.Pid, strings.Join(w.lines(true), "\n"))
		}
	})
	return w
}

// lines are what it printed on stdout, or stderr.
func (w *watching) lines(stderr bool) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if stderr {
		return append([]string(nil), w.err...)
	}
	return append([]string(nil), w.out...)
}

// waitSaid waits until a line of stderr (after the first skip lines)
// holds each of says.
func (w *watching) waitSaid(t testing.TB, skip int, says ...string) {
	t.Helper()
	waitFor(t, 60*time.Second, fmt.Sprintf("spotter watch to say %q", says), func() bool {
		for _, l := range w.lines(true)[min(skip, len(w.lines(true))):] {
			all := true
			for _, s := range says {
				all = all && strings.Contains(l, s)
			}
			if all {
				return true
			}
		}
		return false
	})
}

// stop ends it with SIGTERM and checks it stopped cleanly.
func (w *watching) stop(t testing.TB) {
	t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-w.exited:
		w.exited <- err // for the cleanup
		if err != nil {
			t.Errorf("spotter watch ended with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("spotter watch did not stop on SIGTERM")
	}
	if l := w.lines(true); len(l) == 0 || l[len(l)-1] != "spotter watch: stopped" {
		t.Errorf("last words: %q", l)
	}
}

// distinctPhotos writes n photos to dir: the shared ones, then variants
// (trailing bytes after the image, which decoders ignore) so that no two
// share a fingerprint, each with its own modification time, newest last.
func distinctPhotos(t testing.TB, dir string, n int) []string {
	t.Helper()
	names := []string{"dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "kite.jpg", "person.jpg"}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := range n {
		data, err := os.ReadFile(inferencetest.Photo(t, names[i%len(names)]))
		if err != nil {
			t.Fatal(err)
		}
		if i >= len(names) {
			data = append(data, fmt.Sprintf("variant %d", i)...)
		}
		p := filepath.Join(dir, fmt.Sprintf("%02d-%s", i, names[i%len(names)]))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		when := time.Now().Add(time.Duration(i-n) * time.Minute)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// classifiedPaths are the photos of spotter watch's stdout lines.
func classifiedPaths(lines []string) []string {
	var out []string
	for _, l := range lines {
		if i := strings.Index(l, ".jpg: "); i >= 0 {
			out = append(out, l[:i+4])
		}
	}
	return out
}

// inCatalogue are the photos the catalogue file at path holds answers for.
func inCatalogue(t *testing.T, path string) map[string]bool {
	t.Helper()
	c, err := catalog.OpenForReading(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	entries, err := c.Page(catalog.Filter{}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, e := range entries {
		out[e.Path] = true
	}
	return out
}

// TestWatchCommand runs the real program with the real models on real
// folders, as a person runs spotter watch.
func TestWatchCommand(t *testing.T) {
	bin := buildSpotter(t)
	env := func(t *testing.T) (cat string, vars []string) {
		cat = filepath.Join(t.TempDir(), "catalog.db")
		return cat, append(os.Environ(), "SPOTTER_CATALOG="+cat, "ONNXRUNTIME_SHARED_LIBRARY_PATH="+inferencetest.Library(t),
			"SPOTTER_MODEL="+inferencetest.Descriptor(t))
	}
	spotter := func(t *testing.T, vars []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = vars
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("spotter %q: %v\n%s", args, err, out)
		}
		return string(out)
	}

	t.Run("a photo copied in is found by search", func(t *testing.T) {
		_, vars := env(t)
		root := t.TempDir()
		spotter(t, vars, "library", "add", root)
		w := startWatch(t, bin, vars)
		w.waitSaid(t, 0, "Library up to date")
		data, err := os.ReadFile(inferencetest.Photo(t, "eagle.jpg"))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, "IMG_1042.jpg")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		copied := time.Now()
		waitFor(t, 15*time.Second, "spotter search bird to find the photo", func() bool {
			cmd := exec.Command(bin, "search", "bird")
			cmd.Env = vars
			out, _ := cmd.Output()
			return strings.Contains(string(out), p+": bird — kite")
		})
		t.Logf("found by spotter search %v after the copy completed", time.Since(copied).Round(10*time.Millisecond))
		if got := classifiedPaths(w.lines(false)); len(got) != 1 || got[0] != p {
			t.Errorf("classified %q", got)
		}
		if list := spotter(t, vars, "library", "list"); !strings.Contains(list, "1 photos  watched by spotter watch (process "+fmt.Sprint(w.cmd.Process.Pid)) {
			t.Errorf("library list:\n%s", list)
		}
		w.stop(t)
	})

	t.Run("killed mid-index it resumes without redoing a photo", func(t *testing.T) {
		cat, vars := env(t)
		root := t.TempDir()
		photos := distinctPhotos(t, root, 30)
		spotter(t, vars, "library", "add", root)
		w := startWatch(t, bin, vars, "--cores", "1")
		waitFor(t, 60*time.Second, "a few photos kept", func() bool { return len(inCatalogue(t, cat)) >= 3 })
		if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-w.exited
		w.exited <- nil
		first := classifiedPaths(w.lines(false))
		if first[0] != photos[len(photos)-1] {
			t.Errorf("the first photo classified is %s; want the newest, %s", first[0], photos[len(photos)-1])
		}
		kept := inCatalogue(t, cat)
		if len(kept) == 0 || len(kept) == len(photos) {
			t.Fatalf("%d photos kept before the kill; want some, not all", len(kept))
		}

		// The dead process's lock is taken over without a word about it.
		w2 := startWatch(t, bin, vars, "--cores", "1")
		w2.waitSaid(t, 0, "Library up to date")
		second := classifiedPaths(w2.lines(false))
		for _, p := range second {
			if kept[p] {
				t.Errorf("%s was classified again", p)
			}
		}
		if len(second) != len(photos)-len(kept) {
			t.Errorf("the second run classified %d photos; want the %d of %d not kept before the kill", len(second), len(photos)-len(kept), len(photos))
		}
		w2.stop(t)
		if all := inCatalogue(t, cat); len(all) != len(photos) {
			t.Errorf("%d photos in the catalogue; want %d", len(all), len(photos))
		}
		for _, l := range w2.lines(true) {
			if strings.Contains(l, "is indexing the library folders") {
				t.Errorf("the second run waited for the dead one: %q", l)
			}
		}
		t.Logf("first run: %d classified, %d kept before kill -9; second run: %d classified", len(first), len(kept), len(second))
	})

	t.Run("two at once: one indexes, the other says which and takes over", func(t *testing.T) {
		_, vars := env(t)
		root := t.TempDir()
		spotter(t, vars, "library", "add", root)
		a := startWatch(t, bin, vars)
		a.waitSaid(t, 0, "Library up to date")
		b := startWatch(t, bin, vars)
		b.waitSaid(t, 0, fmt.Sprintf("spotter watch (process %d, since ", a.cmd.Process.Pid),
			"is indexing the library folders; this Spotter waits and takes over when it stops.")
		photo := filepath.Join(root, "dog.jpg")
		copyFile(t, inferencetest.Photo(t, "dog.jpg"), photo)
		waitFor(t, 30*time.Second, "the first to classify the photo", func() bool { return len(a.lines(false)) == 1 })
		a.stop(t)
		b.waitSaid(t, 0, "The other Spotter stopped indexing; this one takes over.")
		b.waitSaid(t, 0, "Library up to date")
		copyFile(t, inferencetest.Photo(t, "horses.jpg"), filepath.Join(root, "horses.jpg"))
		waitFor(t, 30*time.Second, "the second to classify the new photo", func() bool { return len(b.lines(false)) == 1 })
		if got := classifiedPaths(b.lines(false)); got[0] != filepath.Join(root, "horses.jpg") {
			t.Errorf("the second classified %q", got)
		}
		b.stop(t)
	})

	t.Run("paused stays paused across a restart", func(t *testing.T) {
		_, vars := env(t)
		root := t.TempDir()
		spotter(t, vars, "library", "add", root)
		spotter(t, vars, "library", "pause")
		w := startWatch(t, bin, vars)
		w.waitSaid(t, 0, "Indexing paused")
		copyFile(t, inferencetest.Photo(t, "giraffe.jpg"), filepath.Join(root, "giraffe.jpg"))
		w.waitSaid(t, 0, "Indexing paused: 0 of 1 done")
		w.stop(t)

		w = startWatch(t, bin, vars)
		w.waitSaid(t, 0, "Indexing paused: 0 of 1 done")
		time.Sleep(2 * time.Second)
		if got := w.lines(false); len(got) != 0 {
			t.Fatalf("classified while paused: %q", got)
		}
		if list := spotter(t, vars, "library", "list"); !strings.Contains(list, "Indexing is paused") {
			t.Errorf("library list:\n%s", list)
		}
		// Resumed from another process.
		spotter(t, vars, "library", "resume")
		waitFor(t, 30*time.Second, "the photo classified after resuming", func() bool { return len(w.lines(false)) == 1 })
		w.stop(t)
	})
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
