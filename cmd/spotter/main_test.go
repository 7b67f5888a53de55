package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain keeps the tests away from the person's own catalogue and
// thumbnail cache: every command run in process, and every program
// started, sees fresh XDG folders unless a test chooses its own.
func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "spotter-test-home-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		os.Unsetenv("SPOTTER_CATALOG")
		for _, v := range []string{"XDG_DATA_HOME", "XDG_CACHE_HOME"} {
			if err := os.MkdirAll(dir+"/"+v, 0o700); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			os.Setenv(v, dir+"/"+v)
		}
		return m.Run()
	}())
}
