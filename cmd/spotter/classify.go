package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spotter-app/spotter/inference/collect"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/report"
)

// classify is `spotter classify`: exit status 0 when every photo was
// classified, 1 when any failed, 2 on bad usage.
func classify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spotter classify", flag.ContinueOnError)
	var ef engineFlags
	ef.register(fs)
	top := fs.Int("top", 5, "how many predictions to print per photo")
	asJSON := fs.Bool("json", false, `print JSON Lines: {"path","predictions":[{"label","probability"}],"ms"} or {"path","error"}`)
	asCSV := fs.Bool("csv", false, "print CSV: path, label_1, probability_1, …, ms, error")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: spotter classify [flags] PHOTO|FOLDER…")
		fmt.Fprintln(stderr, "Folders are searched recursively; results stream as each photo finishes.")
		fs.PrintDefaults()
	}
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}
	if fs.NArg() == 0 || *top < 1 || (*asJSON && *asCSV) {
		fs.Usage()
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var paths []string
	walkErr := collect.Walk(ctx, fs.Args(), func(p string) { paths = append(paths, p) })
	var none *collect.NoPhotosError
	if walkErr != nil && !errors.As(walkErr, &none) {
		fmt.Fprintln(stderr, "spotter: interrupted")
		return 1
	}
	out, err := newOutput(stdout, stderr, *asJSON, *asCSV, *top)
	if err != nil {
		fmt.Fprintln(stderr, "spotter:", err)
		return 1
	}
	if none != nil {
		// A folder that held nothing is an answer too: one record for it,
		// so a script sees it as surely as a bad photo.
		for _, f := range none.Folders {
			out.write(report.Record{Path: f, Error: collect.NoPhotosIn(f)})
		}
		if len(paths) == 0 {
			return 1
		}
	}

	clf, err := ef.open(*top)
	if err != nil {
		fmt.Fprintln(stderr, "spotter:", err)
		if *asJSON || *asCSV {
			// A script reading the results learns of every photo's fate.
			for _, p := range paths {
				out.write(report.Record{Path: p, Error: err.Error()})
			}
		}
		return 1
	}
	defer clf.Close()

	bar := newProgress(stderr, len(paths))
	next := 0
	source := func(ctx context.Context) (pipeline.Job, bool) {
		if next == len(paths) || ctx.Err() != nil {
			return pipeline.Job{}, false
		}
		next++
		return pipeline.Job{ID: uint64(next), Path: paths[next-1]}, true
	}
	failed := false
	pipeline.Stream(ctx, clf, source, func(d pipeline.Done) {
		if ctx.Err() != nil {
			return
		}
		failed = failed || d.Err != nil
		bar.clear()
		out.write(report.New(d.Path, d.Result, d.Err))
		bar.step()
	}, pipeline.Options{})
	bar.clear()
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "spotter: interrupted")
		return 1
	}
	if failed || none != nil {
		return 1
	}
	return 0
}

// output writes records in the chosen format: text lines on stdout with
// errors on stderr, or every record on stdout as JSON Lines or CSV.
type output struct {
	stdout, stderr io.Writer
	json           *report.JSONLines
	csv            *report.CSV
}

func newOutput(stdout, stderr io.Writer, asJSON, asCSV bool, top int) (*output, error) {
	o := &output{stdout: stdout, stderr: stderr}
	var err error
	switch {
	case asJSON:
		o.json = report.NewJSONLines(stdout)
	case asCSV:
		o.csv, err = report.NewCSV(stdout, top)
	}
	return o, err
}

func (o *output) write(r report.Record) {
	var err error
	switch {
	case o.json != nil:
		err = o.json.Write(r)
	case o.csv != nil:
		err = o.csv.Write(r)
	case r.Error != "":
		_, err = fmt.Fprintf(o.stderr, "%s: error: %s\n", r.Path, r.Error)
	default:
		_, err = fmt.Fprintf(o.stdout, "%s: %s\n", r.Path, describe(r.Predictions))
	}
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		fmt.Fprintln(o.stderr, "spotter:", err)
	}
}

// describe renders predictions as "malamute (58.2%); Eskimo dog, husky (16.1%)":
// labels contain commas, so a semicolon separates them.
func describe(preds []prediction.Prediction) string {
	parts := make([]string, len(preds))
	for i, p := range preds {
		parts[i] = fmt.Sprintf("%s (%.1f%%)", p.Label, 100*p.Probability)
	}
	return strings.Join(parts, "; ")
}

// progress draws a one-line bar on stderr when it is a terminal, and
// nothing otherwise, so logs and pipes stay clean.
type progress struct {
	w           io.Writer
	total, done int
	start       time.Time
	on          bool
}

func newProgress(w io.Writer, total int) *progress {
	f, ok := w.(*os.File)
	on := false
	if ok {
		if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
			on = total > 1
		}
	}
	p := &progress{w: w, total: total, start: time.Now(), on: on}
	p.draw()
	return p
}

func (p *progress) step() {
	p.done++
	p.draw()
}

func (p *progress) draw() {
	if !p.on {
		return
	}
	const width = 30
	filled := width * p.done / max(p.total, 1)
	line := fmt.Sprintf("[%s%s] %d/%d", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), p.done, p.total)
	if p.done > 0 {
		elapsed := time.Since(p.start)
		rate := float64(p.done) / elapsed.Seconds()
		left := time.Duration(float64(p.total-p.done) / rate * float64(time.Second))
		line += fmt.Sprintf("  %.1f photos/s  %s left", rate, left.Round(time.Second))
	}
	fmt.Fprintf(p.w, "\r%s\x1b[K", line)
}

func (p *progress) clear() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
