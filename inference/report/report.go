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

	"github.com/spotter-app/spotter/inference/prediction"
)

// Record is one photo's outcome: its everyday name with the summed
// confidence and the category path, the predictions best first, or an
// error.
type Record struct {
	Path        string                  `json:"path"`
	Name        string                  `json:"name,omitempty"`
	Confidence  *float32                `json:"confidence,omitempty"`
	Categories  []string                `json:"categories,omitempty"`
	Predictions []prediction.Prediction `json:"predictions,omitempty"`
	MS          *float64                `json:"ms,omitempty"`
	// Cached is set on every classified photo: true when the answer came
	// from the catalogue rather than the model.
	Cached *bool  `json:"cached,omitempty"`
	Error  string `json:"error,omitempty"`
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
// categories (joined by "|", broadest first) and cached. The columns added
// later come last, so scripts reading the older ones by position still
// work. Each row is flushed as written so
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
	header = append(header, "ms", "error", "name", "confidence", "categories", "cached")
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
	cached := ""
	if r.Cached != nil {
		cached = strconv.FormatBool(*r.Cached)
	}
	return c.writeRow(append(row, ms, r.Error, r.Name, confidence, strings.Join(r.Categories, "|"), cached))
}

func probability(p float32) string { return strconv.FormatFloat(float64(p), 'f', 6, 32) }

func (c *CSV) writeRow(row []string) error {
	if err := c.w.Write(row); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}
