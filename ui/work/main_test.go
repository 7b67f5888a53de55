package work_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestMain keeps the tests out of the person's thumbnail cache: the worker
// writes thumbnails file managers reuse.
func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "spotter-work-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
		return m.Run()
	}())
}
