package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/internal/xvfb"
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
	// A server that reports its display but takes no client (seen once in
	// CI, on display 0) is replaced, not tested against.
	for try := 1; ; try++ {
		name, stop, err := xvfb.Start()
		if err != nil {
			t.Fatal(err)
		}
		check := exec.Command("xdotool", "getdisplaygeometry")
		check.Env = append(os.Environ(), "DISPLAY="+name)
		out, err := check.CombinedOutput()
		if err == nil {
			t.Cleanup(stop)
			d.name = name
			break
		}
		stop()
		if try == 3 {
			t.Fatalf("three Xvfb servers took no client: the last, on %s: %v\n%s", name, err, out)
		}
		t.Logf("Xvfb on %s takes no client (%v: %s); starting another", name, err, out)
	}
	// A home of its own: a Pictures folder in the real one would have
	// the first window offer it as a library folder.
	d.env = append(os.Environ(), "HOME="+t.TempDir(), "DISPLAY="+d.name, "LANG=en_US.UTF-8", "XDG_CONFIG_HOME="+t.TempDir(),
		"XDG_DATA_HOME="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir(),
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

func waitFor(t testing.TB, limit time.Duration, what string, cond func() bool) {
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

func buildSpotter(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "spotter")
	// The tag this test was built with: the catalogue needs it (README).
	if out, err := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", bin, ".").CombinedOutput(); err != nil {
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
	return a.waitLines(t, want, 1)[0]
}

// waitLines waits until n lines of the log contain want, and returns them.
func (a *running) waitLines(t *testing.T, want string, n int) []string {
	t.Helper()
	var lines []string
	waitFor(t, 30*time.Second, fmt.Sprintf("%d lines of the log to say %s", n, want), func() bool {
		lines = lines[:0]
		for _, l := range strings.Split(a.logText(), "\n") {
			if strings.Contains(l, want) {
				lines = append(lines, l)
			}
		}
		return len(lines) >= n
	})
	return lines
}

// noErrors fails the test for each error in the log so far.
func (a *running) noErrors(t *testing.T) {
	t.Helper()
	for _, line := range strings.Split(a.logText(), "\n") {
		if strings.Contains(line, "level=ERROR") {
			t.Errorf("the log has an error: %s", line)
		}
	}
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
	dropAndClose(t, d, d.launch(t, buildSpotter(t)), "result.png", 2*time.Second)
}

// dropAndClose drops dog.jpg on the running program's window, checks that
// it is classified and shown (a screenshot, named shotName, of a real
// picture of the window, not a blank screen), then closes the window with
// the window manager's close button and checks that the program ends
// through its worker within limit.
func dropAndClose(t *testing.T, d *display, a *running, shotName string, limit time.Duration) {
	t.Helper()
	wid := strings.Fields(d.run(t, "xdotool", "search", "--sync", "--onlyvisible", "--name", "^Spotter$"))[0]
	a.waitLog(t, "model loaded")

	d.run(t, filepath.Join(d.xdnd, "xdndsend"), wid, "200", "150", inferencetest.Photo(t, "dog.jpg"))
	line := a.waitLog(t, "msg=classified")
	if !containsAny(line, dogBreeds) || !strings.Contains(line, "dog.jpg") {
		t.Errorf("the log does not report a dog breed for dog.jpg: %s", line)
	}

	shot := filepath.Join(screenshotDir(t), shotName)
	checkScreenshot(t, shot, func() { d.run(t, "import", "-window", wid, shot) })

	d.run(t, filepath.Join(d.xdnd, "wmdelete"), wid)
	a.waitExit(t, limit)
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

	// Nothing points at the checkout: no library or model variables, a
	// working directory without build/ or models/, and a fresh place for
	// the settings, the catalogue and the thumbnails.
	installed := func(lang string, args ...string) *exec.Cmd {
		cmd := exec.Command(exe[0], args...)
		cmd.Dir = t.TempDir()
		cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "DISPLAY=" + d.name, "LANG=" + lang,
			"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_DATA_HOME=" + t.TempDir(), "XDG_CACHE_HOME=" + t.TempDir()}
		return cmd
	}
	checkRPATH(t, exe[0])

	// A phone's and a camera's photos from the command line, where most
	// containers' locale is C.UTF-8: nothing on stderr but Spotter's own.
	folder := t.TempDir()
	made := phoneFolder(t, folder)
	cmd := installed("C.UTF-8", "classify", "--json", folder)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("the installed spotter classify: %v\n%s", err, stderr.Bytes())
	} else if stderr.Len() > 0 {
		t.Errorf("the installed spotter classify wrote to stderr:\n%s", stderr.Bytes())
	}
	sameTopLabels(t, made, topLabels(t, stdout.Bytes()))

	// A receipt is read with the Tesseract and the English model the
	// package carries.
	if _, err := os.Stat(filepath.Join(home, ".local", "share", "spotter", "tessdata", "eng.traineddata")); err != nil {
		t.Errorf("the package does not carry Tesseract's English model: %v", err)
	}
	receipt := filepath.Join(inferencetest.Root(t), "..", "shared", "everyday-dev", "document-restaurant-receipt.jpg")
	out, err := installed("C.UTF-8", "classify", "--no-catalog", receipt).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "receipt") {
		t.Errorf("the installed spotter classify on a receipt: %v\n%s", err, out)
	}

	a := start(t, installed("en_US.UTF-8", filepath.Join(folder, "eagle.jpg"), filepath.Join(folder, "IMG_0001.heic")))
	for _, line := range a.waitLines(t, "msg=classified", 2) {
		if f := logFields(t, line); filepath.Base(f["path"]) == "eagle.jpg" && f["label"] != "kite" && !strings.HasPrefix(f["label"], "bald eagle") {
			t.Errorf("the installed app on eagle.jpg: %s", line)
		}
	}
	a.noErrors(t)
	libDir, err := filepath.EvalSymlinks(filepath.Join(home, ".local", "lib", "spotter"))
	if err != nil {
		t.Fatal(err)
	}
	checkCarriedLibraries(t, a.cmd.Process.Pid, libDir)
	checkHelpersLockedDown(t, a.cmd.Process.Pid)
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a.waitExit(t, 2*time.Second)

	// Advice for a checkout ("run `make runtime`") means nothing to a
	// person who installed the package.
	refused := func(what string, cmd *exec.Cmd, want string) {
		t.Helper()
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("%s: spotter classify ended with %v, want exit status 1\n%s", what, err, out)
		}
		if !strings.Contains(string(out), want) || checkoutAdvice.Match(out) {
			t.Errorf("%s: the installed program says %q; want it to name %q and give no advice meant for a source checkout", what, out, want)
		}
	}
	missing := filepath.Join(t.TempDir(), "libonnxruntime.so")
	cmd = installed("C.UTF-8", "classify", filepath.Join(folder, "dog.jpg"))
	cmd.Env = append(cmd.Env, "ONNXRUNTIME_SHARED_LIBRARY_PATH="+missing)
	refused("ONNXRUNTIME_SHARED_LIBRARY_PATH naming a missing file", cmd, missing)
	models := filepath.Join(home, ".local", "share", "spotter", "models")
	if err := os.Rename(models, models+".away"); err != nil {
		t.Fatal(err)
	}
	refused("the installed models removed", installed("C.UTF-8", "classify", filepath.Join(folder, "dog.jpg")), "No model was found")

	runMake("uninstall-user")
	if left, _ := filepath.Glob(filepath.Join(home, ".local", "*", "*spotter*")); len(left) > 0 {
		t.Errorf("uninstall left %q", left)
	}
	if _, err := os.Stat(exe[0]); !os.IsNotExist(err) {
		t.Errorf("uninstall left the program: %v", err)
	}
}

// checkHelpersLockedDown checks the helper processes of the program pid
// (the HEIC's decoder, waiting for work): there is one at least, each
// confined and with none of the person's environment.
func checkHelpersLockedDown(t *testing.T, pid int) {
	t.Helper()
	kids := inferencetest.Children(pid)
	if len(kids) == 0 {
		t.Fatal("the installed program has no helper process after decoding a HEIC")
	}
	for _, kid := range kids {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", kid))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"NoNewPrivs:\t1", "Seccomp:\t2"} {
			if !strings.Contains(string(status), want) {
				t.Errorf("helper %d lacks %q", kid, want)
			}
		}
		environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", kid))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(environ), "HOME=") || !strings.Contains(string(environ), "SPOTTER_HELPER=") {
			t.Errorf("helper %d has the environment %q", kid, environ)
		}
	}
}

// checkoutAdvice is advice that only helps in a source checkout.
var checkoutAdvice = regexp.MustCompile("`make|\\bmake (runtime|model|deps|build|run|package)\\b")

// checkRPATH checks that the program finds its libraries in the package's
// lib/spotter wherever it is installed. It must be DT_RPATH: the loader
// searches a DT_RUNPATH only for the program's own libraries, and libde265,
// dav1d and aom are libheif's.
func checkRPATH(t *testing.T, exe string) {
	t.Helper()
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rpath, err := f.DynString(elf.DT_RPATH)
	if err != nil {
		t.Fatal(err)
	}
	runpath, err := f.DynString(elf.DT_RUNPATH)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rpath, []string{"$ORIGIN/../lib/spotter"}) || len(runpath) > 0 {
		t.Errorf("the installed program has RPATH %q and RUNPATH %q, want RPATH $ORIGIN/../lib/spotter alone", rpath, runpath)
	}
}

// carried matches the libraries the package carries in lib/spotter (the
// Makefile's package target copies those the program links).
var carried = regexp.MustCompile(`^lib(heif|de265|dav1d|aom|x265|numa|lcms2|gomp|jxl|jxl_threads|hwy|brotli[a-z]*|tesseract|lept|archive|gif|openjp2|webpmux)\.so`)

// checkCarriedLibraries proves the running program pid uses the package's
// own copies of the libraries it carries, not the system's: each one mapped
// into the process comes from dir, and the codecs are all mapped.
func checkCarriedLibraries(t *testing.T, pid int, dir string) {
	t.Helper()
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var system []string
	for _, line := range strings.Split(string(maps), "\n") {
		// address perms offset dev inode path
		fields := strings.Fields(line)
		if len(fields) < 6 {
			continue
		}
		path := strings.Join(fields[5:], " ")
		m := carried.FindStringSubmatch(filepath.Base(path))
		if m == nil {
			continue
		}
		seen[m[1]] = true
		if filepath.Dir(path) != dir && !slices.Contains(system, path) {
			system = append(system, path)
		}
	}
	if len(system) > 0 {
		t.Errorf("the installed program uses copies from outside its package's %s:\n%s", dir, strings.Join(system, "\n"))
	}
	for _, lib := range []string{"heif", "de265", "dav1d", "aom", "jxl", "lcms2", "tesseract", "lept"} {
		if !seen[lib] {
			t.Errorf("lib%s is not mapped into the installed program, so nothing shows which copy it uses", lib)
		}
	}
}

// topLabels reads `spotter classify --json` output: each photo's top-1
// label by path. An error record fails the test.
func topLabels(t *testing.T, out []byte) map[string]string {
	t.Helper()
	labels := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var rec struct {
			Path        string
			Error       string
			Predictions []struct{ Label string }
		}
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("spotter classify --json: %v\n%s", err, out)
		}
		if rec.Error != "" || len(rec.Predictions) == 0 {
			t.Errorf("%s: no prediction: %s", rec.Path, rec.Error)
			continue
		}
		labels[rec.Path] = rec.Predictions[0].Label
	}
	return labels
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
