package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/report"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/folders"
	"github.com/spotter-app/spotter/library/index"
	"github.com/spotter-app/spotter/library/watch"
)

// watchCmd is `spotter watch`: the library folders indexed, then watched,
// with no window, until SIGINT or SIGTERM. While another Spotter indexes
// the catalogue it says which and waits, taking over when that one stops:
// a window opened and closed again, or a second `spotter watch` started by
// mistake, ends with exactly one indexing. Exit status 0 when stopped by a
// signal, 1 when it cannot index, 2 on bad usage.
func watchCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spotter watch", flag.ContinueOnError)
	var ef engineFlags
	ef.register(fs)
	var cf catalogFlags
	fs.StringVar(&cf.path, "catalog", "", "the catalogue to keep up to date (default: $SPOTTER_CATALOG, else $XDG_DATA_HOME/spotter/catalog.db)")
	cores := fs.Int("cores", (runtime.NumCPU()+1)/2, "how many processors indexing may use, at the lowest priority")
	grace := fs.Duration("grace", watch.DefaultGrace, "how long a deleted photo stays in the catalogue, marked missing, before it is pruned")
	settle := fs.Duration("settle", watch.DefaultSettle, "how long a new photo's size must stay the same, once written, before it is classified")
	setUsage(fs, `Usage: spotter watch [flags]
Classifies the photos of the library folders (spotter library add FOLDER) that the catalogue
does not know, newest first, then watches the folders and names each new or changed photo
within seconds of its copy completing, until Ctrl+C or SIGTERM. Moved and renamed photos keep
their answers; deleted ones are pruned after --grace; a drive unmounted keeps its photos, offline.
Only one Spotter indexes at a time: while the window or another spotter watch does, this one
says which and waits. spotter library pause pauses it, here and after restarts.
Each photo classified is printed on stdout as spotter classify prints it; progress and notices go
to stderr.`,
		"spotter watch --cores 2 --grace 168h",
		"spotter library add ~/Pictures && spotter watch",
		"systemctl --user enable --now spotter-watch   (see the README: \"Library folders\")")
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 || *cores < 1 || *grace <= 0 || *settle <= 0 {
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "spotter watch takes no folders: add them with spotter library add %s\n", strings.Join(fs.Args(), " "))
		}
		fs.Usage()
		return 2
	}
	if err := background(*cores); err != nil {
		fmt.Fprintf(stderr, "spotter watch: cannot lower its priority (%v); indexing goes on at normal priority.\n", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w := newWarner(stderr)
	cat := cf.open(w.warn)
	if cat == nil {
		return 1
	}
	defer w.closeCatalog(cat)
	if !cat.Saving() {
		fmt.Fprintln(stderr, "spotter watch: the catalogue cannot be written, so there is nothing to keep up to date.")
		return 1
	}
	clf, err := ef.open(maxTop)
	if err != nil {
		fmt.Fprintln(stderr, "spotter:", err)
		return 1
	}
	defer clf.Close()
	var ref modelRef
	ref.use(clf.Models(), clf.TextModels())
	if _, ok := ref.get(); !ok {
		fmt.Fprintln(stderr, "spotter watch: the model file cannot be read to tell its answers apart in the catalogue; check that it is there and readable.")
		return 1
	}
	sayFolders(cat, stderr, *cores)

	out, _ := newOutput(stdout, stderr, false, false, 5)
	log := &watchLog{stderr: stderr}
	watcher := watch.New(cat, watch.Options{Grace: *grace, Settle: *settle})
	ix := index.New(cat, index.Options{
		Program: "spotter watch", Model: ref.get, Feed: watcher.Run,
		OnProgress: log.progress,
		OnNotice:   func(n index.Notice) { fmt.Fprintln(stderr, "spotter watch:", n.Text) },
		OnPhoto: func(d pipeline.Done) {
			// A photo moved or deleted while it waited is followed under its
			// new name, or is gone: no error of it to print.
			if _, err := os.Stat(d.Path); err == nil && !d.Cached {
				d.Result.Predictions = d.Result.Predictions[:min(len(d.Result.Predictions), 5)]
				out.write(report.New(d.Path, d.Result, d.Err, false))
			}
		},
	})
	if err := ix.Run(ctx, index.Stream(clf, newMemory(cat, &ref, false, maxTop), *cores)); err != nil {
		fmt.Fprintln(stderr, "spotter watch:", err)
		return 1
	}
	fmt.Fprintln(stderr, "spotter watch: stopped")
	return 0
}

// sayFolders says what is watched, or how to have something watched.
func sayFolders(cat *catalog.Catalog, stderr io.Writer, cores int) {
	roots, err := cat.Folders(catalog.Library)
	if err != nil || len(roots) == 0 {
		fmt.Fprintln(stderr, "spotter watch: no library folders yet: add one with spotter library add ~/Pictures (this spotter watch picks it up).")
		return
	}
	names := make([]string, len(roots))
	for i, r := range roots {
		names[i] = folders.Tilde(r.Path)
	}
	fmt.Fprintf(stderr, "spotter watch: watching %s, classifying with %d %s at low priority; Ctrl+C stops.\n",
		strings.Join(names, ", "), cores, map[bool]string{true: "processor", false: "processors"}[cores == 1])
}

// watchLog writes progress on stderr: each change between indexing,
// paused and up to date at once, and the progress every progressEvery
// while indexing. Waiting for another Spotter, the notices say; a scan
// that finds nothing new says nothing.
type watchLog struct {
	stderr io.Writer
	last   string // the state last written
	at     time.Time
}

const progressEvery = 10 * time.Second

func (l *watchLog) progress(p index.Progress) {
	if p.HeldBy != nil || !p.Running || (p.Scanning && !p.Busy()) {
		return
	}
	state := fmt.Sprint(p.Paused, p.Busy())
	if state == l.last && (!p.Busy() || time.Since(l.at) < progressEvery) {
		return
	}
	l.last, l.at = state, time.Now()
	fmt.Fprintln(l.stderr, "spotter watch:", p)
}
