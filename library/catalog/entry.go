package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Model identifies the model a result came from: the descriptor's name and the
// SHA-256 of its .onnx file, so a retrained model with the same name counts as
// another model. A result of several models run together is keyed by their
// set (ModelSet).
type Model struct {
	Name   string
	SHA256 string
}

// ModelSet identifies the answer of several models run together: their names
// joined by " + " and the SHA-256 of their SHA-256s in order, so changing any
// of them classifies the photos again while the older answers stay under
// their own key. A set of one is that model, whose answers from before model
// sets were keyed so.
func ModelSet(members ...Model) Model {
	if len(members) == 1 {
		return members[0]
	}
	names := make([]string, len(members))
	h := sha256.New()
	for i, m := range members {
		names[i] = m.Name
		io.WriteString(h, m.SHA256)
	}
	return Model{Name: strings.Join(names, " + "), SHA256: hex.EncodeToString(h.Sum(nil))}
}

// Prediction is one class and its probability.
type Prediction struct {
	Label       string
	Probability float32
}

// Entry is what the catalogue knows of one photo for one model.
type Entry struct {
	Path        string
	Size        int64
	MTime       time.Time
	Fingerprint Fingerprint
	Model       Model

	// Predictions are best first.
	Predictions []Prediction
	// Name is the everyday name ("butterfly"), Confidence the summed
	// probability of its classes, Categories its category path broadest first
	// ("animal", …); Class and ClassProbability the top class.
	Name             string
	Confidence       float32
	Categories       []string
	Class            string
	ClassProbability float32
	// Fused is set for the answer of a model set (the classifier with
	// detectors): Objects and Faces, best first, with boxes in the upright
	// photo's pixels, whose size is Width × Height; People counted from
	// them; Keywords the words Spotter is sure of, the most telling first;
	// Title the photo's name for a person, "" when Spotter is sure of
	// nothing.
	Fused         bool
	Title         string
	People        int
	Keywords      []Keyword
	Objects       []Object
	Faces         []Face
	Width, Height int
	// Lines is the text recognised in the photo, in reading order, each
	// line with its box in the same pixels; nil when it holds none or text
	// recognition did not run.
	Lines []Line
	// Error is the message when the photo could not be classified; then the
	// fields above are empty.
	Error string

	// When the result was stored.
	When time.Time
	// Missing: the file was not there when last checked (CheckMissing,
	// or the watcher saw it go).
	Missing bool
	// Offline: it is missing because the drive of its library folder is
	// away (unmounted); it comes back with the drive.
	Offline bool
	// Cached: Lookup answered from the catalogue.
	Cached bool
	// Snippet is, for a photo Search found by its recognised text alone,
	// the words around the match ("… TOTAL 12.50 EUR …"), so a person sees
	// why it was found.
	Snippet string
}

// Box is x1, y1, x2, y2 in the upright photo's pixels.
type Box [4]float32

// Keyword is one word of a fused answer: its path under its categories
// ("animal|dog"), the source that saw it and how sure that source was.
// The short JSON names are how it is stored.
type Keyword struct {
	Word       string  `json:"w"`
	Path       string  `json:"p"`
	Source     string  `json:"s"`
	Confidence float32 `json:"c"`
}

// Object is one thing the object detector found: its everyday name, the
// detector's label, score, box and keyword path.
type Object struct {
	Name  string  `json:"n"`
	Label string  `json:"l"`
	Score float32 `json:"s"`
	Box   Box     `json:"b"`
	Path  string  `json:"p"`
}

// Face is one face the face detector found, with its five landmarks.
type Face struct {
	Score     float32       `json:"s"`
	Box       Box           `json:"b"`
	Landmarks [5][2]float32 `json:"m"`
}

// Line is one line of recognised text: its words, how sure the
// recogniser was of them (0 to 1) and its box.
type Line struct {
	Text       string  `json:"t"`
	Confidence float32 `json:"c"`
	Box        Box     `json:"b"`
}

// text is what the full-text index holds of lines: their words, a line
// to a line.
func text(lines []Line) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = l.Text
	}
	return strings.Join(parts, "\n")
}

// ReviewState is what the person decided about a suggested keyword.
type ReviewState string

// The review states. A rejected keyword is never suggested again for that
// photo; a written one is in the photo's sidecar.
const (
	Accepted ReviewState = "accepted"
	Rejected ReviewState = "rejected"
	Written  ReviewState = "written"
)

type modelKey struct {
	path  string
	size  int64
	mtime time.Time
}

var modelHashes sync.Map // modelKey → string

// ModelFor identifies the model whose descriptor is called name and whose
// weights are onnxPath. The file is hashed once per process and while its size
// and modification time stay the same.
func ModelFor(name, onnxPath string) (Model, error) {
	fi, err := os.Stat(onnxPath)
	if err != nil {
		return Model{}, fmt.Errorf("the model file %s cannot be read: %w", onnxPath, err)
	}
	key := modelKey{onnxPath, fi.Size(), fi.ModTime()}
	if sum, ok := modelHashes.Load(key); ok {
		return Model{Name: name, SHA256: sum.(string)}, nil
	}
	f, err := os.Open(onnxPath)
	if err != nil {
		return Model{}, fmt.Errorf("the model file %s cannot be read: %w", onnxPath, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return Model{}, fmt.Errorf("the model file %s cannot be read: %w", onnxPath, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	modelHashes.Store(key, sum)
	return Model{Name: name, SHA256: sum}, nil
}
