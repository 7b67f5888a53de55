package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// A runner-up's class longer than its column is cut with an ellipsis and
// ends before the probability; one that fits is shown whole.
func TestRankRowFitsItsColumn(t *testing.T) {
	test.NewTempApp(t)
	const long = "German shepherd, German shepherd dog, German police dog, alsatian"
	r := newRankRow()
	r.set(long, "6.5 %", 0.065)
	rr := test.TempWidgetRenderer(t, r).(*rankRenderer)
	size := theme.TextSize()
	for _, width := range []float32{600, 200, 80} {
		r.Resize(fyne.NewSize(width, r.MinSize().Height))
		shown := rr.name.Text
		if w := fyne.MeasureText(shown, size, fyne.TextStyle{}).Width; rr.name.Position().X+w > rr.pct.Position().X {
			t.Errorf("width %.0f: %q (%.0f px) runs into the probability at %.0f", width, shown, w, rr.pct.Position().X)
		}
		if fits := fyne.MeasureText(long, size, fyne.TextStyle{}).Width <= width-rr.pct.MinSize().Width-rankGap; fits != (shown == long) {
			t.Errorf("width %.0f: shown %q", width, shown)
		}
		if shown != long && (!strings.HasSuffix(shown, "…") || !strings.HasPrefix(long, strings.TrimSuffix(shown, "…"))) {
			t.Errorf("width %.0f: %q is not the start of the class and an ellipsis", width, shown)
		}
		if rr.pct.Text != "6.5 %" || rr.pct.Position().X+rr.pct.Size().Width != width {
			t.Errorf("width %.0f: probability %q at %v, want it at the right edge", width, rr.pct.Text, rr.pct.Position())
		}
	}
}
