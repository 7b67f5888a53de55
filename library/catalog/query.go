package catalog

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode"
)

// Filter chooses results for Count, Page and Search.
type Filter struct {
	// Model: only this model's results; the zero Model means every model's.
	Model Model
	// Text matches, ignoring ASCII case, part of the everyday name, the class,
	// a category or the file name, or a fused answer's keyword whole; or
	// words of the text recognised in the photo: every word Text holds, in
	// any order, its last one also as the start of a longer word.
	Text string
	// Category keeps results of the classifier alone with this category at
	// any level whose confidence is at least Threshold, as Facets counts
	// them.
	Category string
	// Keyword keeps fused results with this keyword, as Facets counts them.
	Keyword string
	// People, when set, keeps fused results counting People.Min to
	// People.Max people, both included.
	People *Span
	// NotSure keeps classified photos Spotter is sure of nothing in: fused
	// answers without keywords, and the classifier's alone whose confidence
	// is below Threshold.
	NotSure   bool
	Threshold float32
	// Before keeps results stored before this time: the window lists what
	// it classifies itself apart, and its pages must not shift as it does.
	Before time.Time
}

// textPart is which of Filter.Text's matches a query wants.
type textPart int

const (
	// fieldsOrWords: the fields or the recognised text, as Count and Page
	// list them.
	fieldsOrWords textPart = iota
	// fieldsOnly: the name, class, categories, file name or a keyword.
	fieldsOnly
	// notFields: none of the fields; the query matches the recognised
	// text itself (Search's second pass).
	notFields
)

// where is the filter's SQL condition and arguments; ok is false when nothing
// can match (a model never seen).
func (c *Catalog) where(f Filter, part textPart) (cond string, args []any, ok bool, err error) {
	conds := []string{"1"}
	if f.Model != (Model{}) {
		id, known, err := c.modelID(f.Model)
		if err != nil || !known {
			return "", nil, false, err
		}
		if f.Text != "" {
			// Matching text reads every row anyway: in table order, not
			// jumping through the model index row by row (20 times faster).
			conds = append(conds, "+r.model_id = ?")
		} else {
			conds = append(conds, "r.model_id = ?")
		}
		args = append(args, id)
	}
	if f.Text != "" {
		pat := likePattern(f.Text)
		fields := `(r.name LIKE ? ESCAPE '\' OR r.class LIKE ? ESCAPE '\'
			OR r.categories LIKE ? ESCAPE '\' OR p.base LIKE ? ESCAPE '\'
			OR ` + hasKeyword + `)`
		args = append(args, pat, pat, pat, pat, strings.ToLower(f.Text))
		words := matchQuery(f.Text)
		switch {
		case part == notFields:
			fields = "NOT " + fields
		case part == fieldsOrWords && words != "":
			fields = "(" + fields + " OR " + hasWords + ")"
			args = append(args, words)
		}
		conds = append(conds, fields)
	}
	if f.Category != "" {
		conds = append(conds, `r.outcome = 'ok' AND NOT r.fused AND r.confidence >= ?
			AND EXISTS (SELECT 1 FROM json_each(r.categories) WHERE value = ?)`)
		args = append(args, f.Threshold, f.Category)
	}
	if f.Keyword != "" {
		conds = append(conds, hasKeyword)
		args = append(args, f.Keyword)
	}
	if f.People != nil {
		conds = append(conds, `r.fused AND r.people BETWEEN ? AND ?`)
		args = append(args, f.People.Min, f.People.Max)
	}
	if !f.Before.IsZero() {
		conds = append(conds, `r.at_ns < ?`)
		args = append(args, f.Before.UnixNano())
	}
	if f.NotSure {
		conds = append(conds, `r.outcome = 'ok' AND `+notSure)
		args = append(args, f.Threshold)
	}
	return strings.Join(conds, " AND "), args, true, nil
}

// Span is a range of counts, both ends included.
type Span struct{ Min, Max int }

// hasKeyword keeps results with the keyword given as its argument. The
// keywords with that word are found through their index once, not looked
// up for every result.
const hasKeyword = `(r.photo_id, r.model_id) IN (SELECT photo_id, model_id FROM keywords WHERE word = ?)`

// hasWords keeps results whose recognised text matches the FTS5 query
// given as its argument (matchQuery): the index answers once, as for
// hasKeyword.
const hasWords = `(r.photo_id, r.model_id) IN (SELECT photo_id, model_id FROM texts
	WHERE id IN (SELECT rowid FROM text_search WHERE text_search MATCH ?))`

// matchQuery is the FTS5 query for what a person typed, matching it as
// written: each word a quoted string, so that " * - : ^ ( ) and AND, OR,
// NOT, NEAR are plain text, never syntax ("12.50" is then 12 followed by
// 50); every word required, the last also as a prefix, for a word still
// being typed. Control characters part words as spaces do (FTS5 reads a
// NUL as the query's end). A word without a letter or digit is left out,
// since the index holds none; "" when no word is left.
func matchQuery(s string) string {
	var words []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		if strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			words = append(words, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
		}
	}
	if len(words) == 0 {
		return ""
	}
	return strings.Join(words, " ") + "*"
}

// notSure holds for a result Spotter is sure of nothing in, given the
// threshold as its argument: a fused answer without keywords, or the
// classifier's alone below the threshold.
const notSure = `CASE WHEN r.fused THEN r.keywords = '[]' ELSE r.confidence < ? END`

func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// Count is how many results the filter keeps.
func (c *Catalog) Count(f Filter) (int, error) {
	cond, args, ok, err := c.where(f, fieldsOrWords)
	if err != nil || !ok {
		return 0, err
	}
	from := "results r"
	if f.Text != "" {
		from += " CROSS JOIN photos p ON p.id = r.photo_id"
	}
	var n int
	err = c.db.QueryRow(`SELECT count(*) FROM `+from+` WHERE `+cond, args...).Scan(&n)
	return n, err
}

// Page is limit results the filter keeps, newest first, skipping offset.
func (c *Catalog) Page(f Filter, offset, limit int) ([]Entry, error) {
	cond, args, ok, err := c.where(f, fieldsOrWords)
	if err != nil || !ok {
		return nil, err
	}
	args = append(args, limit, offset)
	return c.entries(false, `SELECT `+entryColumns+entryFrom+` WHERE `+cond+`
		ORDER BY r.at_ns DESC, r.photo_id DESC, r.model_id LIMIT ? OFFSET ?`, args...)
}

// Search is up to limit classified photos the filter keeps, with as many
// people as f.People. First those whose name, class, category or file name
// contains f.Text or who have it as a keyword, most confident first: what
// Spotter saw in the photo; then those found by the words of their
// recognised text alone, the best match first (FTS5's bm25), each with its
// Snippet. The zero Model searches every model's results.
func (c *Catalog) Search(f Filter, limit int) ([]Entry, error) {
	cond, args, ok, err := c.where(f, fieldsOnly)
	if err != nil || !ok {
		return nil, err
	}
	// Walking the confidence index stops at limit once enough rows match;
	// a word no name or keyword holds, as most words of a photo's text
	// are not, walked all of it, looking up each row. With text, then,
	// the rows are read in table order and the matches sorted. At 100,000
	// photos (BenchmarkCatalogue100k) a word of the text took 0.95 s and
	// takes 0.2 s; a name a tenth of the photos have 0.1 s, now 0.16 s;
	// one model's 50 most confident butterflies 5 ms, now 0.1 s.
	order := "r.confidence DESC"
	if f.Text != "" {
		order = "+" + order
	}
	out, err := c.entries(false, `SELECT `+entryColumns+entryFrom+` WHERE `+cond+` AND r.outcome = 'ok'
		ORDER BY `+order+`, r.photo_id LIMIT ?`, append(args, limit)...)
	words := matchQuery(f.Text)
	if err != nil || words == "" || len(out) == limit {
		return out, err
	}
	if cond, args, _, err = c.where(f, notFields); err != nil {
		return out, err
	}
	// The index drives: it finds the few results with the words, then the
	// rest of the filter reads their rows.
	args = append(append([]any{words}, args...), limit-len(out))
	byText, err := c.entries(true, `SELECT `+entryColumns+`, snippet(text_search, 0, '', '', '…', 10)
		FROM text_search CROSS JOIN texts t ON t.id = text_search.rowid
		CROSS JOIN results r ON r.photo_id = t.photo_id AND r.model_id = t.model_id
		CROSS JOIN photos p ON p.id = r.photo_id CROSS JOIN models m ON m.id = r.model_id
		WHERE text_search MATCH ? AND `+cond+` AND r.outcome = 'ok'
		ORDER BY bm25(text_search), r.confidence DESC, r.photo_id LIMIT ?`, args...)
	return append(out, byText...), err
}

// entries runs an entry query; with snippet, its last column is the
// entry's Snippet.
func (c *Catalog) entries(snippet bool, query string, args ...any) ([]Entry, error) {
	rows, err := c.db.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var (
			s     string
			extra []any
		)
		if snippet {
			extra = append(extra, &s)
		}
		e, err := scanEntry(rows, extra...)
		if err != nil {
			return nil, err
		}
		e.Snippet = s
		out = append(out, e)
	}
	return out, rows.Err()
}

// Facet is a top category or a keyword and how many results hold it.
type Facet struct {
	Name  string
	Count int
}

// Facets sums up one model's results, most first: the classifier's alone
// that are confident (at least threshold) by top category; fused ones by
// each of their keywords, so a photo of a person and a dog counts under
// both; the classified ones Spotter is sure of nothing in; and failures.
type Facets struct {
	Categories []Facet
	Keywords   []Facet
	NotSure    int
	Failed     int
}

// Facets counts m's results for the window's category list. A non-zero
// before counts only results stored before it, as Filter.Before lists them.
func (c *Catalog) Facets(m Model, threshold float32, before time.Time) (Facets, error) {
	var out Facets
	id, known, err := c.modelID(m)
	if err != nil || !known {
		return out, err
	}
	limit := int64(math.MaxInt64)
	if !before.IsZero() {
		limit = before.UnixNano()
	}
	// One pass over the index, summed here. A fused result counts by its
	// keywords below, not by category.
	rows, err := c.db.Query(`SELECT outcome, fused, top_category, confidence >= ?, count(*)
		FROM results INDEXED BY results_facets WHERE model_id = ? AND at_ns < ?
		GROUP BY outcome, fused, top_category, confidence >= ?`, threshold, id, limit, threshold)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	fused := 0
	for rows.Next() {
		var (
			outcome, cat  string
			isFused, sure bool
			n             int
		)
		if err := rows.Scan(&outcome, &isFused, &cat, &sure, &n); err != nil {
			return out, err
		}
		switch {
		case outcome == "error":
			out.Failed += n
		case isFused:
			fused += n
		case !sure:
			out.NotSure += n
		default:
			out.Categories = append(out.Categories, Facet{cat, n})
		}
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	if fused > 0 {
		var sure int
		if out.Keywords, sure, err = c.keywordFacets(id, limit); err != nil {
			return out, err
		}
		out.NotSure += fused - sure
	}
	for _, fs := range [][]Facet{out.Categories, out.Keywords} {
		slices.SortFunc(fs, func(a, b Facet) int {
			if a.Count != b.Count {
				return cmp.Compare(b.Count, a.Count)
			}
			return strings.Compare(a.Name, b.Name)
		})
	}
	return out, nil
}

// keywordFacets counts model id's fused results stored before limit by
// keyword, and how many have any: the rest are those Spotter is not sure
// of.
func (c *Catalog) keywordFacets(id, limit int64) (facets []Facet, sure int, err error) {
	rows, err := c.db.Query(`SELECT word, count(*) FROM keywords WHERE model_id = ? AND at_ns < ? GROUP BY word`, id, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var f Facet
		if err := rows.Scan(&f.Name, &f.Count); err != nil {
			return nil, 0, err
		}
		facets = append(facets, f)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	err = c.db.QueryRow(`SELECT count(DISTINCT photo_id) FROM keywords WHERE model_id = ? AND at_ns < ?`, id, limit).Scan(&sure)
	return facets, sure, err
}

// SetReview records the person's decision about keyword for the photo at path.
// The photo must be in the catalogue.
func (c *Catalog) SetReview(path, keyword string, state ReviewState) error {
	switch state {
	case Accepted, Rejected, Written:
	default:
		return errors.New("a review is accepted, rejected or written, not " + string(state))
	}
	var found bool
	err := c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		res, err := tx.Exec(`INSERT INTO reviews(photo_id, keyword, state, at_ns)
			SELECT id, ?, ?, ? FROM photos WHERE path = ?
			ON CONFLICT(photo_id, keyword) DO UPDATE SET state = excluded.state, at_ns = excluded.at_ns`,
			keyword, string(state), time.Now().UnixNano(), []byte(path))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		found = n > 0
		return err
	})
	if err == nil && !found {
		err = errors.New(path + " is not in the catalogue yet: classify it before reviewing its keywords.")
	}
	return err
}

// Reviews are the decisions recorded for the photo at path, by keyword.
func (c *Catalog) Reviews(path string) (map[string]ReviewState, error) {
	rows, err := c.db.Query(`SELECT r.keyword, r.state FROM reviews r JOIN photos p ON p.id = r.photo_id
		WHERE p.path = ?`, []byte(path))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]ReviewState{}
	for rows.Next() {
		var k, s string
		if err := rows.Scan(&k, &s); err != nil {
			return nil, err
		}
		out[k] = ReviewState(s)
	}
	return out, rows.Err()
}

var errNotDir = syscall.ENOTDIR

// checkChunk is how many photos CheckMissing reads at a time, so a large
// catalogue is never all in memory.
const checkChunk = 500

// CheckMissing looks at every photo's file and flags those that are gone (and
// unflags those that are back), without removing anything. It returns how many
// are missing.
func (c *Catalog) CheckMissing(ctx context.Context) (int, error) {
	var last int64
	total := 0
	for {
		type row struct {
			id      int64
			path    string
			missing bool
		}
		rows, err := c.db.QueryContext(ctx, `SELECT id, path, missing FROM photos WHERE id > ? ORDER BY id LIMIT ?`, last, checkChunk)
		if err != nil {
			return total, err
		}
		var chunk []row
		for rows.Next() {
			var r row
			var p []byte
			if err := rows.Scan(&r.id, &p, &r.missing); err != nil {
				rows.Close()
				return total, err
			}
			r.path = string(p)
			chunk = append(chunk, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, err
		}
		if len(chunk) == 0 {
			return total, nil
		}
		last = chunk[len(chunk)-1].id
		var flip []row
		for _, r := range chunk {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			gone := isGone(r.path)
			if gone {
				total++
			}
			if gone != r.missing {
				r.missing = gone
				flip = append(flip, r)
			}
		}
		if len(flip) == 0 || c.readOnly {
			continue
		}
		err = c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
			for _, r := range flip {
				if _, err := tx.Exec(`UPDATE photos SET missing = ? WHERE id = ?`, r.missing, r.id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
	}
}
