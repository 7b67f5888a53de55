// Command licenses gathers the licences of everything in Spotter's Windows
// package into one folder, with an index (README.txt) that names each
// library, its version, its licence, how it is linked, and the file with
// its text. The Go modules are read from the executable's own build
// information, so the list is what was linked, not what go.mod allows; the
// C libraries from the libraries.tsv assets/windows/libs.sh writes beside
// their licences.
//
//	go run ./assets/windows/licenses -exe spotter.exe -out licenses
package main

import (
	"bufio"
	"debug/buildinfo"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/module"
)

func main() {
	exe := flag.String("exe", "", "the executable whose Go modules to list")
	out := flag.String("out", "", "the licences folder, holding the C libraries' libraries.tsv")
	ortVersion := flag.String("ort", "", "the ONNX Runtime version the package carries")
	flag.Parse()
	if err := gather(*exe, *out, *ortVersion); err != nil {
		fmt.Fprintln(os.Stderr, "licenses:", err)
		os.Exit(1)
	}
}

type entry struct{ name, licence, linked, file string }

func gather(exe, out, ortVersion string) error {
	info, err := buildinfo.ReadFile(exe)
	if err != nil {
		return err
	}
	entries, err := cLibraries(filepath.Join(out, "libraries.tsv"))
	if err != nil {
		return err
	}
	// ONNX Runtime's npm package carries no licence file; its licence is
	// the MIT licence, Microsoft's copyright.
	if err := os.WriteFile(filepath.Join(out, "onnxruntime.txt"), []byte(onnxRuntimeLicence), 0o644); err != nil {
		return err
	}
	entries = append(entries, entry{"ONNX Runtime " + ortVersion, "MIT", "onnxruntime.dll", "onnxruntime.txt"})
	cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return err
	}
	for _, m := range info.Deps {
		if m.Replace != nil {
			m = m.Replace
		}
		file, err := copyModuleLicence(strings.TrimSpace(string(cache)), m.Path, m.Version, out)
		if err != nil {
			return err
		}
		entries = append(entries, entry{m.Path + " " + m.Version, "see its file", "linked in (Go)", file})
	}
	var b strings.Builder
	b.WriteString("Spotter for Windows is built from these libraries. Each one's licence is in\nthe file named here, in this folder. The models' licences are beside each\nmodel, in ..\\models.\n\n")
	fmt.Fprintf(&b, "%-52s %-40s %-30s %s\n", "library", "licence", "in the package", "file")
	for _, e := range entries {
		fmt.Fprintf(&b, "%-52s %-40s %-30s %s\n", e.name, e.licence, e.linked, e.file)
	}
	b.WriteString("\nlibheif and libde265 are under the LGPL-3.0: they are the DLLs beside\nspotter.exe, built unmodified from their release sources, and a build of your\nown with the same interface can replace them.\n")
	return os.WriteFile(filepath.Join(out, "README.txt"), []byte(strings.ReplaceAll(b.String(), "\n", "\r\n")), 0o644)
}

// cLibraries reads libs.sh's list: name, licence, how it is linked, file.
func cLibraries(tsv string) ([]entry, error) {
	f, err := os.Open(tsv)
	if err != nil {
		return nil, fmt.Errorf("%w (assets/windows/libs.sh writes it)", err)
	}
	defer f.Close()
	var entries []entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 4 {
			return nil, fmt.Errorf("%s: a line of %d fields: %q", tsv, len(fields), sc.Text())
		}
		entries = append(entries, entry{fields[0], fields[1], fields[2], fields[3]})
	}
	return entries, sc.Err()
}

// copyModuleLicence copies a module's licence file (or files) from the
// module cache and returns the name it was copied to.
func copyModuleLicence(cache, path, version, out string) (string, error) {
	escaped, err := module.EscapePath(path)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, escaped+"@"+version)
	var texts []string
	for _, pattern := range []string{"LICENSE*", "LICENCE*", "COPYING*", "NOTICE*", "license*"} {
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return "", err
			}
			texts = append(texts, string(data))
		}
	}
	if len(texts) == 0 {
		return "", fmt.Errorf("no licence file in %s", dir)
	}
	name := "go-" + strings.NewReplacer("/", "_", ".", "_").Replace(path) + ".txt"
	return name, os.WriteFile(filepath.Join(out, name), []byte(strings.Join(texts, "\n\n")), 0o644)
}

const onnxRuntimeLicence = `MIT License

Copyright (c) Microsoft Corporation

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`
