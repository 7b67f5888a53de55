// Package report writes classification results in the formats scripts and
// spreadsheets read: JSON Lines, a JSON array and CSV, all with the same
// fields, for the command line and the window's export alike.
package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/library/keywords"
)

// Record is one photo's outcome: its everyday name with the summed
// confidence and the category path, the predictions best first, with
// the model set the objects, faces, people count, keywords and title, and
// the text recognised in it; or an error.
type Record struct {
	Path        string                  `json:"path"`
	Name        string                  `json:"name,omitempty"`
	Confidence  *float32                `json:"confidence,omitempty"`
	Categories  []string                `json:"categories,omitempty"`
	Predictions []prediction.Prediction `json:"predictions,omitempty"`
	MS          *float64                `json:"ms,omitempty"`
	// Cached is set on every classified photo: true when the answer came
	// from the catalogue rather than the model.
	Cached  *bool               `json:"cached,omitempty"`
	Objects []prediction.Object `json:"objects,omitempty"`
	Faces   []prediction.Face   `json:"faces,omitempty"`
	// People is set when the detectors ran: a count of 0 is an answer,
	// not a gap.
	People *int `json:"people,omitempty"`
	// Keywords are the words spotter tag would write at the default
	// threshold, so a script sees exactly what tagging would do.
	Keywords []string `json:"keywords,omitempty"`
	Title    string   `json:"title,omitempty"`
	// Sure is set on every classified photo: whether Spotter is sure of
	// anything in it at the default threshold.
	Sure *bool `json:"sure,omitempty"`
	// Text is the recognised text, its lines joined by newlines; Lines
	// each line with its confidence and box. Both only when there is text.
	Text  string            `json:"text,omitempty"`
	Lines []prediction.Line `json:"lines,omitempty"`
	Error string            `json:"error,omitempty"`
}

// New makes the record for a classification's outcome; cached says the
// answer came from the catalogue.
func New(path string, res prediction.Result, err error, cached bool) Record {
	if err != nil {
		return Record{Path: path, Error: err.Error()}
	}
	r := Record{Path: path, Predictions: res.Predictions, Cached: &cached}
	if !cached { // an answer from the catalogue took no time worth a number
		ms := float64(res.Timing.Total().Microseconds()) / 1000
		r.MS = &ms
	}
	if a := res.Everyday; a.Name != "" {
		r.Name, r.Confidence, r.Categories = a.Name, &a.Confidence, a.Categories
	}
	sure := res.Sure(names.DefaultThreshold)
	r.Sure, r.Keywords, r.Title = &sure, keywords.Suggest(res, names.DefaultThreshold), res.Title
	r.Text, r.Lines = res.Text(), res.Lines
	if res.Fused {
		people := res.People
		r.Objects, r.Faces, r.People = res.Objects, res.Faces, &people
	}
	return r
}

// JSONLines writes one record per line as it comes.
type JSONLines struct{ enc *json.Encoder }

// NewJSONLines writes to w.
func NewJSONLines(w io.Writer) *JSONLines {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSONLines{enc: enc}
}

// Write writes one line.
func (j *JSONLines) Write(r Record) error { return j.enc.Encode(r) }

// WriteJSON writes all records as one indented JSON array, for a file.
func WriteJSON(w io.Writer, records []Record) error {
	if records == nil {
		records = []Record{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(records)
}

// CSV writes a header, then one row per record: path, top label and
// probability pairs, milliseconds, error, then everyday name, confidence,
// categories (joined by "|", broadest first) and cached, then people,
// keywords (joined by ";"), title, sure and objects ("person 0.912000;dog
// 0.870000"), then text (the recognised lines, a newline between them,
// inside the quoted field). The columns added later come last, so scripts
// reading the older ones by position still work. Each row is flushed as written so
// a script reading a pipe sees it at once.
type CSV struct {
	w   *csv.Writer
	top int
}

// NewCSV writes the header for top predictions per photo.
func NewCSV(w io.Writer, top int) (*CSV, error) {
	c := &CSV{w: csv.NewWriter(w), top: top}
	header := []string{"path"}
	for i := 1; i <= top; i++ {
		header = append(header, fmt.Sprintf("label_%d", i), fmt.Sprintf("probability_%d", i))
	}
	header = append(header, "ms", "error", "name", "confidence", "categories", "cached",
		"people", "keywords", "title", "sure", "objects", "text")
	return c, c.writeRow(header)
}

// Write writes one record's row.
func (c *CSV) Write(r Record) error {
	confidence := ""
	if r.Confidence != nil {
		confidence = strconv.FormatFloat(float64(*r.Confidence), 'f', 6, 32)
	}
	row := []string{r.Path}
	for i := range c.top {
		if i < len(r.Predictions) {
			p := r.Predictions[i]
			row = append(row, p.Label, probability(p.Probability))
		} else {
			row = append(row, "", "")
		}
	}
	ms := ""
	if r.MS != nil {
		ms = strconv.FormatFloat(*r.MS, 'f', 3, 64)
	}
	people := ""
	if r.People != nil {
		people = strconv.Itoa(*r.People)
	}
	objects := make([]string, len(r.Objects))
	for i, o := range r.Objects {
		objects[i] = o.Name + " " + probability(o.Score)
	}
	return c.writeRow(append(row, ms, r.Error, r.Name, confidence, strings.Join(r.Categories, "|"), boolean(r.Cached),
		people, strings.Join(r.Keywords, ";"), r.Title, boolean(r.Sure), strings.Join(objects, ";"), r.Text))
}

// boolean is a set flag's value, or empty where the record has none (an
// error's row).
func boolean(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

func probability(p float32) string { return strconv.FormatFloat(float64(p), 'f', 6, 32) }

func (c *CSV) writeRow(row []string) error {
	if err := c.w.Write(row); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}
