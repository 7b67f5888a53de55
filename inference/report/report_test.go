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

// fused is the model set's answer for a person walking a dog: the
// classifier's "dog" beside the detectors' objects, a face and keywords.
func fused(t *testing.T) prediction.Result {
	t.Helper()
	r := answered(t)
	r.Fused, r.People, r.Title, r.Size = true, 1, "person, dog", [2]int{640, 480}
	r.Objects = []prediction.Object{
		{Name: "person", Label: "person", Score: 0.9, Box: prediction.Box{10, 20, 110, 400}, Path: "people|person"},
		{Name: "dog", Label: "dog", Score: 0.8, Box: prediction.Box{200, 300, 320, 420}, Path: "animal|dog"},
	}
	r.Faces = []prediction.Face{{Score: 0.7, Box: prediction.Box{40, 30, 80, 80}, Landmarks: [5][2]float32{{50, 45}, {70, 45}, {60, 55}, {52, 68}, {68, 68}}}}
	r.Keywords = []prediction.Keyword{
		{Word: "person", Path: "people|person", Source: "objects", Confidence: 0.9},
		{Word: "dog", Path: "animal|dog", Source: "objects", Confidence: 0.8},
	}
	return r
}

// withText is r with the lines of a sign read in the photo.
func withText(r prediction.Result) prediction.Result {
	r.Lines = []prediction.Line{
		{Text: "Beware of the dog", Confidence: 0.92, Box: prediction.Box{12, 40, 300, 80}},
		{Text: `"Max", 3 years`, Confidence: 0.71, Box: prediction.Box{12, 90, 210.5, 120}},
	}
	return r
}

// The recognised text is the whole text and each line, only where there
// is some.
func TestJSONLinesCarryTheText(t *testing.T) {
	b, err := json.Marshal(New("sign.jpg", withText(fused(t)), nil, false))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Text  *string
		Lines []struct {
			Text       string
			Confidence float32
			Box        [4]float32
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Text == nil || *got.Text != "Beware of the dog\n\"Max\", 3 years" || len(got.Lines) != 2 ||
		got.Lines[1].Text != `"Max", 3 years` || got.Lines[1].Confidence != 0.71 || got.Lines[1].Box != [4]float32{12, 90, 210.5, 120} {
		t.Errorf("record %s", b)
	}
	for _, res := range []prediction.Result{fused(t), answered(t)} {
		b, err := json.Marshal(New("plain.jpg", res, nil, false))
		if err != nil || bytes.Contains(b, []byte(`"text"`)) || bytes.Contains(b, []byte(`"lines"`)) {
			t.Errorf("a photo without text: %s, %v", b, err)
		}
	}
}

// The model set's answer carries what it found as the command line's
// --json help names it; the keywords are spotter tag's.
func TestJSONLinesCarryTheModelSet(t *testing.T) {
	b, err := json.Marshal(New("p.jpg", fused(t), nil, false))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Objects []struct {
			Name, Label string
			Score       float32
			Box         [4]float32
		}
		Faces []struct {
			Score     float32
			Box       [4]float32
			Landmarks [5][2]float32
		}
		People   *int
		Keywords []string
		Title    string
		Sure     *bool
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Objects) != 2 || got.Objects[1].Name != "dog" || got.Objects[1].Label != "dog" || got.Objects[1].Box != [4]float32{200, 300, 320, 420} ||
		len(got.Faces) != 1 || got.Faces[0].Landmarks[4] != [2]float32{68, 68} || got.People == nil || *got.People != 1 ||
		!slices.Equal(got.Keywords, []string{"person", "dog"}) || got.Title != "person, dog" || got.Sure == nil || !*got.Sure {
		t.Errorf("record %s", b)
	}
	if bytes.Contains(b, []byte(`"path":"people|person"`)) || bytes.Contains(b, []byte("animal|dog")) {
		t.Errorf("the keywords' paths are the sidecar's, not the record's: %s", b)
	}

	// Nothing found is an answer too: no people, no keywords, not sure.
	none := fused(t)
	none.Objects, none.Faces, none.Keywords, none.People, none.Title = nil, nil, nil, 0, ""
	b, err = json.Marshal(New("empty.jpg", none, nil, false))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"people":0`)) || !bytes.Contains(b, []byte(`"sure":false`)) || bytes.Contains(b, []byte(`"keywords"`)) {
		t.Errorf("a fused answer with nothing in it: %s", b)
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
		New("fused.jpg", withText(fused(t)), nil, true),
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
		{"path", "label_1", "probability_1", "label_2", "probability_2", "label_3", "probability_3", "ms", "error", "name", "confidence", "categories", "cached",
			"people", "keywords", "title", "sure", "objects", "text"},
		// The classifier alone: no people count, its everyday name the keyword.
		{"dog, \"best\".jpg", "malamute", "0.400000", "Siberian husky", "0.350000", "", "", "3.500", "", "dog", "0.750000", "animal", "false",
			"", "dog", "", "true", "", ""},
		// An answer from the catalogue took no time worth a number.
		{"again.jpg", "malamute", "0.400000", "Siberian husky", "0.350000", "", "", "", "", "dog", "0.750000", "animal", "true",
			"", "dog", "", "true", "", ""},
		{"b.jpg", "", "", "", "", "", "", "", "b.jpg is a PDF document", "", "", "", "", "", "", "", "", "", ""},
		{"fused.jpg", "malamute", "0.400000", "Siberian husky", "0.350000", "", "", "", "", "dog", "0.750000", "animal", "true",
			"1", "person;dog", "person, dog", "true", "person 0.900000;dog 0.800000", "Beware of the dog\n\"Max\", 3 years"},
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
