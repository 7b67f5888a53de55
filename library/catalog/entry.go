package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Model identifies the model a result came from: the descriptor's name and the
// SHA-256 of its .onnx file, so a retrained model with the same name counts as
// another model.
type Model struct {
	Name   string
	SHA256 string
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
	// Error is the message when the photo could not be classified; then the
	// fields above are empty.
	Error string

	// When the result was stored.
	When time.Time
	// Missing: the file was not there when last checked (CheckMissing).
	Missing bool
	// Cached: Lookup answered from the catalogue.
	Cached bool
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
