package catalog

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// withText gives e recognised lines, one per string, each boxed below the
// one before.
func withText(e Entry, lines ...string) Entry {
	e.Lines = nil
	for i, l := range lines {
		y := float32(40 * i)
		e.Lines = append(e.Lines, Line{Text: l, Confidence: 0.9 - float32(i)/100, Box: Box{10, y, 300, y + 30}})
	}
	return e
}

// names are the file names of entries, in order.
func names(entries []Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = filepath.Base(e.Path)
	}
	return out
}

// indexSound checks that the full-text index holds exactly the texts
// table's rows: FTS5's own check compares the index with its content, and
// a row left behind by a deleted result would be an orphan here.
func indexSound(t *testing.T, c *Catalog) {
	t.Helper()
	if _, err := c.db.Exec(`INSERT INTO text_search(text_search, rank) VALUES('integrity-check', 1)`); err != nil {
		t.Errorf("the full-text index disagrees with its texts: %v", err)
	}
	var orphans int
	if err := c.db.QueryRow(`SELECT count(*) FROM texts t LEFT JOIN results r
		ON r.photo_id = t.photo_id AND r.model_id = t.model_id WHERE r.photo_id IS NULL`).Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("%d texts without their result (%v)", orphans, err)
	}
}

func textCount(t *testing.T, c *Catalog) int {
	t.Helper()
	var n int
	if err := c.db.QueryRow(`SELECT count(*) FROM texts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Lines come back as they went in, follow a copy found by content, and
// go, from the index too, when the photo is classified again without
// text, changes or is forgotten.
func TestLinesRoundTrip(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	p, fi := photo(t, dir, "receipt.jpg", content(1, 100))
	e, _, err := c.Lookup(p, fi, setAB)
	if err != nil {
		t.Fatal(err)
	}
	e = withText(fused(e, "receipt"), "Café Müller", "TOTAL 12.50 EUR", `a "quoted" line`)
	c2 := putReopen(t, c, &e, p)

	// A copy is found by content; its text goes with it into search.
	cp, _ := photo(t, dir, "copy.jpg", content(1, 100))
	if hit := mustHit(t, c2, cp, setAB); !reflect.DeepEqual(hit.Lines, e.Lines) {
		t.Errorf("the copy's lines: %+v", hit.Lines)
	}
	if err := c2.Flush(); err != nil {
		t.Fatal(err)
	}
	if n, err := c2.Count(Filter{Text: "muller"}); err != nil || n != 2 {
		t.Errorf("photos reading Müller after the copy: %d, %v; want 2", n, err)
	}

	// Classified again: the same text leaves the index as it was, no text
	// takes the photo out of it.
	c2.Put(e)
	c2.Put(withText(fused(Entry{Path: cp, Size: e.Size, MTime: e.MTime, Fingerprint: e.Fingerprint}, "receipt")))
	if err := c2.Flush(); err != nil {
		t.Fatal(err)
	}
	if found, err := c2.Search(Filter{Text: "total"}, 10); err != nil || !slices.Equal(names(found), []string{"receipt.jpg"}) {
		t.Errorf("search after the copy lost its text: %v, %v; want the original alone", names(found), err)
	}
	if hit := mustHit(t, c2, cp, setAB); hit.Lines != nil {
		t.Errorf("the copy still has lines: %+v", hit.Lines)
	}
	indexSound(t, c2)

	if err := c2.Forget(p, cp); err != nil {
		t.Fatal(err)
	}
	if n := textCount(t, c2); n != 0 {
		t.Errorf("%d texts left after forgetting every photo", n)
	}
	indexSound(t, c2)
}

// A copy found by content over a photo with another model's answer
// replaces that answer: its text leaves the index with it.
func TestCopyReplacesText(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	p, fi := photo(t, dir, "a.jpg", content(1, 100))
	q, fq := photo(t, dir, "b.jpg", content(1, 100))
	at := func(path string, fi os.FileInfo, m Model) Entry {
		return Entry{Path: path, Size: fi.Size(), MTime: fi.ModTime(), Model: m}
	}
	c.Put(withText(fused(at(p, fi, setAB), "receipt"), "TOTAL 12.50"))
	c.Put(withText(classified(at(p, fi, modelA), "envelope", 0.9), "new words"))
	// b.jpg was known with other times, so it is looked up by content.
	old := at(q, fq, modelA)
	old.MTime = old.MTime.Add(-time.Hour)
	c.Put(withText(classified(old, "envelope", 0.9), "old words"))
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if hit := mustHit(t, c, q, setAB); hit.Lines[0].Text != "TOTAL 12.50" {
		t.Errorf("the copy's lines: %+v", hit.Lines)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	for words, want := range map[string]int{"old words": 0, "new words": 2, "total": 2} {
		if n, err := c.Count(Filter{Text: words}); err != nil || n != want {
			t.Errorf("%q: %d results, %v; want %d", words, n, err, want)
		}
	}
	indexSound(t, c)
}

// A photo without text has no row in texts: the index costs it nothing.
func TestNoTextNoRow(t *testing.T) {
	c, _ := openTemp(t)
	c.Put(fused(Entry{Path: "/p/1.jpg"}, "dog"))
	c.Put(withText(fused(Entry{Path: "/p/2.jpg"}, "sign"), "STOP"))
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := textCount(t, c); n != 1 {
		t.Errorf("%d texts; want 1, the photo with text", n)
	}
	var stored string
	if err := c.db.QueryRow(`SELECT lines FROM results r JOIN photos p ON p.id = r.photo_id WHERE p.path = CAST('/p/1.jpg' AS BLOB)`).Scan(&stored); err != nil || stored != "[]" {
		t.Errorf("lines of a photo without text: %q, %v", stored, err)
	}
}

// Search finds photos by the words of their text, after those whose
// keywords or names match, best match first; the window's Count and Page
// find them too.
func TestSearchByText(t *testing.T) {
	c, _ := openTemp(t)
	// The keyword "receipt", and the word in its text as well.
	c.Put(withText(fused(Entry{Path: "/p/keyword.jpg"}, "receipt"), "RECEIPT", "Thank you"))
	// The word alone, short: the best match by its text.
	c.Put(withText(fused(Entry{Path: "/p/short.jpg"}, "sign"), "receipt receipt"))
	// The word once among many: a weaker match.
	c.Put(withText(fused(Entry{Path: "/p/long.jpg"}, "sign"),
		"Please keep this receipt as proof of purchase for returns and exchanges within thirty days"))
	// Every word, on different lines, in another order.
	c.Put(withText(fused(Entry{Path: "/p/cafe.jpg"}, "person"), "Café Müller", "TOTAL 12.50 EUR", "Thank you for visiting"))
	c.Put(withText(fused(Entry{Path: "/p/failed.jpg"}, "sign"), "receipt"))
	c.Put(Entry{Path: "/p/failed.jpg", Model: setAB, Error: "cut off"})
	// The classifier alone, another model.
	c.Put(withText(classified(Entry{Path: "/p/alone.jpg", Model: modelA}, "envelope", 0.9), "receipt enclosed"))
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}

	found, err := c.Search(Filter{Text: "receipt"}, 10)
	if want := []string{"keyword.jpg", "short.jpg", "alone.jpg", "long.jpg"}; err != nil || !slices.Equal(names(found), want) {
		t.Fatalf("search receipt: %v, %v; want %v", names(found), err, want)
	}
	if found[0].Snippet != "" || !strings.Contains(found[1].Snippet, "receipt") || !strings.Contains(found[3].Snippet, "receipt") {
		t.Errorf("snippets %q; want none for the keyword's match, the words for the text's", []string{found[0].Snippet, found[1].Snippet, found[3].Snippet})
	}
	if !strings.Contains(found[3].Snippet, "…") || len(found[3].Snippet) >= len(found[3].Lines[0].Text) {
		t.Errorf("the long line's snippet %q is not a part of it", found[3].Snippet)
	}
	if got, _ := c.Search(Filter{Text: "receipt"}, 2); !slices.Equal(names(got), []string{"keyword.jpg", "short.jpg"}) {
		t.Errorf("search receipt, 2: %v", names(got))
	}

	cases := []struct {
		f    Filter
		want []string
	}{
		{Filter{Text: "thank total"}, []string{"cafe.jpg"}},             // every word, any line, any order
		{Filter{Text: "thank nothing"}, nil},                            // one word missing
		{Filter{Text: "cafe muller"}, []string{"cafe.jpg"}},             // case and accents folded
		{Filter{Text: "12.50"}, []string{"cafe.jpg"}},                   // a phrase of 12 then 50
		{Filter{Text: "50.12"}, nil},                                    //
		{Filter{Text: "visit"}, []string{"cafe.jpg"}},                   // the last word as a prefix
		{Filter{Text: "visit thank"}, nil},                              // only the last
		{Filter{Text: "receipt", Model: modelA}, []string{"alone.jpg"}}, // the model
		{Filter{Text: "receipt", Model: setAB, Keyword: "sign"}, []string{"long.jpg", "short.jpg"}},
		{Filter{Text: "thank", People: &Span{1, 1}}, []string{"cafe.jpg"}}, // the people
	}
	for _, tc := range cases {
		found, err := c.Search(tc.f, 10)
		got := names(found)
		slices.Sort(got)
		page, perr := c.Page(tc.f, 0, 10)
		listed := names(page)
		slices.Sort(listed)
		n, cerr := c.Count(tc.f)
		if err != nil || perr != nil || cerr != nil || !slices.Equal(got, tc.want) || !slices.Equal(listed, tc.want) || n != len(tc.want) {
			t.Errorf("%+v: Search %v (%v), Page %v (%v), Count %d (%v); want %v", tc.f, got, err, listed, perr, n, cerr, tc.want)
		}
	}
}

// What a person types is matched as text: FTS5's syntax in it is never an
// error, and none of it is read as an operator.
func TestHostileTextQueries(t *testing.T) {
	c, _ := openTemp(t)
	c.Put(withText(fused(Entry{Path: "/p/sign.jpg"}, "sign"), `NO PARKING - tow-away zone: "keep clear"`, "AND OR NOT NEAR"))
	c.Put(withText(fused(Entry{Path: "/p/other.jpg"}, "sign"), "parking free"))
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	hostile := []string{`"`, `""`, `"keep`, `clear"`, `*`, `-`, `:`, `^`, `(`, `)`, `()`, `{`, `}`, `+`,
		`AND`, `OR`, `NOT`, `NEAR`, `AND OR`, `parking NOT tow`, `parking OR nothing`, `NEAR(parking tow)`,
		`body:parking`, `{body}: parking`, `- parking`, `*parking`, `parking*`, `^parking`, `"parking" AND "zone"`,
		`'`, `\`, `%`, `_`, "nul\x00byte", "tab\there", "🙂", "日本語", strings.Repeat("parking ", 500)}
	for _, q := range hostile {
		if _, err := c.Search(Filter{Text: q}, 10); err != nil {
			t.Errorf("Search %q: %v", q, err)
		}
		if _, err := c.Count(Filter{Text: q}); err != nil {
			t.Errorf("Count %q: %v", q, err)
		}
		if _, err := c.Page(Filter{Text: q, Model: setAB}, 0, 10); err != nil {
			t.Errorf("Page %q: %v", q, err)
		}
	}
	cases := []struct {
		q    string
		want []string
	}{
		{`parking NOT tow`, []string{"sign.jpg"}},        // NOT is a word the sign holds
		{`parking OR nothing`, nil},                      // OR is a word: nothing is missing
		{`- parking`, []string{"other.jpg", "sign.jpg"}}, // a lone - is no operator
		{`"keep clear"`, []string{"sign.jpg"}},           // quotes are the text's
		{`tow-away`, []string{"sign.jpg"}},               // a phrase of tow then away
		{`away-tow`, nil},                                //
		{`body:parking`, nil},                            // no column filter: "body" is a word
		{`zone:`, []string{"sign.jpg"}},                  //
		{`NEAR parking`, []string{"sign.jpg"}},           //
	}
	for _, tc := range cases {
		found, err := c.Search(Filter{Text: tc.q}, 10)
		got := names(found)
		slices.Sort(got)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("search %q: %v, %v; want %v", tc.q, got, err, tc.want)
		}
	}
}

func TestMatchQuery(t *testing.T) {
	for q, want := range map[string]string{
		"receipt":        `"receipt"*`,
		"  total   eur ": `"total" "eur"*`,
		`say "hi"`:       `"say" """hi"""*`,
		"tow-away zone:": `"tow-away" "zone:"*`,
		"- * : ^":        "",
		"":               "",
		"12.50 -":        `"12.50"*`,
		"NOT a":          `"NOT" "a"*`,
		"Ünïcödé":        `"Ünïcödé"*`,
		"x\x00y\tz":      `"x" "y" "z"*`,
	} {
		if got := matchQuery(q); got != want {
			t.Errorf("matchQuery(%q) = %q; want %q", q, got, want)
		}
	}
}

// A catalogue of the model sets' release (step 2) is brought up to date:
// its answers stay, found as before and without text, and answers with
// text are kept and searched beside them.
func TestMigrationFromVersion2(t *testing.T) {
	c := openMigrated(t, migrations[0]+migrations[1]+`PRAGMA user_version = 2;
		INSERT INTO models(id, name, sha256) VALUES(1, '`+setAB.Name+`', '`+setAB.SHA256+`');
		INSERT INTO photos(id, path, base, size, mtime_ns, fingerprint, added_ns) VALUES(1, CAST('/p/old.jpg' AS BLOB), CAST('old.jpg' AS BLOB), 10, 1, X'00', 1);
		INSERT INTO results(photo_id, model_id, at_ns, outcome, name, confidence, categories, top_category, fused, title, keywords)
			VALUES(1, 1, 5, 'ok', 'envelope', 0.9, '["object"]', 'object', 1, 'dog', '[{"w":"dog","p":"animal|dog","s":"objects","c":0.9}]');
		INSERT INTO keywords(photo_id, model_id, word, at_ns) VALUES(1, 1, 'dog', 5);`)
	old, err := c.Search(Filter{Text: "dog"}, 10)
	if err != nil || len(old) != 1 || old[0].Title != "dog" || len(old[0].Keywords) != 1 || old[0].Lines != nil {
		t.Fatalf("the old answer: %+v, %v", old, err)
	}
	c.Put(withText(fused(Entry{Path: "/p/new.jpg"}, "sign"), "dog park"))
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if found, err := c.Search(Filter{Text: "dog"}, 10); err != nil || !slices.Equal(names(found), []string{"old.jpg", "new.jpg"}) {
		t.Errorf("search dog: %v, %v; want the old answer by keyword, the new by its text", names(found), err)
	}
	if n, err := c.Count(Filter{Keyword: "dog"}); err != nil || n != 1 {
		t.Errorf("keyword dog: %d, %v", n, err)
	}
	indexSound(t, c)
}
