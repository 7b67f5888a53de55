package sidecar

import (
	"os"
	"syscall"
)

// noFollow opens no sidecar through a link put in its place.
const noFollow = syscall.O_NOFOLLOW | syscall.O_CLOEXEC

// The errors failed explains.
var (
	diskFull = []error{syscall.ENOSPC, syscall.EDQUOT}
	readOnly = []error{syscall.EROFS, syscall.EACCES, syscall.EPERM}
)

// keepOwner gives the new sidecar the old one's owner and group. Only root
// can give a file away; anyone else's copy stays their own.
func keepOwner(f *os.File, old os.FileInfo) {
	if st, ok := old.Sys().(*syscall.Stat_t); ok {
		f.Chown(int(st.Uid), int(st.Gid))
	}
}
