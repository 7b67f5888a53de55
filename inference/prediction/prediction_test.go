package prediction

import (
	"math"
	"reflect"
	"testing"
	"time"
)

func sum(xs []float32) float64 {
	var s float64
	for _, x := range xs {
		s += float64(x)
	}
	return s
}

func TestSoftmax(t *testing.T) {
	tests := []struct {
		name   string
		logits []float32
		want   []float32 // nil: only check the invariants
	}{
		{"single", []float32{3}, []float32{1}},
		{"equal", []float32{2, 2, 2, 2}, []float32{0.25, 0.25, 0.25, 0.25}},
		{"two", []float32{0, float32(math.Log(3))}, []float32{0.25, 0.75}},
		{"negative", []float32{-1, -2, -3}, nil},
		{"mixed", []float32{1.5, -0.5, 4, 0, 2}, nil},
		{"huge", []float32{1000, 999}, []float32{
			float32(1 / (1 + math.Exp(-1))),
			float32(math.Exp(-1) / (1 + math.Exp(-1))),
		}},
		{"huge negative", []float32{-1000, -999}, []float32{
			float32(math.Exp(-1) / (1 + math.Exp(-1))),
			float32(1 / (1 + math.Exp(-1))),
		}},
		{"max float32", []float32{math.MaxFloat32, math.MaxFloat32}, []float32{0.5, 0.5}},
		{"very spread", []float32{-80, 80}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]float32(nil), tc.logits...)
			got := append([]float32(nil), tc.logits...)
			Softmax(got)
			if len(got) != len(in) {
				t.Fatalf("length changed: %d -> %d", len(in), len(got))
			}
			for i, p := range got {
				if math.IsNaN(float64(p)) || math.IsInf(float64(p), 0) || p < 0 || p > 1 {
					t.Fatalf("Softmax(%v)[%d] = %v, want a probability in [0,1]", in, i, p)
				}
			}
			if s := sum(got); math.Abs(s-1) > 1e-6 {
				t.Errorf("Softmax(%v) sums to %v, want 1", in, s)
			}
			// Order is preserved: a larger logit gives a larger (or, after
			// float32 rounding, equal) probability, and equal logits give
			// equal probabilities.
			for i := range in {
				for j := range in {
					switch {
					case in[i] > in[j] && got[i] < got[j]:
						t.Errorf("logit %v > %v but probability %v < %v", in[i], in[j], got[i], got[j])
					case in[i] == in[j] && got[i] != got[j]:
						t.Errorf("equal logits %v gave %v and %v", in[i], got[i], got[j])
					}
				}
			}
			if tc.want != nil {
				for i := range tc.want {
					if math.Abs(float64(got[i]-tc.want[i])) > 1e-6 {
						t.Errorf("Softmax(%v) = %v, want %v", in, got, tc.want)
						break
					}
				}
			}
		})
	}
}

func TestSoftmaxStrictOrder(t *testing.T) {
	got := []float32{0.1, 3, -2, 1}
	Softmax(got)
	if !(got[1] > got[3] && got[3] > got[0] && got[0] > got[2]) {
		t.Errorf("Softmax did not keep the order of distinct logits: %v", got)
	}
}

func TestSoftmaxEmpty(t *testing.T) {
	Softmax(nil)         // must not panic
	Softmax([]float32{}) // must not panic
}

func TestTopK(t *testing.T) {
	nan := float32(math.NaN())
	labels := []string{"a", "b", "c", "d", "e"}
	p := func(label string, prob float32) Prediction { return Prediction{Label: label, Probability: prob} }
	tests := []struct {
		name   string
		scores []float32
		k      int
		want   []Prediction
	}{
		{"ranking", []float32{0.1, 0.5, 0.05, 0.3, 0.05}, 3,
			[]Prediction{p("b", 0.5), p("d", 0.3), p("a", 0.1)}},
		{"k one", []float32{0.1, 0.5, 0.05, 0.3, 0.05}, 1,
			[]Prediction{p("b", 0.5)}},
		{"all ranked", []float32{0.1, 0.5, 0.05, 0.3, 0.06}, 5,
			[]Prediction{p("b", 0.5), p("d", 0.3), p("a", 0.1), p("e", 0.06), p("c", 0.05)}},
		{"ascending input", []float32{1, 2, 3, 4, 5}, 3,
			[]Prediction{p("e", 5), p("d", 4), p("c", 3)}},
		{"ties keep lower index first", []float32{0.2, 0.2, 0.2, 0.2, 0.2}, 3,
			[]Prediction{p("a", 0.2), p("b", 0.2), p("c", 0.2)}},
		{"tie at the cut", []float32{0.1, 0.3, 0.3, 0.3, 0.0}, 2,
			[]Prediction{p("b", 0.3), p("c", 0.3)}},
		{"tie behind a larger score", []float32{0.1, 0.4, 0.1, 0.9, 0.4}, 4,
			[]Prediction{p("d", 0.9), p("b", 0.4), p("e", 0.4), p("a", 0.1)}},
		{"k greater than len", []float32{0.2, 0.7, 0.1}, 10,
			[]Prediction{p("b", 0.7), p("a", 0.2), p("c", 0.1)}},
		{"k zero", []float32{0.2, 0.7, 0.1}, 0, nil},
		{"k negative", []float32{0.2, 0.7, 0.1}, -3, nil},
		{"no scores", nil, 5, nil},
		{"NaN never ranked", []float32{nan, 0.2, nan, 0.1, 0.7}, 5,
			[]Prediction{p("e", 0.7), p("b", 0.2), p("d", 0.1)}},
		{"NaN first with k one", []float32{nan, 0.2, 0.3, 0.1, 0.0}, 1,
			[]Prediction{p("c", 0.3)}},
		{"all NaN", []float32{nan, nan, nan}, 2, []Prediction{}},
		{"negative and infinite scores", []float32{-1, float32(math.Inf(-1)), -0.5, float32(math.Inf(1)), -2}, 5,
			[]Prediction{p("d", float32(math.Inf(1))), p("c", -0.5), p("a", -1), p("e", -2), p("b", float32(math.Inf(-1)))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scores := append([]float32(nil), tc.scores...)
			got := TopK(scores, labels[:len(scores)], tc.k)
			if len(got) != len(tc.want) {
				t.Fatalf("TopK(%v, k=%d) = %v, want %v", tc.scores, tc.k, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("TopK(%v, k=%d) = %v, want %v", tc.scores, tc.k, got, tc.want)
				}
				if math.IsNaN(float64(got[i].Probability)) {
					t.Fatalf("TopK ranked a NaN: %v", got)
				}
			}
			for i := range scores { // TopK must not reorder or change its input
				if scores[i] != tc.scores[i] && !(scores[i] != scores[i] && tc.scores[i] != tc.scores[i]) {
					t.Fatalf("TopK modified its input: %v -> %v", tc.scores, scores)
				}
			}
		})
	}
}

// TestTopKMatchesFullSort checks TopK against a plain stable sort on a
// bigger, ImageNet-sized input with many repeated values.
func TestTopKMatchesFullSort(t *testing.T) {
	const n = 1000
	scores := make([]float32, n)
	labels := make([]string, n)
	for i := range scores {
		scores[i] = float32((i*7919)%97) / 97 // many ties
		labels[i] = string(rune('A'+i%26)) + string(rune('0'+i%10))
	}
	scores[123] = float32(math.NaN())
	// Reference: indices sorted by score descending, index ascending.
	idx := make([]int, 0, n)
	for i := range scores {
		if scores[i] == scores[i] {
			idx = append(idx, i)
		}
	}
	for i := 1; i < len(idx); i++ { // insertion sort keeps the lower index first on ties
		for j := i; j > 0 && scores[idx[j]] > scores[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	for _, k := range []int{1, 5, 10, 97, 200, n} {
		got := TopK(scores, labels, k)
		wantLen := min(k, len(idx))
		if len(got) != wantLen {
			t.Fatalf("k=%d: got %d predictions, want %d", k, len(got), wantLen)
		}
		for j := range got {
			want := Prediction{Label: labels[idx[j]], Probability: scores[idx[j]]}
			if got[j] != want {
				t.Fatalf("k=%d: prediction %d = %v, want %v (index %d)", k, j, got[j], want, idx[j])
			}
		}
	}
}

func TestResultTop(t *testing.T) {
	if got := (Result{}).Top(); got != (Prediction{}) {
		t.Errorf("Result{}.Top() = %v, want zero Prediction", got)
	}
	if got := (Result{Predictions: []Prediction{}}).Top(); got != (Prediction{}) {
		t.Errorf("empty Result.Top() = %v, want zero Prediction", got)
	}
	r := Result{Predictions: []Prediction{{"cat", 0.9}, {"dog", 0.1}}}
	if got := r.Top(); !reflect.DeepEqual(got, Prediction{"cat", 0.9}) {
		t.Errorf("Top() = %v, want cat 0.9", got)
	}
}

func TestTimingTotal(t *testing.T) {
	tm := Timing{Decode: 3 * time.Millisecond, Preprocess: 2 * time.Millisecond, Inference: 10 * time.Millisecond}
	if got := tm.Total(); got != 15*time.Millisecond {
		t.Errorf("Total() = %v, want 15ms", got)
	}
	if got := (Timing{}).Total(); got != 0 {
		t.Errorf("zero Timing Total() = %v, want 0", got)
	}
}
