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

	"github.com/spotter-app/spotter/inference/prediction"
)

// Record is one photo's outcome: predictions best first, or an error.
type Record struct {
	Path        string                  `json:"path"`
	Predictions []prediction.Prediction `json:"predictions,omitempty"`
	MS          *float64                `json:"ms,omitempty"`
	Error       string                  `json:"error,omitempty"`
}

// New makes the record for a classification's outcome.
func New(path string, res prediction.Result, err error) Record {
	if err != nil {
		return Record{Path: path, Error: err.Error()}
	}
	ms := float64(res.Timing.Total().Microseconds()) / 1000
	return Record{Path: path, Predictions: res.Predictions, MS: &ms}
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
// probability pairs, milliseconds, error. Each row is flushed as written so
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
	header = append(header, "ms", "error")
	return c, c.writeRow(header)
}

// Write writes one record's row.
func (c *CSV) Write(r Record) error {
	row := []string{r.Path}
	for i := range c.top {
		if i < len(r.Predictions) {
			p := r.Predictions[i]
			row = append(row, p.Label, strconv.FormatFloat(float64(p.Probability), 'f', 6, 32))
		} else {
			row = append(row, "", "")
		}
	}
	ms := ""
	if r.MS != nil {
		ms = strconv.FormatFloat(*r.MS, 'f', 3, 64)
	}
	return c.writeRow(append(row, ms, r.Error))
}

func (c *CSV) writeRow(row []string) error {
	if err := c.w.Write(row); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}
