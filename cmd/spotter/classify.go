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

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/collect"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/report"
	"github.com/spotter-app/spotter/library/catalog"
)

// classify is `spotter classify`: exit status 0 when every photo was
// classified, 1 when any failed, 2 on bad usage.
func classify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("spotter classify", flag.ContinueOnError)
	var ef engineFlags
	ef.register(fs)
	var cf catalogFlags
	cf.register(fs)
	fresh := fs.Bool("fresh", false, "classify every photo again, also those the catalogue knows unchanged")
	top := fs.Int("top", 5, "how many predictions to print per photo")
	asJSON := fs.Bool("json", false, `print JSON Lines: {"path","name","confidence","categories","predictions":[{"label","probability"}],"ms","cached",`+
		`"objects":[{"name","label","score","box":[x1,y1,x2,y2]}],"faces":[{"score","box","landmarks"}],"people","keywords":[…],"title","sure",`+
		`"text","lines":[{"text","confidence","box":[x1,y1,x2,y2]}]} `+
		`("ms" only when not cached; objects, faces and people only with the detectors; keywords as spotter tag writes them; `+
		`text, the lines joined by newlines, and lines only when text was read) or {"path","error"}`)
	asCSV := fs.Bool("csv", false, `print CSV: path, label_1, probability_1, …, ms, error, name, confidence, categories, cached, people, keywords (";" between), title, sure, objects ("name score;…"), `+
		`text (the lines, a newline between them)`)
	setUsage(fs, "Usage: spotter classify [flags] PHOTO|FOLDER…\n"+
		"Folders are searched recursively; results stream as each photo finishes.\n"+
		"Photos the catalogue knows unchanged are answered from it (\"cached\": true).",
		"spotter classify ~/Pictures/Holiday",
		"spotter classify --json --top 3 dog.jpg IMG_0042.HEIC > answers.jsonl",
		"spotter classify --csv --no-text --fresh ~/Pictures > photos.csv")
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}
	if fs.NArg() == 0 || *top < 1 || (*asJSON && *asCSV) {
		fs.Usage()
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out, err := newOutput(stdout, stderr, *asJSON, *asCSV, *top)
	if err != nil {
		fmt.Fprintln(stderr, "spotter:", err)
		return 1
	}
	paths, failed, ok := named(ctx, fs.Args(), out)
	if !ok {
		return 1
	}

	// The catalogue keeps maxTop predictions, so a later run asking for
	// more than this one still finds them there.
	clf, err := ef.open(max(*top, maxTop))
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
	w := newWarner(stderr)
	cat := cf.open(w.warn)
	defer w.closeCatalog(cat)

	bar := newProgress(stderr, len(paths))
	if !classifyAll(ctx, clf, paths, w.memory(cat, clf, *fresh, *top), func(d pipeline.Done) {
		bar.clear()
		d.Result.Predictions = d.Result.Predictions[:min(len(d.Result.Predictions), *top)]
		out.write(report.New(d.Path, d.Result, d.Err, d.Cached))
		bar.step()
	}) {
		failed = true
	}
	bar.clear()
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "spotter: interrupted")
		return 1
	}
	if failed {
		return 1
	}
	return 0
}

// named walks the photos and folders named on the command line. A folder
// that holds no photo gets a record of its own and makes empty true. ok is
// false when there is nothing to classify: no photo at all, or interrupted.
func named(ctx context.Context, args []string, out *output) (paths []string, empty, ok bool) {
	err := collect.Walk(ctx, args, func(p string) { paths = append(paths, p) })
	var none *collect.NoPhotosError
	if err != nil && !errors.As(err, &none) {
		fmt.Fprintln(out.stderr, "spotter: interrupted")
		return nil, false, false
	}
	if none != nil {
		for _, f := range none.Folders {
			out.write(report.Record{Path: f, Error: collect.NoPhotosIn(f)})
		}
	}
	return paths, none != nil, len(paths) > 0
}

// classifyAll streams paths through the classifier in order, answering from
// mem (the catalogue) what it knows; it reports whether every photo was
// classified. Nothing is emitted once ctx ends.
func classifyAll(ctx context.Context, clf *inference.Classifier, paths []string, mem pipeline.Memory, emit func(pipeline.Done)) bool {
	next := 0
	source := func(ctx context.Context) (pipeline.Job, bool) {
		if next == len(paths) || ctx.Err() != nil {
			return pipeline.Job{}, false
		}
		next++
		return pipeline.Job{ID: uint64(next), Path: paths[next-1]}, true
	}
	ok := true
	pipeline.Stream(ctx, clf, source, func(d pipeline.Done) {
		if ctx.Err() != nil {
			return
		}
		ok = ok && d.Err == nil
		emit(d)
	}, pipeline.Options{Memory: mem})
	return ok
}

// warner says each of the catalogue's problems once on stderr: at start,
// and any that came up while working (a disk that filled).
type warner struct {
	stderr io.Writer
	said   map[string]bool
}

func newWarner(stderr io.Writer) *warner { return &warner{stderr: stderr, said: map[string]bool{}} }

func (w *warner) warn(msg string) {
	if !w.said[msg] {
		w.said[msg] = true
		fmt.Fprintln(w.stderr, "spotter: warning:", msg)
	}
}

// memory is the catalogue as the stream's memory for clf's model set, or
// nil without a catalogue.
func (w *warner) memory(cat *catalog.Catalog, clf *inference.Classifier, fresh bool, top int) pipeline.Memory {
	if cat == nil {
		return nil
	}
	var ref modelRef
	ref.use(clf.Models(), clf.TextModels())
	if _, ok := ref.get(); !ok {
		w.warn("The model file cannot be read to tell it apart in the catalogue; results are not being saved.")
		return nil
	}
	return newMemory(cat, &ref, fresh, top)
}

// closeCatalog commits what is pending and says what could not be saved.
func (w *warner) closeCatalog(cat *catalog.Catalog) {
	if cat == nil {
		return
	}
	err := cat.Close()
	for _, msg := range cat.Warnings() {
		w.warn(msg)
	}
	if err != nil {
		w.warn(fmt.Sprintf("The catalogue could not save the last results (%v).", err))
	}
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

func (o *output) write(r report.Record) { o.writeFound(r, "") }

// writeFound writes r, a search's match; as a text line, one the photo's
// recognised text matched ends with the words around the match, on the
// same line, so a line is still a photo.
func (o *output) writeFound(r report.Record, snippet string) {
	var err error
	switch {
	case o.json != nil:
		err = o.json.Write(r)
	case o.csv != nil:
		err = o.csv.Write(r)
	case r.Error != "":
		_, err = fmt.Fprintf(o.stderr, "%s: error: %s\n", r.Path, r.Error)
	case snippet != "":
		_, err = fmt.Fprintf(o.stdout, "%s: %s%s — text “%s”\n", r.Path, lead(r), describe(r.Predictions),
			strings.ReplaceAll(snippet, "\n", " / "))
	default:
		_, err = fmt.Fprintf(o.stdout, "%s: %s%s\n", r.Path, lead(r), describe(r.Predictions))
	}
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		fmt.Fprintln(o.stderr, "spotter:", err)
	}
}

// lead starts a line with the answer in words: the model set's title
// ("person, dog, horse — "), the classifier's everyday name alone ("dog
// 72.0% — "), or "not sure — " when Spotter is sure of nothing at the
// default threshold, so a plain magenta card is never read as a confident
// "matchstick".
func lead(r report.Record) string {
	switch {
	case r.Title != "":
		return r.Title + " — "
	case r.People == nil && (r.Name == "" || r.Confidence == nil):
		return "" // a classifier without a table of names says nothing in words
	case r.Sure == nil || !*r.Sure:
		return names.NotSure + " — "
	}
	return fmt.Sprintf("%s %.1f%% — ", r.Name, 100**r.Confidence)
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
