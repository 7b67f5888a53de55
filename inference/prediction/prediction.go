// Package prediction holds what a classification returns and the ranking
// maths on scores. It depends on nothing but the pure names table, so that
// the UI can use these types without linking ONNX Runtime.
package prediction

import (
	"math"
	"sort"
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
}

// Total is the time for the whole image.
func (t Timing) Total() time.Duration { return t.Decode + t.Preprocess + t.Inference }

// Result is the ranked answer for one image, best first.
type Result struct {
	Predictions []Prediction
	// Everyday is the answer in words people search for ("butterfly"),
	// summed over all the classes with that name; zero when the model's
	// descriptor names no table.
	Everyday names.Answer
	Timing   Timing
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
