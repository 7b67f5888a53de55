package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/ortlib"
	"github.com/spotter-app/spotter/inference/text"
	"github.com/spotter-app/spotter/library/catalog"
)

// versionCommand is `spotter version`: what a bug report needs to say which
// Spotter ran with what. Exit status 0 whatever it finds, 2 on bad usage.
func versionCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spotter version", flag.ContinueOnError)
	var ef engineFlags
	ef.registerFiles(fs)
	setUsage(fs, "Usage: spotter version [flags]\n"+
		"Prints the versions of Spotter, of the ONNX Runtime library it loads and of the models it runs (each file's name and\n"+
		"the start of its SHA-256, as the catalogue tells models apart), and the languages Tesseract reads. The same as spotter --version.",
		"spotter version",
		"spotter version --ort-lib /opt/onnxruntime/lib/libonnxruntime.so",
		"spotter version --model models/mobilenetv2-12.json")
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	printVersions(stdout, ef)
	return 0
}

// printVersions writes what `spotter version` says, for the files ef
// chooses. What cannot be found or loaded is said in its place, with the
// advice that comes with it.
func printVersions(w io.Writer, ef engineFlags) {
	fmt.Fprintf(w, "Spotter %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintln(w, ortVersion(ef.lib))

	desc, err := model.Find(ef.model)
	var d *model.Descriptor
	if err == nil {
		d, err = model.Load(desc)
	}
	if err != nil {
		fmt.Fprintf(w, "Models: none usable (%v)\n", err)
	} else {
		fmt.Fprintf(w, "Models (%s and the detectors beside it):\n", desc)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, m := range withCompanions(d) {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", strings.ReplaceAll(string(m.KindOrDefault()), "_", " "), m.Name, m.ModelPath(), digest(m))
		}
		tw.Flush()
	}

	if langs := text.Installed(); len(langs) > 0 {
		fmt.Fprintf(w, "Tesseract languages: %s\n", strings.Join(langs, ", "))
	} else {
		fmt.Fprintln(w, "Tesseract languages: none installed, so no text is read (on Debian or Ubuntu: sudo apt install tesseract-ocr-eng)")
	}
}

// ortVersion loads the ONNX Runtime library lib chooses to ask its version,
// or says why it cannot.
func ortVersion(lib string) string {
	path, err := ortlib.Locate(lib)
	if err == nil {
		err = ortlib.Acquire(path)
	}
	if err != nil {
		return "ONNX Runtime: " + err.Error()
	}
	defer ortlib.Release()
	return fmt.Sprintf("ONNX Runtime %s, from %s", ortlib.Version(), path)
}

// digest is the start of m's model file's SHA-256, by which the catalogue
// knows it: two files of one name are told apart by it.
func digest(m *model.Descriptor) string {
	id, err := catalog.ModelFor(m.Name, m.ModelPath())
	if err != nil {
		return err.Error()
	}
	return "sha256 " + id.SHA256[:12]
}
