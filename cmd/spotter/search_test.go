package main

import (
	"encoding/csv"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/library/catalog"
)

// searchText fills a catalogue with a receipt, a sign and a dog, the text
// of the first two as the engine reads it, and returns it with a search
// of it.
func searchText(t *testing.T) (db string, run func(args ...string) (int, string, string)) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "catalog.db")
	cat, err := catalog.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	set := catalog.Model{Name: "mobilenet + yolox + yunet", SHA256: "set"}
	for name, res := range map[string]prediction.Result{
		"receipt.jpg": {
			Keywords: []prediction.Keyword{{Word: "receipt", Path: "text|receipt", Source: "text", Confidence: 0.8}},
			Title:    "receipt", Fused: true,
			Lines: []prediction.Line{
				{Text: "Café Müller", Confidence: 0.9, Box: prediction.Box{10, 10, 300, 40}},
				{Text: "TOTAL 9.50 EUR", Confidence: 0.8, Box: prediction.Box{10, 400, 300, 430}},
			},
		},
		"sign.jpg": {
			Keywords: []prediction.Keyword{{Word: "sign", Path: "text|sign", Source: "text", Confidence: 0.9}},
			Title:    "sign", Fused: true,
			Lines: []prediction.Line{{Text: "NO PARKING: receipt required", Confidence: 0.9, Box: prediction.Box{5, 5, 500, 60}}},
		},
		"dog.jpg": {
			Keywords: []prediction.Keyword{{Word: "dog", Path: "animal|dog", Source: "objects", Confidence: 0.9}},
			Title:    "dog", Fused: true,
		},
	} {
		e := catalog.Entry{Path: "/photos/" + name, Model: set}
		fillEntry(&e, res)
		cat.Put(e)
	}
	if err := cat.Close(); err != nil {
		t.Fatal(err)
	}
	return db, func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb strings.Builder
		code := search(append([]string{"--catalog", db}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
}

// spotter search finds photos by the words of their text, after those
// whose keywords match, and says which words matched.
func TestSearchFindsText(t *testing.T) {
	_, run := searchText(t)
	code, out, errs := run("receipt")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || errs != "" || len(lines) != 2 || !strings.HasPrefix(lines[0], "/photos/receipt.jpg: receipt — ") || strings.Contains(lines[0], "text “") ||
		!strings.HasPrefix(lines[1], "/photos/sign.jpg: sign — ") || !strings.HasSuffix(lines[1], " — text “NO PARKING: receipt required”") {
		t.Errorf("search receipt: exit %d, stderr %q, output:\n%s", code, errs, out)
	}
	// Words on different lines, any case and accents; the snippet on one line.
	code, out, _ = run("total", "cafe")
	if code != 0 || !strings.HasPrefix(out, "/photos/receipt.jpg: ") || !strings.Contains(out, "text “Café Müller / TOTAL 9.50 EUR”") || strings.Count(out, "\n") != 1 {
		t.Errorf("search total cafe: exit %d, output %q", code, out)
	}
	// A match comes back with its text and lines, in --json and --csv.
	code, out, _ = run("--json", "parking")
	recs := records(t, out)
	if code != 0 || len(recs) != 1 || recs[0].Text != "NO PARKING: receipt required" || len(recs[0].Lines) != 1 || recs[0].Lines[0].Box != (prediction.Box{5, 5, 500, 60}) {
		t.Errorf("search --json parking: exit %d, %+v", code, recs)
	}
	code, out, _ = run("--csv", "--top", "1", "eur")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 2 || rows[0][len(rows[0])-1] != "text" || rows[1][len(rows[1])-1] != "Café Müller\nTOTAL 9.50 EUR" {
		t.Errorf("search --csv eur: exit %d, %q, %v", code, rows, err)
	}
}

// Whatever is typed is searched for as text: FTS5's syntax in it is no
// error, and finds what it says literally.
func TestSearchHostileWords(t *testing.T) {
	_, run := searchText(t)
	sign := []string{"/photos/sign.jpg"}
	for _, tc := range []struct {
		words, want []string
	}{
		{[]string{`"`}, nil}, {[]string{`*`}, nil}, {[]string{`-`}, nil}, {[]string{`:`}, nil},
		{[]string{`AND`}, nil}, {[]string{`OR`, `NOT`}, nil}, {[]string{`NEAR(no`, `parking)`}, nil}, // phrases: "near no"
		{[]string{`parking:`}, sign}, {[]string{`"parking`}, sign}, {[]string{`^no`}, sign}, {[]string{"--", `-parking`}, sign}, // after --, not a flag
	} {
		code, out, errs := run(tc.words...)
		if code == 2 || errs != "" {
			t.Errorf("search %q: exit %d, stderr %q", tc.words, code, errs)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if path, _, ok := strings.Cut(l, ":"); ok {
				got = append(got, path)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("search %q: %q; want %q", tc.words, got, tc.want)
		}
	}
}
