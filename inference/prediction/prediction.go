// Package prediction holds what a classification returns and the ranking
// maths on scores. It depends on nothing but the pure names table, so that
// the UI can use these types without linking ONNX Runtime.
package prediction

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/spotter-app/spotter/inference/names"
)

// Prediction is one class with its probability in [0, 1].
type Prediction struct {
	Label       string  `json:"label"`
	Probability float32 `json:"probability"`
}

// Timing splits the work on one image so slow steps can be found.
type Timing struct {
	Decode     time.Duration
	Preprocess time.Duration
	Inference  time.Duration
	// Text is the time text recognition took, zero for a photo the gate
	// kept away from it.
	Text time.Duration
}

// Total is the time for the whole image.
func (t Timing) Total() time.Duration { return t.Decode + t.Preprocess + t.Inference + t.Text }

// Result is what Spotter sees in one image: the classifier's ranked classes,
// best first, and, with detectors, the objects, faces and people in it, and
// from all of them the keywords Spotter is sure of (package fuse).
type Result struct {
	Predictions []Prediction
	// Everyday is the classifier's answer in words people search for
	// ("butterfly"), summed over all the classes with that name; zero when
	// the model's descriptor names no table.
	Everyday names.Answer
	// Objects are the detector's finds worth showing, best first; Faces the
	// face detector's. Boxes are in the upright photo's pixels, whose size
	// is Size.
	Objects []Object
	Faces   []Face
	Size    [2]int
	// People is how many people the photo shows, counted from the
	// detector's person boxes.
	People int
	// Keywords are the words Spotter is sure of, the most telling first;
	// Title names the photo for a person ("person, dog, horse", "3 people",
	// "mountain"), empty when Spotter is not sure of anything.
	Keywords []Keyword
	Title    string
	// Fused is set when the keywords came from the model set (package fuse);
	// a result of the classifier alone has none and reads by Everyday.
	Fused bool
	// TextLikely is how much the classifier took the photo for one of
	// text (a menu, a web site, a street sign): what decides whether text
	// recognition runs on it. It is not kept.
	TextLikely float32
	// Lines is the text recognised in the photo, in reading order; empty
	// when the photo holds none or text recognition did not run on it.
	Lines  []Line
	Timing Timing
}

// Line is one line of recognised text. Confidence is Tesseract's mean over
// the line's words, in [0, 1].
type Line struct {
	Text       string  `json:"text"`
	Confidence float32 `json:"confidence"`
	Box        Box     `json:"box"`
}

// Text is the recognised text, lines joined by newlines.
func (r Result) Text() string {
	parts := make([]string, len(r.Lines))
	for i, l := range r.Lines {
		parts[i] = l.Text
	}
	return strings.Join(parts, "\n")
}

// Box is x1, y1, x2, y2 in the upright photo's pixels.
type Box [4]float32

// Object is one thing the detector found.
type Object struct {
	Name  string  `json:"name"`  // everyday name, "sofa"
	Label string  `json:"label"` // the detector's label, "couch"
	Score float32 `json:"score"`
	Box   Box     `json:"box"`
	// Path is the hierarchical keyword ("animal|dog").
	Path string `json:"-"`
}

// Face is one face, with its five landmarks (eyes, nose tip, mouth corners).
type Face struct {
	Score     float32       `json:"score"`
	Box       Box           `json:"box"`
	Landmarks [5][2]float32 `json:"landmarks"`
}

// Keyword is one word Spotter would write, where it came from and how sure
// the source was.
type Keyword struct {
	Word string `json:"word"`
	// Path is the word under its categories, root first ("animal|dog",
	// "people|person"), for hierarchical keywords.
	Path       string  `json:"path"`
	Source     string  `json:"source"` // "objects", "faces" or "classifier"
	Confidence float32 `json:"confidence"`
}

// Sure reports whether Spotter is sure of anything in the photo: for a
// fused result, whether it has keywords; for the classifier alone, whether
// its everyday answer reaches threshold.
func (r Result) Sure(threshold float32) bool {
	if r.Fused {
		return len(r.Keywords) > 0
	}
	return r.Everyday.Sure(threshold)
}

// Words lists the keywords' words.
func (r Result) Words() []string {
	out := make([]string, len(r.Keywords))
	for i, k := range r.Keywords {
		out[i] = k.Word
	}
	return out
}

// Top returns the best prediction, or a zero Prediction when there is none.
func (r Result) Top() Prediction {
	if len(r.Predictions) == 0 {
		return Prediction{}
	}
	return r.Predictions[0]
}

// Softmax turns logits into probabilities in place. It subtracts the
// maximum first so large logits do not overflow float32.
func Softmax(scores []float32) {
	if len(scores) == 0 {
		return
	}
	maxScore := scores[0]
	for _, s := range scores[1:] {
		if s > maxScore {
			maxScore = s
		}
	}
	var sum float64
	for i, s := range scores {
		e := math.Exp(float64(s - maxScore))
		scores[i] = float32(e)
		sum += e
	}
	for i := range scores {
		scores[i] = float32(float64(scores[i]) / sum)
	}
}

// TopK returns the k highest scores with their labels, best first. Ties keep
// the lower index first so results are stable across runs. NaN scores are
// never ranked: a model that produces them has failed, and showing "NaN %"
// would mislead.
func TopK(scores []float32, labels []string, k int) []Prediction {
	if k > len(scores) {
		k = len(scores)
	}
	if k <= 0 {
		return nil
	}
	idx := make([]int, 0, k+1)
	for i, s := range scores {
		if s != s {
			continue
		}
		if len(idx) == k && !(s > scores[idx[k-1]]) {
			continue
		}
		// Insertion into a short sorted slice beats sorting 1000 scores.
		pos := sort.Search(len(idx), func(j int) bool { return scores[idx[j]] < s })
		idx = append(idx, 0)
		copy(idx[pos+1:], idx[pos:])
		idx[pos] = i
		if len(idx) > k {
			idx = idx[:k]
		}
	}
	out := make([]Prediction, len(idx))
	for j, i := range idx {
		out[j] = Prediction{Label: labels[i], Probability: scores[i]}
	}
	return out
}
