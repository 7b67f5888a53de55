//go:build linux

// Package wine runs Spotter's Windows build under Wine, for the tests and
// benches that check it on Linux: a prefix (Wine's C: drive and registry)
// of its own in a temporary folder, made ready for Go programs.
package wine

import (
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// prngSource is a stand-in for bcryptprimitives.dll, which Wine 8.0 lacks
// and Go 1.24 and later need (prng/prng.c says more).
//
//go:embed prng/prng.c
var prngSource []byte

// A Prefix is one Wine prefix, its own wineserver with it.
type Prefix struct {
	Dir string
	env []string
}

// New makes a prefix in dir, which must be empty or absent; env is the
// environment its programs start with (DISPLAY for a window), WINEPREFIX
// and a quiet WINEDEBUG added. It takes about 12 s here.
func New(dir string, env []string) (*Prefix, error) {
	for _, tool := range []string{"wine", "wineboot", "wineserver", "x86_64-w64-mingw32-gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s is missing (apt-get install wine wine64 gcc-mingw-w64-x86-64): %w", tool, err)
		}
	}
	// Spotter's own variables name Linux files (the ONNX Runtime library,
	// a model) that the Windows build must not be sent to.
	env = slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		return strings.HasPrefix(kv, "SPOTTER_") || strings.HasPrefix(kv, "ONNXRUNTIME_") || strings.HasPrefix(kv, "WINE")
	})
	p := &Prefix{Dir: dir, env: append(env, "WINEPREFIX="+dir, "WINEDEBUG=-all", "WINEDLLOVERRIDES=winemenubuilder.exe=d")}
	if out, err := p.Command("wineboot", "-i").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("wineboot -i: %v\n%s", err, out)
	}
	if err := p.Wait(); err != nil {
		return nil, err
	}
	src := filepath.Join(dir, "prng.c")
	if err := os.WriteFile(src, prngSource, 0o644); err != nil {
		return nil, err
	}
	defer os.Remove(src)
	dll := filepath.Join(dir, "drive_c", "windows", "system32", "bcryptprimitives.dll")
	if out, err := exec.Command("x86_64-w64-mingw32-gcc", "-shared", "-O2", "-o", dll, src, "-ladvapi32").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building bcryptprimitives.dll: %v\n%s", err, out)
	}
	return p, nil
}

// Command runs a Wine tool (wineboot, wineserver) or, through wine, a
// Windows program (a path on Linux, or one in the prefix).
func (p *Prefix) Command(name string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if strings.HasPrefix(name, "wine") && !strings.ContainsRune(name, '/') {
		cmd = exec.Command(name, args...)
	} else {
		cmd = exec.Command("wine", append([]string{name}, args...)...)
	}
	cmd.Env = p.env
	return cmd
}

// Wait waits until every program in the prefix has ended: an installer's
// uninstaller copies itself away and runs on after the first one returns.
func (p *Prefix) Wait() error {
	if out, err := p.Command("wineserver", "-w").CombinedOutput(); err != nil {
		return fmt.Errorf("wineserver -w: %v\n%s", err, out)
	}
	return nil
}

// Close stops whatever still runs in the prefix.
func (p *Prefix) Close() {
	p.Command("wineserver", "-k").Run()
}

// Path is the Windows path of a Linux one: Wine's Z: drive is /.
func Path(linux string) string {
	abs, err := filepath.Abs(linux)
	if err != nil {
		abs = linux
	}
	return "Z:" + strings.ReplaceAll(abs, "/", `\`)
}

// LocalAppData is the prefix's %LOCALAPPDATA%, on Linux.
func (p *Prefix) LocalAppData() string {
	user := os.Getenv("USER")
	if user == "" {
		user = "root"
	}
	if u, err := os.ReadDir(filepath.Join(p.Dir, "drive_c", "users")); err == nil {
		for _, e := range u {
			if e.Name() != "Public" && e.IsDir() {
				user = e.Name()
			}
		}
	}
	return filepath.Join(p.Dir, "drive_c", "users", user, "AppData", "Local")
}
