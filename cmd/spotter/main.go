// Command spotter sees what is in photos (an ImageNet classifier with object
// and face detectors beside it), in a window
// (spotter [FILE]) or on the command line (spotter classify FILE…), finds
// them again (spotter search WORDS) and writes what it saw as keywords
// (spotter tag FILE…).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"fyne.io/fyne/v2"

	"fyne.io/fyne/v2/app"

	"github.com/spotter-app/spotter/assets"
	"github.com/spotter-app/spotter/cmd/spotter/internal/quietlocale"
	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/ortlib"
	"github.com/spotter-app/spotter/inference/text"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/settings"
	"github.com/spotter-app/spotter/ui"
	"github.com/spotter-app/spotter/ui/work"
)

// version is set from FyneApp.toml by `make build` (-ldflags -X).
var version = "dev"

// appID is Spotter's application ID, as in FyneApp.toml.
const appID = "app.spotter.Spotter"

// maxTop is how many predictions the window asks for; its settings choose
// how many of them to show.
const maxTop = 10

func main() {
	quietlocale.Restore()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command line: a command, or else the window.
func run(args []string, stdout, stderr io.Writer) int {
	opts, code, done := route(args, stdout, stderr)
	if done {
		return code
	}
	// Without a display GLFW panics deep inside Fyne; say so first, in
	// words, while nothing graphical has started.
	if problem := displayProblem(os.Getenv); problem != "" {
		return noWindow(stderr, problem)
	}
	return window(opts, stderr)
}

// command is a command-line mode: how it runs, and what it does in one
// line, for `spotter help` and the messages that name the commands.
type command struct {
	run     func(args []string, stdout, stderr io.Writer) int
	summary string
}

// commands are the command-line modes; anything else opens the window.
// None needs a display.
var commands = map[string]command{
	"classify": {classify, "classify photos and folders, printing what each shows as it is done"},
	"search":   {search, "list the classified photos with a keyword, or whose name, class, category or text matches"},
	"tag":      {tag, "write the keywords Spotter is sure of to XMP sidecars, or take them away"},
	"version":  {versionCommand, "print the versions of Spotter, ONNX Runtime, the models and Tesseract's languages"},
	"library":  {libraryCmd, "keep folders classified by themselves: add, remove, list, exclude, include, pause, resume"},
	"watch":    {watchCmd, "name the library folders' new photos as they arrive, without a window"},
}

// engineFlags are the options shared by the window and the command line.
type engineFlags struct {
	model, lib string
	threads    int
	noText     bool
	// languages are the Tesseract languages to read, from the window's
	// settings; English when none.
	languages []string
}

func (e *engineFlags) register(fs *flag.FlagSet) {
	e.registerFiles(fs)
	fs.IntVar(&e.threads, "threads", 0, fmt.Sprintf("intra-op threads for ONNX Runtime (default %d)", inference.DefaultThreads))
	fs.BoolVar(&e.noText, "no-text", false, "do not read the text in photos (Tesseract), which saves its time on photos that show some")
}

// registerFiles registers the flags that choose the files the engine
// loads, which `spotter version` reports on.
func (e *engineFlags) registerFiles(fs *flag.FlagSet) {
	fs.StringVar(&e.model, "model", "", "model descriptor (.json), or a folder of them (default: the first model found in models/ beside the program)")
	fs.StringVar(&e.lib, "ort-lib", "", "path of the ONNX Runtime shared library (default: $"+ortlib.EnvVar+", beside the program, build/)")
}

func (e *engineFlags) open(top int) (*inference.Classifier, error) {
	desc, err := model.Find(e.model)
	if err != nil {
		return nil, err
	}
	return inference.Open(e.options(desc, top))
}

// textModels are the language models the engine will read text with,
// before it opens; none when reading is off or cannot be had.
func (e *engineFlags) textModels() []string {
	if e.noText {
		return nil
	}
	files, _ := text.ModelFiles(e.languages)
	return files
}

// options are the engine's for the descriptor desc and top predictions.
func (e *engineFlags) options(desc string, top int) inference.Options {
	return inference.Options{Descriptor: desc, Library: e.lib, Threads: e.threads, Top: top, NoText: e.noText, Languages: e.languages}
}

// engineInfo is what the About box says of the engine: every model of the
// set with its licence.
func engineInfo(c *inference.Classifier) work.EngineInfo {
	var names, licences []string
	for _, d := range c.Models() {
		names, licences = append(names, d.Name), append(licences, d.LicensePath())
	}
	return work.Describe(ortlib.Version(), names, licences)
}

// catalogFlags choose the catalogue, for the window and the command line.
type catalogFlags struct {
	path string
	off  bool
}

func (c *catalogFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.path, "catalog", "", "the catalogue of results kept between runs (default: $SPOTTER_CATALOG, else $XDG_DATA_HOME/spotter/catalog.db)")
	fs.BoolVar(&c.off, "no-catalog", false, "neither read nor write the catalogue")
}

// open opens the catalogue, or returns nil with --no-catalog or when not
// even one in memory can be had (then classification goes on without it).
// Its warnings go to warn.
func (c catalogFlags) open(warn func(string)) *catalog.Catalog {
	if c.off {
		return nil
	}
	cat, err := catalog.Open(c.path)
	if err != nil {
		warn(fmt.Sprintf("The catalogue cannot be opened (%v); results are not being saved.", err))
		return nil
	}
	for _, w := range cat.Warnings() {
		warn(w)
	}
	return cat
}

// withSettings fills what the flags leave open from the person's settings.
func (e engineFlags) withSettings(p fyne.Preferences) engineFlags {
	if e.model == "" && os.Getenv(model.EnvVar) == "" {
		e.model = p.String(settings.KeyModel)
	}
	if e.lib == "" && os.Getenv(ortlib.EnvVar) == "" {
		e.lib = p.String(settings.KeyLibrary)
	}
	if e.threads == 0 {
		e.threads = p.Int(settings.KeyThreads)
	}
	// --no-text wins over the setting; the setting can only turn it off.
	reading := settings.Read(p).Reading(inference.Options{NoText: e.noText})
	e.noText, e.languages = e.noText || reading.NoText, reading.Languages
	return e
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

// windowOptions are what the command line asks of the window.
type windowOptions struct {
	engine  engineFlags
	catalog catalogFlags
	paths   []string
}

// windowFlags are the window's flags, which fill o, and --version, which
// tools take before any command.
func windowFlags(o *windowOptions) (fs *flag.FlagSet, showVersion *bool) {
	fs = flag.NewFlagSet("spotter", flag.ContinueOnError)
	o.engine.register(fs)
	o.catalog.register(fs)
	showVersion = fs.Bool("version", false, "print the versions of Spotter, ONNX Runtime and the models, as spotter version does")
	setUsage(fs, overview(),
		"spotter ~/Pictures/Holiday",
		"spotter --no-catalog scan.png receipt.jpg",
		"spotter help classify")
	return fs, showVersion
}

// route runs the command the command line names, or reads what it asks of
// the window. done is true when that was all there was to do, code then
// being the exit status: a command (also one named after the window's
// flags: `spotter --model M classify …` runs `spotter classify --model M
// …`), -h, --version, or a name that is no command and no file or folder:
// a mistyped command must not open a window on a photo called "clasify".
func route(args []string, stdout, stderr io.Writer) (opts windowOptions, code int, done bool) {
	fs, showVersion := windowFlags(&opts)
	if code, ok := parse(fs, args, stderr); !ok {
		return opts, code, true
	}
	if *showVersion {
		printVersions(stdout, opts.engine)
		return opts, 0, true
	}
	opts.paths = fs.Args()
	flagsEnd := len(args) - fs.NArg()
	// After "--" every word is a file, whatever it is called.
	onlyFiles := flagsEnd > 0 && args[flagsEnd-1] == "--"
	if len(opts.paths) > 0 && !onlyFiles {
		if c, ok := commands[opts.paths[0]]; ok {
			return opts, c.run(append(slices.Clone(args[:flagsEnd]), opts.paths[1:]...), stdout, stderr), true
		}
	}
	missing := false
	for i, p := range opts.paths {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			continue
		}
		if i == 0 && !onlyFiles && !pathLike(p) {
			fmt.Fprintln(stderr, unknownCommand(p, true))
			return opts, 2, true
		}
		fmt.Fprintf(stderr, "spotter: there is no file or folder %s: check its path\n", p)
		missing = true
	}
	if missing {
		return opts, 2, true
	}
	return opts, 0, false
}

// pathLike reports whether word reads as a file's path rather than a
// command: it has a folder, an extension, or starts as a home or relative
// path does.
func pathLike(word string) bool {
	return strings.ContainsRune(word, '/') || strings.ContainsRune(word, filepath.Separator) ||
		filepath.Ext(word) != "" || strings.HasPrefix(word, "~") || strings.HasPrefix(word, ".")
}

// window opens the window on given.paths. GLFW panics when it cannot use
// the display after all (a server that refuses the connection, or lacks
// what OpenGL needs): that ends in the reason and exit status 2, not a
// stack trace.
func window(given windowOptions, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			if !fromGLFW(r) {
				panic(r)
			}
			code = noWindow(stderr, fmt.Sprintf("%s could not be opened (GLFW: %v)", session(os.Getenv), r))
		}
	}()
	ef, cf := given.engine, given.catalog

	// Most of the window's heap lives as long as it does (Fyne's fonts,
	// about 30 MB, and the thumbnails shown), so the collector's default
	// headroom of as much again only raises the peak: half of it kept the
	// window under 300 MB with 100,000 photos at no visible cost in
	// collection time. GOGC still overrides it.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}

	// `go build` does not read FyneApp.toml as `fyne build` does: state
	// the same metadata, including the fyneDo migration, here.
	app.SetMetadata(fyne.AppMetadata{ID: appID, Name: "Spotter", Version: version, Icon: assets.Icon,
		Migrations: map[string]bool{"fyneDo": true}})
	a := app.NewWithID(appID)
	a.SetIcon(assets.Icon)
	win := a.NewWindow(ui.Title)
	// The catalogue lists and keeps the answers of the model set in use:
	// the classifier the settings name, and the detectors beside it, are
	// known before they load.
	var ref modelRef
	var opts ui.Options
	cat := cf.open(func(msg string) {
		slog.Warn(msg)
		opts.Notices = append(opts.Notices, msg)
	})
	if cat != nil {
		defer func() {
			if err := cat.Close(); err != nil {
				slog.Error("the catalogue could not save the last results", "err", err)
			}
		}()
		flags := ef.withSettings(a.Preferences())
		if d, err := model.Find(flags.model); err == nil {
			if desc, err := model.Load(d); err == nil {
				ref.use(withCompanions(desc), flags.textModels())
			}
		}
		lib := library{cat: cat, model: &ref}
		opts.Memory, opts.Library, opts.Reviews = newMemory(cat, &ref, false, maxTop), lib, lib
	}
	var indexer *work.Library
	if cat != nil && cat.Saving() {
		prefs := a.Preferences()
		indexer = work.NewLibrary(work.LibraryOptions{Catalog: cat, Model: ref.get, Memory: newMemory(cat, &ref, false, maxTop),
			Open: func() (work.Classifier, error) {
				flags := ef.withSettings(prefs)
				flags.threads = 1 // more only compete with the decoding (index.Stream)
				c, err := flags.open(maxTop)
				if err != nil {
					return nil, err // not c: a nil *Classifier in the interface is not nil
				}
				return c, nil
			},
			Cores: func() int { return settings.IndexCores(prefs) },
			Grace: func() time.Duration { return time.Duration(settings.GraceDays(prefs)) * 24 * time.Hour },
			Post:  fyne.Do})
		opts.Folders = indexer
	}
	open := func() (work.Classifier, work.EngineInfo, error) {
		flags := ef.withSettings(a.Preferences())
		c, err := flags.open(maxTop)
		if err != nil {
			return nil, work.EngineInfo{}, err // not c: a nil *Classifier in the interface is not nil
		}
		ref.use(c.Models(), c.TextModels())
		return c, engineInfo(c), nil
	}
	// Fyne catches SIGTERM and Ctrl+C only once its event loop starts; a
	// signal before that would kill the process mid-work. Catch them from
	// here on and quit the way Fyne does: the driver's Quit is safe to call
	// twice and after the loop ended, and quitting ends in Shutdown below.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	go func() {
		<-signals
		fyne.Do(a.Driver().Quit)
	}()
	w := ui.New(win, open, opts)
	w.Open(given.paths...)
	if indexer != nil {
		indexer.Start(w.ShowIndexing, w.LibraryGrew, w.ShowNotice)
	}
	win.ShowAndRun()
	w.Shutdown()
	if indexer != nil {
		indexer.Stop()
	}
	slog.Info("closed")
	return 0
}
