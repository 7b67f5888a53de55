package sidecar

import (
	"os"
	"syscall"

	"golang.org/x/sys/windows"
)

// noFollow opens a link (any reparse point) put in the sidecar's place as
// itself, not what it points to: Windows has no O_NOFOLLOW, and load then
// refuses what is not a regular file. A new file made with O_EXCL is never
// followed anyway.
const noFollow = syscall.O_CLOEXEC | windows.O_FILE_FLAG_OPEN_REPARSE_POINT

// The errors failed explains.
var (
	diskFull = []error{windows.ERROR_DISK_FULL, windows.ERROR_HANDLE_DISK_FULL, windows.ERROR_DISK_QUOTA_EXCEEDED}
	readOnly = []error{windows.ERROR_WRITE_PROTECT, windows.ERROR_ACCESS_DENIED}
)

// keepOwner does nothing: a new file's owner is whoever makes it, and its
// permissions are the ones the folder hands down, which Windows lets no
// one but an administrator change for someone else.
func keepOwner(*os.File, os.FileInfo) {}
