package text

import (
	"slices"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/prediction"
)

func lines(conf float32, texts ...string) []prediction.Line {
	out := make([]prediction.Line, len(texts))
	for i, t := range texts {
		out[i] = prediction.Line{Text: t, Confidence: conf}
	}
	return out
}

func TestName(t *testing.T) {
	prose := lines(0.9, strings.Repeat("the committee approved these measures ", 2), "States passed laws in response",
		"to the federal standard", "while others sought to establish", "restrictions that would make it",
		"more difficult to acquire", "products and penalties for", "violators and requirements")
	for _, c := range []struct {
		name string
		res  prediction.Result
		page Page
		want []string
	}{
		{"a page of prose", prediction.Result{}, Page{Lines: prose, Format: "jpeg", Flat: 0.7, Dark: 0.1}, []string{"document", "text"}},
		{"a light screenshot", prediction.Result{}, Page{Lines: prose, Format: "png", Flat: 0.8, Dark: 0.1}, []string{"screenshot", "text"}},
		{"a dark terminal saved as JPEG", prediction.Result{}, Page{Lines: prose, Format: "jpeg", Flat: 0.6, Dark: 0.9}, []string{"screenshot", "text"}},
		{"a photo of a page, not flat", prediction.Result{}, Page{Lines: prose, Format: "png", Flat: 0.1}, []string{"document", "text"}},
		{"a receipt", prediction.Result{}, Page{Lines: lines(0.8, "Order 1135 Cashier Eric", "Grande Meal 9.90", "Bean Burrito 10.00", "Drink 3.94")},
			[]string{"receipt", "document", "text"}},
		{"prices without a receipt's words", prediction.Result{}, Page{Lines: lines(0.8, "apples 9.90", "pears 10.00", "plums 3.94")}, []string{"text"}},
		{"a sign in a script not read", prediction.Result{Predictions: []prediction.Prediction{{Label: "street sign", Probability: 0.98}}}, Page{}, []string{"sign"}},
		{"noise read as letters", prediction.Result{}, Page{Lines: lines(0.15, "Gly Sete Mat Cane", "oi T fi")}, nil},
		{"two short words", prediction.Result{}, Page{Lines: lines(0.9, "NO LITTER")}, nil},
	} {
		res := c.res
		Name(&res, c.page)
		if got := res.Words(); !slices.Equal(got, c.want) {
			t.Errorf("%s: keywords %v, want %v", c.name, got, c.want)
		}
		if len(c.want) > 0 && res.Title == "" {
			t.Errorf("%s: no title", c.name)
		}
	}
}

// Lines Tesseract is barely sure of are not kept: they are noise taken for
// letters, and would make search find the photo by words it does not hold.
func TestNameKeepsOnlyLinesWorthKeeping(t *testing.T) {
	res := prediction.Result{}
	Name(&res, Page{Lines: slices.Concat(lines(0.1, "x;,. ~"), lines(0.3, "Social Reformer", `. z "i`), lines(0.6, "4 2.00 B"))})
	if res.Text() != "Social Reformer\n4 2.00 B" {
		t.Errorf("kept %q", res.Text())
	}
}

func TestWanted(t *testing.T) {
	if Wanted(prediction.Result{TextLikely: 0.06}) || !Wanted(prediction.Result{TextLikely: 0.42}) {
		t.Error("the gate lets 0.06 through or keeps 0.42 out")
	}
}
