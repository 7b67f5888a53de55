package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/prediction"
)

// answered is a result as the classifier gives it for a photo of a dog,
// with the everyday answer of the real ImageNet table.
func answered(t *testing.T) prediction.Result {
	t.Helper()
	table := names.ImageNet()
	probs := make([]float32, table.Len())
	// malamute, Siberian husky and kite.
	probs[249], probs[250], probs[21] = 0.4, 0.35, 0.25
	return prediction.Result{
		Predictions: []prediction.Prediction{{Label: "malamute", Probability: 0.4}, {Label: "Siberian husky", Probability: 0.35}},
		Everyday:    table.Answer(probs),
		Timing:      prediction.Timing{Decode: 2 * time.Millisecond, Inference: 1500 * time.Microsecond},
	}
}

func TestJSONLinesCarryTheEverydayAnswer(t *testing.T) {
	var buf bytes.Buffer
	out := NewJSONLines(&buf)
	if err := out.Write(New("a/dog & co.jpg", answered(t), nil, false)); err != nil {
		t.Fatal(err)
	}
	if err := out.Write(New("b.jpg", prediction.Result{}, errors.New("b.jpg is empty (0 bytes)"), false)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	if got["path"] != "a/dog & co.jpg" || got["name"] != "dog" || got["cached"] != false || got["ms"] != 3.5 {
		t.Errorf("record %s", lines[0])
	}
	if c, ok := got["confidence"].(float64); !ok || c < 0.749 || c > 0.751 {
		t.Errorf("confidence %v, want the dog classes summed (0.75)", got["confidence"])
	}
	if cats, _ := got["categories"].([]any); len(cats) != 1 || cats[0] != "animal" {
		t.Errorf("categories %v", got["categories"])
	}
	if !strings.Contains(lines[0], "&") {
		t.Errorf("HTML escaping in %s", lines[0])
	}
	if lines[1] != `{"path":"b.jpg","error":"b.jpg is empty (0 bytes)"}` {
		t.Errorf("error record %s", lines[1])
	}
}

// A model without a table of names gives records without an everyday
// answer rather than empty fields.
func TestNoNameTableNoNameFields(t *testing.T) {
	res := answered(t)
	res.Everyday = names.Answer{}
	b, err := json.Marshal(New("c.jpg", res, nil, true))
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"name"`, `"confidence"`, `"categories"`} {
		if bytes.Contains(b, []byte(field)) {
			t.Errorf("%s in %s", field, b)
		}
	}
	if !bytes.Contains(b, []byte(`"cached":true`)) {
		t.Errorf("no cached in %s", b)
	}
}

func TestCSVColumns(t *testing.T) {
	var buf bytes.Buffer
	out, err := NewCSV(&buf, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Record{
		New("dog, \"best\".jpg", answered(t), nil, false),
		New("again.jpg", answered(t), nil, true),
		New("b.jpg", prediction.Result{}, errors.New("b.jpg is a PDF document"), false),
	} {
		if err := out.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"path", "label_1", "probability_1", "label_2", "probability_2", "label_3", "probability_3", "ms", "error", "name", "confidence", "categories", "cached"},
		{"dog, \"best\".jpg", "malamute", "0.400000", "Siberian husky", "0.350000", "", "", "3.500", "", "dog", "0.750000", "animal", "false"},
		// An answer from the catalogue took no time worth a number.
		{"again.jpg", "malamute", "0.400000", "Siberian husky", "0.350000", "", "", "", "", "dog", "0.750000", "animal", "true"},
		{"b.jpg", "", "", "", "", "", "", "", "b.jpg is a PDF document", "", "", "", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %q", rows)
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d:\n got %q\nwant %q", i, rows[i], want[i])
		}
	}
}

func TestWriteJSONArray(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, nil); err != nil || strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("no records: %q, %v", buf.String(), err)
	}
	buf.Reset()
	if err := WriteJSON(&buf, []Record{New("a.jpg", answered(t), nil, false)}); err != nil {
		t.Fatal(err)
	}
	var back []Record
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 || back[0].Name != "dog" || *back[0].Confidence < 0.749 || back[0].Predictions[1].Label != "Siberian husky" {
		t.Errorf("read back %+v", back)
	}
}
