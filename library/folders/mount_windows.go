package folders

import (
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// mountPoint is the root of the volume path is on: a drive ("E:\"), a
// share ("\\server\share\"), or the folder an NTFS volume is mounted on,
// which stays behind empty when the volume goes, as a Linux mount point
// does. The drive or share path names when Windows cannot tell.
func mountPoint(path string) string {
	root := filepath.VolumeName(path) + `\`
	name, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return root
	}
	buf := make([]uint16, windows.MAX_LONG_PATH)
	if windows.GetVolumePathName(name, &buf[0], uint32(len(buf))) != nil {
		return root
	}
	mount := windows.UTF16ToString(buf)
	// A folder's mount point without the trailing \, so that Within and
	// Present compare it as the folder it is; a drive's keeps it ("E:"
	// alone is the current folder on E:).
	if mount != filepath.VolumeName(mount)+`\` {
		mount = strings.TrimSuffix(mount, `\`)
	}
	return mount
}
