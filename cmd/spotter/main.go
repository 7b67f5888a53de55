// Command spotter classifies photos with an ImageNet model, in a window
// (spotter [FILE]) or on the command line (spotter classify FILE…).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"fyne.io/fyne/v2/app"

	"github.com/spotter-app/spotter/assets"
	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/ui"
)

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if len(os.Args) > 1 && os.Args[1] == "classify" {
		os.Exit(classify(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(window(os.Args[1:], os.Stderr))
}

// engineFlags are the options shared by the window and the command line.
type engineFlags struct {
	model, lib string
	threads    int
}

func (e *engineFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.model, "model", "", "model descriptor (.json), or a folder of them (default: models/ beside the program)")
	fs.StringVar(&e.lib, "ort-lib", "", "path of the ONNX Runtime shared library (default: $"+"ONNXRUNTIME_SHARED_LIBRARY_PATH, beside the program, build/)")
	fs.IntVar(&e.threads, "threads", inference.DefaultThreads, "intra-op threads for ONNX Runtime")
}

func (e *engineFlags) open(top int) (*inference.Classifier, error) {
	desc, err := model.Find(e.model)
	if err != nil {
		return nil, err
	}
	return inference.Open(inference.Options{Descriptor: desc, Library: e.lib, Threads: e.threads, Top: top})
}

// parse handles -h and bad flags the same way for both modes: usage on
// stderr and exit status 2 (0 for -h).
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

func window(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("spotter", flag.ContinueOnError)
	var ef engineFlags
	ef.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: spotter [flags] [PHOTO|FOLDER…]  open the window and classify what is named")
		fmt.Fprintln(stderr, "       spotter classify [flags] PHOTO|FOLDER…  classify on the command line (spotter classify -h)")
		fs.PrintDefaults()
	}
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}

	a := app.NewWithID("app.spotter.Spotter")
	a.SetIcon(assets.Icon)
	win := a.NewWindow(ui.Title)
	w := ui.New(win, func() (ui.Classifier, error) { return ef.open(0) }, ui.Options{})
	w.Open(fs.Args()...)
	win.ShowAndRun()
	w.Shutdown()
	slog.Info("closed")
	return 0
}
