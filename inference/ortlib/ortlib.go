// Package ortlib finds the ONNX Runtime shared library and keeps the one
// process-wide ONNX Runtime environment alive while anything uses it.
package ortlib

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/spotter-app/spotter/inference/install"
)

// EnvVar names the library explicitly, after the --ort-lib flag.
const EnvVar = "ONNXRUNTIME_SHARED_LIBRARY_PATH"

// LibraryName is the file `make runtime` writes for this operating system.
func LibraryName() string {
	switch runtime.GOOS {
	case "windows":
		return "onnxruntime.dll"
	case "darwin":
		return "libonnxruntime.dylib"
	}
	return "libonnxruntime.so"
}

// Candidates lists where the library is looked for, in order: the flag's
// value, the environment variable, beside the executable, lib/spotter/ of an
// installed package, and the build folder of a source checkout (the
// executable in bin/, or the working directory at the checkout's root).
func Candidates(flagValue string) []string {
	var c []string
	if flagValue != "" {
		c = append(c, flagValue)
	}
	if env := os.Getenv(EnvVar); env != "" {
		c = append(c, env)
	}
	name := LibraryName()
	if exe, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		dir := filepath.Dir(exe)
		c = append(c, filepath.Join(dir, name),
			filepath.Join(dir, "..", "lib", "spotter", name), // an installed package: PREFIX/bin, PREFIX/lib/spotter
			filepath.Join(dir, "..", "build", name))
	}
	return append(c, filepath.Join("build", name))
}

// ErrNotFound means no candidate exists.
var ErrNotFound = errors.New("The ONNX Runtime library was not found")

// Locate returns the first candidate that exists. An explicit choice (flag or
// environment) that does not exist is an error of its own: silently falling
// back to another copy would hide the typo.
func Locate(flagValue string) (string, error) {
	explicit := flagValue
	if explicit == "" {
		explicit = os.Getenv(EnvVar)
	}
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", fmt.Errorf("%w at %s, the path given by --ort-lib or %s. Fix the path, or unset it%s", ErrNotFound, explicit, EnvVar,
				install.Advice(" and run `make runtime`", " to use the library that comes with Spotter"))
		}
		return explicit, nil
	}
	candidates := Candidates("")
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w. %s, or set %s to the library's path (looked in %s)", ErrNotFound,
		install.Advice("Run `make runtime`", "Spotter's package carries it in lib/spotter/: reinstall the package"), EnvVar, strings.Join(candidates, ", "))
}

var env struct {
	sync.Mutex
	users int
	path  string
}

// Acquire makes sure the environment is initialised from the library at
// path and counts one more user of it. Every successful Acquire needs one
// Release.
func Acquire(path string) error {
	env.Lock()
	defer env.Unlock()
	// One library, however its path is spelled.
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if env.users > 0 {
		if path != env.path {
			return fmt.Errorf("ONNX Runtime is already loaded from %s; one process cannot also load %s", env.path, path)
		}
		env.users++
		return nil
	}
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		if why := wrongBinary(path, err); why != "" {
			return fmt.Errorf("The ONNX Runtime library at %s could not be loaded: %s. %s", path, why, fetchRight())
		}
		return fmt.Errorf("The ONNX Runtime library at %s could not be loaded (%v). It may be for another system or a version older than 1.24. %s", path, err, fetchRight())
	}
	env.users, env.path = 1, path
	return nil
}

func fetchRight() string {
	return install.Advice("Run `make runtime` to fetch the right one",
		"Use the one that comes with Spotter (unset "+EnvVar+"), or the official CPU build of ONNX Runtime 1.24 for this system")
}

// Release drops one user and destroys the environment when none is left.
func Release() error {
	env.Lock()
	defer env.Unlock()
	if env.users == 0 {
		return errors.New("ortlib: Release without Acquire")
	}
	env.users--
	if env.users > 0 {
		return nil
	}
	env.path = ""
	return ort.DestroyEnvironment()
}

// Version is the loaded library's version, or "" when none is loaded.
func Version() string {
	env.Lock()
	defer env.Unlock()
	if env.users == 0 {
		return ""
	}
	return ort.GetVersion()
}
