package sidecar

import (
	"os"
	"testing"
)

// newMode is a new file's mode: Windows has only read-only or not.
func newMode(*testing.T) os.FileMode { return 0o666 }
