package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/spotter-app/spotter/inference/report"
	"github.com/spotter-app/spotter/library/catalog"
)

// damagedAdvice follows a catalogue search cannot read: searching leaves
// the file as it is, the commands that write mend it.
const damagedAdvice = "If it is damaged, open Spotter or run spotter classify once: a damaged catalogue is then moved aside and a new one started"

// search is `spotter search [--people N[-M]] WORDS`: the photos in the
// catalogue that have WORDS as a keyword or whose everyday name, class,
// category or file name contains them, most confident first, then those
// whose recognised text holds every word, best match first; with as many
// people as asked. Exit status 0 when any matched, 1 when none did, 2 on
// bad usage or when the catalogue cannot be read (as grep does).
func search(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("spotter search", flag.ContinueOnError)
	var cf catalogFlags
	flags.StringVar(&cf.path, "catalog", "", "the catalogue to search (default: $SPOTTER_CATALOG, else $XDG_DATA_HOME/spotter/catalog.db)")
	limit := flags.Int("limit", 1000, "at most this many photos")
	top := flags.Int("top", 5, "how many predictions to print per photo")
	asJSON := flags.Bool("json", false, "print JSON Lines, as spotter classify --json does")
	asCSV := flags.Bool("csv", false, "print CSV, as spotter classify --csv does")
	var people peopleFlag
	flags.Var(&people, "people", "only photos showing `N` people, or N-M (\"0\", \"2\", \"3-10\"); WORDS may then be left out")
	setUsage(flags, "Usage: spotter search [flags] WORDS\n"+
		"Lists the photos Spotter classified that have WORDS as a keyword (\"dog\", \"teddy bear\"), or whose name, class, category\n"+
		"or file name contains WORDS, most confident first; then those whose text (read in the photo) holds every word, the last\n"+
		"also as the start of a longer one, best match first, each with the words it matched.",
		"spotter search dog",
		"spotter search --people 3-10 beach",
		"spotter search --json --limit 20 invoice total")
	if code, ok := parse(flags, args, stderr); !ok {
		return code
	}
	query := strings.TrimSpace(strings.Join(flags.Args(), " "))
	if (query == "" && people.span == nil) || *limit < 1 || *top < 1 || (*asJSON && *asCSV) {
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
	entries, err := cat.Search(catalog.Filter{Text: query, People: people.span}, *limit)
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
		out.writeFound(report.New(e.Path, res, nil, true), e.Snippet)
	}
	if len(entries) == 0 {
		return 1
	}
	return 0
}

// peopleFlag is --people: a count, or a range of counts "N-M".
type peopleFlag struct{ span *catalog.Span }

func (p *peopleFlag) String() string {
	if p.span == nil {
		return ""
	}
	if p.span.Min == p.span.Max {
		return strconv.Itoa(p.span.Min)
	}
	return fmt.Sprintf("%d-%d", p.span.Min, p.span.Max)
}

func (p *peopleFlag) Set(s string) error {
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	from, err1 := strconv.Atoi(strings.TrimSpace(lo))
	to, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if err1 != nil || err2 != nil || from < 0 || to < from {
		return fmt.Errorf("%q is not a number of people: give a count such as 2, or a range such as 3-10", s)
	}
	p.span = &catalog.Span{Min: from, Max: to}
	return nil
}
