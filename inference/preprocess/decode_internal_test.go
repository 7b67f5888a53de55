package preprocess

import (
	"io/fs"
	"strings"
	"syscall"
	"testing"
)

// Root reads any file whatever its mode, so a chmod 000 file cannot produce
// "permission denied" in CI: the message is checked on the error the
// operating system returns to everyone else.
func TestOpenErrorPermissionDenied(t *testing.T) {
	err := openError("/x/secret.jpg", &fs.PathError{Op: "open", Path: "/x/secret.jpg", Err: syscall.EACCES})
	if !strings.Contains(err.Error(), "not allowed to read secret.jpg (permission denied)") {
		t.Errorf("openError(EACCES) = %v", err)
	}
}
