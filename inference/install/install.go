// Package install tells whether Spotter runs from a source checkout or as
// an installed package, so that advice fits: "run `make runtime`" helps a
// developer and confuses a person who installed the app from its package.
package install

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
)

// module is the first line of the checkout's go.mod.
const module = "module github.com/spotter-app/spotter"

var fromCheckout = sync.OnceValue(func() bool {
	var starts []string
	if exe, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		starts = append(starts, filepath.Dir(exe))
	}
	// `go run` and `go test` build into a temporary folder; the working
	// directory is then inside the checkout.
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, dir := range starts {
		if checkoutAbove(dir) {
			return true
		}
	}
	return false
})

// checkoutAbove looks for Spotter's go.mod in dir and a few folders above
// it: bin/ and cmd/spotter/ are at most two levels down.
func checkoutAbove(dir string) bool {
	for range 4 {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(data, []byte(module)) {
			return true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
	return false
}

// FromCheckout reports whether this program was built and started from a
// Spotter source checkout.
func FromCheckout() bool { return fromCheckout() }

// Advice returns checkout when running from a source checkout, else
// installed.
func Advice(checkout, installed string) string {
	if FromCheckout() {
		return checkout
	}
	return installed
}
