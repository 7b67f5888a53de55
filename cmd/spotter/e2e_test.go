package main

import (
	"bufio"
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
)

// These tests run the real program in a real X11 window under Xvfb and
// drive it as a person would: a drag and drop from "a file manager" (the
// XDND tool in ../shared/tools/xdnd) and the window manager's close button.

type display struct {
	name string
	xdnd string // folder with xdndsend and wmdelete
	env  []string
}

func startDisplay(t *testing.T) *display {
	t.Helper()
	for _, tool := range []string{"Xvfb", "xdotool", "import", "gcc"} {
		_, err := exec.LookPath(tool)
		inferencetest.Need(t, err == nil, tool+" (apt-get install xvfb xdotool imagemagick gcc)")
	}
	src := filepath.Join(inferencetest.Root(t), "..", "shared", "tools", "xdnd")
	_, err := os.Stat(src)
	inferencetest.Need(t, err == nil, "../shared/tools/xdnd")
	d := &display{xdnd: t.TempDir()}
	for _, tool := range []string{"xdndsend", "wmdelete"} {
		out, err := exec.Command("gcc", "-O2", "-o", filepath.Join(d.xdnd, tool), filepath.Join(src, tool+".c"), "-lX11").CombinedOutput()
		if err != nil {
			t.Fatalf("building %s: %v\n%s", tool, err, out)
		}
	}
	n := 90
	for ; n < 200; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); os.IsNotExist(err) {
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); os.IsNotExist(err) {
				break
			}
		}
	}
	d.name = fmt.Sprintf(":%d", n)
	x := exec.Command("Xvfb", d.name, "-screen", "0", "1024x768x24", "-nolisten", "tcp")
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = x.Process.Kill()
		_ = x.Wait()
	})
	waitFor(t, 10*time.Second, "Xvfb to listen", func() bool {
		_, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n))
		return err == nil
	})
	d.env = append(os.Environ(), "DISPLAY="+d.name, "LANG=en_US.UTF-8", "XDG_CONFIG_HOME="+t.TempDir(),
		"ONNXRUNTIME_SHARED_LIBRARY_PATH="+inferencetest.Library(t), "SPOTTER_MODEL="+inferencetest.Descriptor(t))
	return d
}

func (d *display) run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = d.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// running is the program under test with its log (stderr) collected.
type running struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	log    strings.Builder
	exited chan error
}

func buildSpotter(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "spotter")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func (d *display) launch(t *testing.T, bin string, args ...string) *running {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = d.env
	return start(t, cmd)
}

// start runs cmd and collects its log.
func start(t *testing.T, cmd *exec.Cmd) *running {
	t.Helper()
	a := &running{cmd: cmd, exited: make(chan error, 1)}
	stderr, err := a.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			a.mu.Lock()
			a.log.WriteString(sc.Text() + "\n")
			a.mu.Unlock()
		}
		a.exited <- a.cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = a.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("spotter's log:\n%s", a.logText())
		}
	})
	return a
}

func (a *running) logText() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.log.String()
}

func (a *running) waitLog(t *testing.T, want string) string {
	t.Helper()
	var line string
	waitFor(t, 30*time.Second, "the log to say "+want, func() bool {
		for _, l := range strings.Split(a.logText(), "\n") {
			if strings.Contains(l, want) {
				line = l
				return true
			}
		}
		return false
	})
	return line
}

// waitExit asserts the program ends within limit, as a person closing the
// window expects, with status 0.
func (a *running) waitExit(t *testing.T, limit time.Duration) {
	t.Helper()
	start := time.Now()
	select {
	case err := <-a.exited:
		if err != nil {
			t.Errorf("spotter exited with %v", err)
		}
		t.Logf("spotter exited %v after being asked to", time.Since(start).Round(time.Millisecond))
	case <-time.After(limit):
		t.Fatalf("spotter still runs %v after being asked to close", limit)
	}
}

var dogBreeds = []string{"malamute", "Eskimo dog", "Siberian husky"}

func TestWindowDropAndClose(t *testing.T) {
	d := startDisplay(t)
	a := d.launch(t, buildSpotter(t))
	wid := strings.Fields(d.run(t, "xdotool", "search", "--sync", "--onlyvisible", "--name", "^Spotter$"))[0]
	a.waitLog(t, "model loaded")

	d.run(t, filepath.Join(d.xdnd, "xdndsend"), wid, "200", "150", inferencetest.Photo(t, "dog.jpg"))
	line := a.waitLog(t, "msg=classified")
	if !containsAny(line, dogBreeds) || !strings.Contains(line, "dog.jpg") {
		t.Errorf("the log does not report a dog breed for dog.jpg: %s", line)
	}

	// What a person sees: save it, and check it is a real picture of the
	// window, not a blank screen.
	shot := filepath.Join(screenshotDir(t), "result.png")
	checkScreenshot(t, shot, func() { d.run(t, "import", "-window", wid, shot) })

	d.run(t, filepath.Join(d.xdnd, "wmdelete"), wid)
	a.waitExit(t, 2*time.Second)
	if !strings.Contains(a.logText(), "msg=closed") {
		t.Error("the program did not shut down through its worker")
	}
}

func TestOpenFileArgumentAndSIGTERM(t *testing.T) {
	d := startDisplay(t)
	a := d.launch(t, buildSpotter(t), inferencetest.Photo(t, "eagle.jpg"))
	line := a.waitLog(t, "msg=classified")
	if !strings.Contains(line, "label=kite") && !strings.Contains(line, "bald eagle") {
		t.Errorf("eagle.jpg given on the command line: %s", line)
	}
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a.waitExit(t, 2*time.Second)
	if !strings.Contains(a.logText(), "msg=closed") {
		t.Error("SIGTERM did not shut down through the worker")
	}
}

// Closing the window while a 81-megapixel photo is still being decoded must
// not wait for the decode: the process ends within 2 s.
func TestCloseDuringWork(t *testing.T) {
	d := startDisplay(t)
	big := filepath.Join(t.TempDir(), "big.jpg")
	d.run(t, "convert", inferencetest.Photo(t, "dog.jpg"), "-scale", "9000x9000!", "-quality", "85", big)
	a := d.launch(t, buildSpotter(t))
	wid := strings.Fields(d.run(t, "xdotool", "search", "--sync", "--onlyvisible", "--name", "^Spotter$"))[0]
	a.waitLog(t, "model loaded")
	d.run(t, filepath.Join(d.xdnd, "xdndsend"), wid, "200", "150", big)
	a.waitLog(t, "msg=classifying")
	d.run(t, filepath.Join(d.xdnd, "wmdelete"), wid)
	a.waitExit(t, 2*time.Second)
	log := a.logText()
	if strings.Contains(log, "msg=classified") {
		t.Log("the photo finished before the close arrived; the close still had to be prompt")
	}
	if !strings.Contains(log, "msg=closed") {
		t.Error("the program did not shut down through its worker")
	}
}

// The package a person downloads: installed into a fresh home with its own
// Makefile, started from its menu entry's Exec line with a photo, as a file
// manager's "Open with Spotter" does. It must find its bundled ONNX Runtime
// and model with nothing set in the environment.
func TestInstalledPackage(t *testing.T) {
	pkg := filepath.Join(inferencetest.Root(t), "build", "Spotter-linux-amd64.tar.xz")
	_, err := os.Stat(pkg)
	inferencetest.Need(t, err == nil, "the package (make package)")
	d := startDisplay(t)
	home, unpacked := t.TempDir(), t.TempDir()
	if out, err := exec.Command("tar", "-xJf", pkg, "-C", unpacked).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	runMake := func(target string) {
		cmd := exec.Command("make", "-C", filepath.Join(unpacked, "spotter"), target)
		cmd.Env = append(os.Environ(), "HOME="+home)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v\n%s", target, err, out)
		}
	}
	runMake("install-user")
	entry, err := os.ReadFile(filepath.Join(home, ".local", "share", "applications", "app.spotter.Spotter.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	var exe []string
	for _, line := range strings.Split(string(entry), "\n") {
		if rest, ok := strings.CutPrefix(line, "Exec="); ok {
			exe = strings.Fields(rest)
		}
	}
	if len(exe) != 2 || exe[0] != filepath.Join(home, ".local", "bin", "spotter") || exe[1] != "%F" {
		t.Fatalf("menu entry Exec = %q, want the installed program with %%F", exe)
	}
	for _, want := range []string{"MimeType=image/jpeg;", "Categories=Graphics;", "Icon=app.spotter.Spotter"} {
		if !strings.Contains(string(entry), want) {
			t.Errorf("the menu entry lacks %q:\n%s", want, entry)
		}
	}
	if _, err := os.Stat(filepath.Join(home, ".local", "share", "icons", "hicolor", "256x256", "apps", "app.spotter.Spotter.png")); err != nil {
		t.Error(err)
	}

	// Nothing points at the checkout: no library or model variables, and a
	// working directory without build/ or models/.
	cmd := exec.Command(exe[0], inferencetest.Photo(t, "eagle.jpg"))
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "DISPLAY=" + d.name, "LANG=en_US.UTF-8", "XDG_CONFIG_HOME=" + t.TempDir()}
	a := start(t, cmd)
	line := a.waitLog(t, "msg=classified")
	if !strings.Contains(line, "label=kite") && !strings.Contains(line, "bald eagle") {
		t.Errorf("the installed app on eagle.jpg: %s", line)
	}
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a.waitExit(t, 2*time.Second)

	runMake("uninstall-user")
	if left, _ := filepath.Glob(filepath.Join(home, ".local", "*", "*spotter*")); len(left) > 0 {
		t.Errorf("uninstall left %q", left)
	}
	if _, err := os.Stat(exe[0]); !os.IsNotExist(err) {
		t.Errorf("uninstall left the program: %v", err)
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// screenshotDir is SPOTTER_SCREENSHOTS when set (make test keeps them in
// build/screenshots), else a temporary folder.
func screenshotDir(t *testing.T) string {
	if dir := os.Getenv("SPOTTER_SCREENSHOTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// checkScreenshot takes screenshots into path until one shows the photo
// (the preview's frame may still be drawing on a busy machine), for up to
// 10 s.
func checkScreenshot(t *testing.T, path string, take func()) {
	t.Helper()
	var n int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		take()
		if n = colours(t, path); n >= 500 {
			t.Logf("screenshot: %s", path)
			return
		}
	}
	// The photo's preview alone brings thousands of colours; an empty or
	// black screen has a handful.
	t.Errorf("screenshot %s has only %d colours: the window did not render the photo", path, n)
}

// colours counts the distinct colours in a sample of a PNG's pixels.
func colours(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	seen := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[(r>>8)<<16|(g>>8)<<8|bl>>8] = true
		}
	}
	return len(seen)
}
