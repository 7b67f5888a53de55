package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
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
		// The Go build cache lives under XDG_CACHE_HOME by default: pin it
		// first, or the tests that build the program would start cold.
		if os.Getenv("GOCACHE") == "" {
			out, err := exec.Command("go", "env", "GOCACHE").Output()
			if err != nil {
				fmt.Fprintln(os.Stderr, "go env GOCACHE:", err)
				return 1
			}
			os.Setenv("GOCACHE", strings.TrimSpace(string(out)))
		}
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
