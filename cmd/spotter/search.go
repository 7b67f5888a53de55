package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spotter-app/spotter/inference/report"
	"github.com/spotter-app/spotter/library/catalog"
)

// damagedAdvice follows a catalogue search cannot read: searching leaves
// the file as it is, the commands that write mend it.
const damagedAdvice = "If it is damaged, open Spotter or run spotter classify once: a damaged catalogue is then moved aside and a new one started"

// search is `spotter search QUERY`: the photos in the catalogue whose
// everyday name, class, category or file name contains QUERY, most
// confident first. Exit status 0 when any matched, 1 when none did, 2 on
// bad usage or when the catalogue cannot be read (as grep does).
func search(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("spotter search", flag.ContinueOnError)
	var cf catalogFlags
	flags.StringVar(&cf.path, "catalog", "", "the catalogue to search (default: $SPOTTER_CATALOG, else $XDG_DATA_HOME/spotter/catalog.db)")
	limit := flags.Int("limit", 1000, "at most this many photos")
	top := flags.Int("top", 5, "how many predictions to print per photo")
	asJSON := flags.Bool("json", false, "print JSON Lines, as spotter classify --json does")
	asCSV := flags.Bool("csv", false, "print CSV, as spotter classify --csv does")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "Usage: spotter search [flags] QUERY")
		fmt.Fprintln(stderr, "Lists the photos Spotter classified whose name, class, category or file name contains QUERY, most confident first.")
		flags.PrintDefaults()
	}
	if code, ok := parse(flags, args, stderr); !ok {
		return code
	}
	query := strings.TrimSpace(strings.Join(flags.Args(), " "))
	if query == "" || *limit < 1 || *top < 1 || (*asJSON && *asCSV) {
		flags.Usage()
		return 2
	}
	path := cf.path
	if path == "" {
		path = catalog.DefaultPath()
	}
	if path == "" {
		fmt.Fprintln(stderr, "spotter: there is no home folder to find the catalogue in: set SPOTTER_CATALOG or pass --catalog")
		return 2
	}
	// Searching must not create a catalogue where there was none.
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "spotter: there is no catalogue at %s yet: classify some photos first (spotter classify FOLDER, or drop them on the window)\n", path)
		return 1
	}
	w := newWarner(stderr)
	cat, err := catalog.OpenForReading(path)
	if err != nil {
		fmt.Fprintf(stderr, "spotter: the catalogue %s cannot be read (%v). %s\n", path, err, damagedAdvice)
		return 2
	}
	for _, msg := range cat.Warnings() {
		w.warn(msg)
	}
	defer w.closeCatalog(cat)
	entries, err := cat.Search(query, catalog.Model{}, *limit)
	if err != nil {
		fmt.Fprintf(stderr, "spotter: the catalogue %s could not be searched (%v). %s\n", path, err, damagedAdvice)
		return 2
	}
	out, err := newOutput(stdout, stderr, *asJSON, *asCSV, *top)
	if err != nil {
		fmt.Fprintln(stderr, "spotter:", err)
		return 1
	}
	for _, e := range entries {
		res := resultOf(e)
		res.Predictions = res.Predictions[:min(len(res.Predictions), *top)]
		out.write(report.New(e.Path, res, nil, true))
	}
	if len(entries) == 0 {
		return 1
	}
	return 0
}
