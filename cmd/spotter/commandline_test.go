package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
)

// runMain runs the command line in process, as main does.
func runMain(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestClosestCommand(t *testing.T) {
	for word, want := range map[string]string{
		"clasify": "classify", "CLASIFY": "classify", "classfy": "classify", "calssify": "classify",
		"serach": "search", "seach": "search", "tga": "tag", "ta": "tag", "verison": "version", "hlep": "help",
		"cat": "", "foo": "", "x": "", "photo": "", "holiday": "",
	} {
		if got := closest(word); got != want {
			t.Errorf("closest(%q) = %q; want %q", word, got, want)
		}
	}
}

// A mistyped command says so and suggests the command meant; it never
// opens a window on a photo of that name.
func TestMistypedCommand(t *testing.T) {
	photo := filepath.Join(t.TempDir(), "photo.jpg")
	if err := os.WriteFile(photo, []byte("jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	for args, want := range map[string]string{
		"clasify " + photo:     `spotter: unknown command "clasify"; did you mean "classify"? Run spotter help to list the commands.` + "\n",
		"--no-text serach dog": `spotter: unknown command "serach"; did you mean "search"? Run spotter help to list the commands.` + "\n",
		"holiday":              `spotter: unknown command "holiday", and there is no file or folder of that name. Run spotter help to list the commands.` + "\n",
		"help tga":             `spotter: unknown command "tga"; did you mean "tag"? Run spotter help to list the commands.` + "\n",
	} {
		code, out, errs := runMain(strings.Fields(args)...)
		if code != 2 || errs != want || out != "" {
			t.Errorf("spotter %s: exit %d, stdout %q, stderr %q; want 2 and %q", args, code, out, errs, want)
		}
	}
}

// What exists opens in the window, whatever it is called; a path that does
// not exist is reported as such, with no suggestion of a command.
func TestWindowArguments(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, name := range []string{"photo.jpg", "clasify"} {
		if err := os.WriteFile(name, []byte("jpeg"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for args, wantPaths := range map[string][]string{
		"photo.jpg":                  {"photo.jpg"},
		"--no-text photo.jpg " + dir: {"photo.jpg", dir},
		"clasify":                    {"clasify"},
		"":                           nil,
	} {
		var out, errb bytes.Buffer
		opts, code, done := route(strings.Fields(args), &out, &errb)
		if done || !slices.Equal(opts.paths, wantPaths) || out.Len()+errb.Len() > 0 {
			t.Errorf("spotter %s: done %v (exit %d), paths %q, output %q %q; want the window on %q", args, done, code, opts.paths, out.String(), errb.String(), wantPaths)
		}
		if want := strings.HasPrefix(args, "--no-text"); opts.engine.noText != want {
			t.Errorf("spotter %s: the window's --no-text is %v", args, opts.engine.noText)
		}
	}
	for args, want := range map[string]string{
		"missing.jpg":             "spotter: there is no file or folder missing.jpg: check its path\n",
		"photo.jpg holiday/":      "spotter: there is no file or folder holiday/: check its path\n",
		"-- clasfy":               "spotter: there is no file or folder clasfy: check its path\n",
		"./classify missing.heic": "spotter: there is no file or folder ./classify: check its path\nspotter: there is no file or folder missing.heic: check its path\n",
	} {
		if code, out, errs := runMain(strings.Fields(args)...); code != 2 || errs != want || out != "" {
			t.Errorf("spotter %s: exit %d, stdout %q, stderr %q; want 2 and %q", args, code, out, errs, want)
		}
	}
}

// The window's flags before a command go to the command.
func TestFlagsBeforeCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "none.db")
	code, _, errs := runMain("--catalog", db, "search", "dog")
	if code != 1 || !strings.Contains(errs, "there is no catalogue at "+db) {
		t.Errorf("spotter --catalog %s search dog: exit %d, stderr %q; want search to look in %s", db, code, errs, db)
	}
}

// spotter help COMMAND is spotter COMMAND -h, on stdout; every command's
// help has examples; spotter help is spotter -h, and lists every command.
func TestHelp(t *testing.T) {
	for _, name := range commandNames() {
		hCode, hOut, dashH := runMain(name, "-h")
		code, out, errs := runMain("help", name)
		if hCode != 0 || code != 0 || hOut != "" || errs != "" {
			t.Errorf("%s -h: exit %d, stdout %q; help %s: exit %d, stderr %q; want 0 and the usage alone", name, hCode, hOut, name, code, errs)
		}
		if out != dashH || !strings.HasPrefix(out, "Usage: spotter "+name) || !strings.Contains(out, "\nExamples:\n  spotter "+name) {
			t.Errorf("help %s:\n%s\n%s -h:\n%s\nwant the same usage with examples", name, out, name, dashH)
		}
	}
	code, out, _ := runMain("help")
	hCode, _, dashH := runMain("-h")
	if code != 0 || hCode != 0 || out != dashH || !strings.Contains(out, "\nExamples:\n  spotter ") || !strings.Contains(out, "-no-catalog") {
		t.Errorf("help: exit %d\n%s\n-h: exit %d\n%s\nwant the same overview, with the window's flags and examples", code, out, hCode, dashH)
	}
	for name, c := range commands {
		if !regexp.MustCompile(`(?m)^  ` + name + ` +` + regexp.QuoteMeta(c.summary) + `$`).MatchString(out) {
			t.Errorf("help does not list %s with its summary %q:\n%s", name, c.summary, out)
		}
	}
	if code, _, errs := runMain("help", "classify", "search"); code != 2 || !strings.Contains(errs, "Usage: spotter help") {
		t.Errorf("help with two commands: exit %d, stderr %q; want 2 and help's usage", code, errs)
	}
}

// spotter version names Spotter's version, ONNX Runtime's, each model's
// file with its digest, and Tesseract's languages; --version is the same.
func TestVersion(t *testing.T) {
	lib := inferencetest.Library(t)
	t.Setenv("SPOTTER_MODEL", inferencetest.Descriptor(t))
	defer func(v string) { version = v }(version)
	version = "1.2.3-test"

	code, out, errs := runMain("version")
	if code != 0 || errs != "" {
		t.Fatalf("version: exit %d, stderr %q", code, errs)
	}
	weights, err := os.ReadFile(filepath.Join(inferencetest.Root(t), "models", "mobilenet_v2_1.0_224_quant", "model.qdq.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(weights)
	for _, want := range []string{
		"Spotter 1.2.3-test (go",
		"ONNX Runtime ",
		", from " + lib + "\n",
		"MobileNetV2 1.0/224, quantised",
		"yolox_nano.onnx",
		"yunet_s_dynamic.onnx",
		"\nTesseract languages: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("version has no %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^ONNX Runtime \d+\.\d+\.\d+, from `).MatchString(out) {
		t.Errorf("version does not give ONNX Runtime's version number:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^  classifier +MobileNetV2 .*model\.qdq\.onnx +sha256 ` + hex.EncodeToString(sum[:])[:12] + `$`).MatchString(out) {
		t.Errorf("version does not give the classifier's file and the start of its SHA-256 (%x):\n%s", sum, out)
	}
	if code, dashed, _ := runMain("--version"); code != 0 || dashed != out {
		t.Errorf("--version: exit %d\n%s\nwant the same as version:\n%s", code, dashed, out)
	}
}

// Without a library or a model, version says what is missing in their
// place, and still succeeds.
func TestVersionWithoutLibraryOrModel(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runMain("version", "--ort-lib", filepath.Join(dir, "libonnxruntime.so"), "--model", filepath.Join(dir, "model.json"))
	if code != 0 || errs != "" {
		t.Errorf("version: exit %d, stderr %q; want 0", code, errs)
	}
	for _, want := range []string{
		"Spotter " + version,
		"\nONNX Runtime: The ONNX Runtime library was not found at " + filepath.Join(dir, "libonnxruntime.so"),
		"\nModels: none usable (The model " + filepath.Join(dir, "model.json") + " does not exist",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("version has no %q:\n%s", want, out)
		}
	}
	if code, _, errs := runMain("version", "extra"); code != 2 || !strings.Contains(errs, "Usage: spotter version") {
		t.Errorf("version extra: exit %d, stderr %q; want 2 and the usage", code, errs)
	}
}

func TestXAddresses(t *testing.T) {
	local := func(n string) []socketAddress {
		return []socketAddress{{"unix", "@/tmp/.X11-unix/X" + n}, {"unix", "/tmp/.X11-unix/X" + n}}
	}
	for display, want := range map[string][]socketAddress{
		":0":                local("0"),
		":1.0":              local("1"),
		"unix:12":           local("12"),
		"unix/:3":           local("3"),
		"localhost:10.0":    {{"tcp", "localhost:6010"}},
		"tcp/example.org:2": {{"tcp", "example.org:6002"}},
		"[::1]:1":           {{"tcp", "[::1]:6001"}},
		"host::0":           nil, // DECnet
		"/private/tmp/x:0":  nil, // XQuartz's socket path
		"nonsense":          nil,
		":x":                nil,
		":-1":               nil,
	} {
		if got := xAddresses(display); !slices.Equal(got, want) {
			t.Errorf("xAddresses(%q) = %v; want %v", display, got, want)
		}
	}
}

// listenX listens where the X display :N would, on Linux's abstract socket
// (which leaves no file behind) and on localhost's TCP port, for an N free
// on both.
func listenX(t *testing.T) (n int, unix, tcp net.Listener) {
	t.Helper()
	for n = 4000; n < 4100; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); !errors.Is(err, os.ErrNotExist) {
			continue
		}
		u, err := net.Listen("unix", fmt.Sprintf("@/tmp/.X11-unix/X%d", n))
		if err != nil {
			continue
		}
		c, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", 6000+n))
		if err != nil {
			u.Close()
			continue
		}
		return n, u, c
	}
	t.Fatal("no X display number between 4000 and 4100 is free")
	return
}

func TestDisplayProblem(t *testing.T) {
	env := func(vars ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(vars); i += 2 {
				if vars[i] == k {
					return vars[i+1]
				}
			}
			return ""
		}
	}
	if p := displayProblem(env()); !strings.Contains(p, "neither DISPLAY nor WAYLAND_DISPLAY is set") {
		t.Errorf("no display: %q", p)
	}
	if p := displayProblem(env("WAYLAND_DISPLAY", "wayland-0")); p != "" {
		t.Errorf("a Wayland session, left to GLFW: %q", p)
	}
	n, unix, tcp := listenX(t)
	for _, display := range []string{fmt.Sprintf(":%d", n), fmt.Sprintf("localhost:%d.0", n)} {
		if p := displayProblem(env("DISPLAY", display)); p != "" {
			t.Errorf("DISPLAY=%s with a server listening: %q", display, p)
		}
	}
	unix.Close()
	tcp.Close()
	for _, display := range []string{fmt.Sprintf(":%d", n), fmt.Sprintf("localhost:%d.0", n)} {
		if p := displayProblem(env("DISPLAY", display)); !strings.HasPrefix(p, "no X server answers at DISPLAY="+display+" (") {
			t.Errorf("DISPLAY=%s with nothing there: %q", display, p)
		}
	}
}

func TestFromGLFW(t *testing.T) {
	type localError struct{ error }
	for _, r := range []any{"a string", errors.New("an error"), &localError{}, nil} {
		if fromGLFW(r) {
			t.Errorf("fromGLFW(%#v) is true; only GLFW's own panics are", r)
		}
	}
}

// The real program, with no display or one it cannot use, ends in one line
// that says so and names the commands: no panic, no stack trace, exit 2.
// (The X server here accepts and hangs up, as one refusing Spotter does:
// the check before Fyne starts passes, and GLFW's panic is recovered.)
func TestNoDisplay(t *testing.T) {
	bin := buildSpotter(t)
	photo := filepath.Join(t.TempDir(), "photo.jpg")
	if err := os.WriteFile(photo, []byte("jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, v := range os.Environ() {
		if !strings.HasPrefix(v, "DISPLAY=") && !strings.HasPrefix(v, "WAYLAND_DISPLAY=") {
			env = append(env, v)
		}
	}
	n, unix, refusing := listenX(t)
	unix.Close()
	defer refusing.Close()
	go func() {
		for {
			c, err := refusing.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	commandList := "spotter " + strings.Join(commandNames(), ", ")
	for _, tc := range []struct {
		name, display string
		args          []string
		want          string
		// glfwLog: GLFW logs its own reason first, on a line of the log.
		glfwLog bool
	}{
		{"none", "", nil, "spotter: the window needs a graphical session, and there is none here", false},
		{"none, a photo named", "", []string{photo}, "spotter: the window needs a graphical session, and there is none here", false},
		{"none, a command mistyped", "", []string{"clasify", photo}, `spotter: unknown command "clasify"; did you mean "classify"?`, false},
		{"nothing there", fmt.Sprintf("DISPLAY=127.0.0.1:%d", n+1), nil,
			fmt.Sprintf("spotter: the window needs a graphical session, and no X server answers at DISPLAY=127.0.0.1:%d", n+1), false},
		{"refused", fmt.Sprintf("DISPLAY=127.0.0.1:%d", n), nil,
			fmt.Sprintf("spotter: the window needs a graphical session, and the X display 127.0.0.1:%d could not be opened (GLFW: ", n), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = env
			if tc.display != "" {
				cmd.Env = append(slices.Clone(env), tc.display)
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Errorf("spotter %q: %v; want exit status 2", tc.args, err)
			}
			errs := stderr.String()
			if strings.Contains(errs, "panic") || strings.Contains(errs, "goroutine") || stdout.Len() > 0 {
				t.Errorf("spotter %q: stdout %q, stderr:\n%s", tc.args, stdout.String(), errs)
			}
			lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
			if tc.glfwLog && len(lines) == 2 && strings.Contains(lines[0], `level=INFO msg="PlatformError: X11`) {
				lines = lines[1:]
			}
			last := lines[len(lines)-1]
			if len(lines) != 1 || !strings.HasPrefix(last, tc.want) {
				t.Errorf("spotter %q: stderr\n%s\nwant one line starting %q", tc.args, errs, tc.want)
			}
			if !strings.HasPrefix(tc.want, "spotter: unknown command") && !strings.Contains(last, commandList) {
				t.Errorf("spotter %q: %q does not name the commands that work without a display (%s)", tc.args, last, commandList)
			}
		})
	}
}
