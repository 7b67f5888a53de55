package ortlib

import (
	"debug/elf"
	"fmt"
	"runtime"
	"strings"
)

// elfMachines maps Go's architecture names to the ELF machine a shared
// library for them declares.
var elfMachines = map[string]elf.Machine{
	"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "386": elf.EM_386, "arm": elf.EM_ARM,
	"riscv64": elf.EM_RISCV, "ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390,
}

// wrongBinary explains a library the dynamic loader refused when the file
// itself shows why: the loader's own message for a library built for
// another processor is "No such file or directory", which misleads.
func wrongBinary(path string, _ error) string {
	f, err := elf.Open(path)
	if err != nil {
		return "it is not a shared library (" + err.Error() + ")"
	}
	defer f.Close()
	if want, ok := elfMachines[runtime.GOARCH]; ok && f.Machine != want {
		return fmt.Sprintf("it is built for %s processors, but this computer is %s", strings.TrimPrefix(f.Machine.String(), "EM_"), runtime.GOARCH)
	}
	return ""
}
