package ortlib

import (
	"debug/pe"
	"errors"
	"runtime"

	"golang.org/x/sys/windows"
)

// wrongBinary explains a DLL Windows refused when the file, or the
// refusal, shows why. onnxruntime.dll needs the Visual C++ runtime's DLLs,
// which most computers have but a fresh Windows may not; Windows then
// says only that "the specified module could not be found", of a file
// that is plainly there.
func wrongBinary(path string, err error) string {
	f, openErr := pe.Open(path)
	if openErr != nil {
		return "it is not a DLL (" + openErr.Error() + ")"
	}
	defer f.Close()
	if runtime.GOARCH == "amd64" && f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		return "it is built for another kind of processor than this computer's (x64)"
	}
	if errors.Is(err, windows.ERROR_MOD_NOT_FOUND) {
		return "a DLL it needs is missing, most likely the Microsoft Visual C++ Redistributable (x64): install it from https://aka.ms/vs/17/release/vc_redist.x64.exe and start Spotter again"
	}
	return ""
}
