package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// A line longer than its width is cut with an ellipsis and stays inside
// it; one that fits is shown whole; a line not cut asks for its width.
func TestTextLineFitsItsWidth(t *testing.T) {
	test.NewTempApp(t)
	const long = "German shepherd, German shepherd dog, German police dog, alsatian"
	l := newTextLine(true)
	l.set(long, fyne.TextStyle{Bold: true}, widget.MediumImportance)
	r := test.TempWidgetRenderer(t, l).(*textLineRenderer)
	size, pad := theme.TextSize(), theme.InnerPadding()
	whole := fyne.MeasureText(long, size, l.TextStyle).Width
	for _, width := range []float32{whole + 2*pad + 1, 200, 60} {
		l.Resize(fyne.NewSize(width, l.MinSize().Height))
		shown := r.text.Text
		if w := fyne.MeasureText(shown, size, l.TextStyle).Width; r.text.Position().X+w > width-pad {
			t.Errorf("width %.0f: %q (%.0f px from %.0f) runs past the padding", width, shown, w, r.text.Position().X)
		}
		if fits := whole <= width-2*pad; fits != (shown == long) {
			t.Errorf("width %.0f: shown %q", width, shown)
		}
		if shown != long && (!strings.HasSuffix(shown, "…") || !strings.HasPrefix(long, strings.TrimSuffix(shown, "…"))) {
			t.Errorf("width %.0f: %q is not the start of the text and an ellipsis", width, shown)
		}
	}
	if l.MinSize().Width >= 60 {
		t.Errorf("a cut line asks for %.0f px", l.MinSize().Width)
	}

	pct := newTextLine(false)
	pct.Alignment = fyne.TextAlignTrailing
	pct.set("6.5 %", fyne.TextStyle{}, widget.DangerImportance)
	pr := test.TempWidgetRenderer(t, pct).(*textLineRenderer)
	pct.Resize(fyne.NewSize(200, pct.MinSize().Height))
	if w := fyne.MeasureText("6.5 %", size, fyne.TextStyle{}).Width; pct.MinSize().Width != w+2*pad ||
		pr.text.Position().X+pr.text.Size().Width != 200-pad {
		t.Errorf("a whole line asks for %.0f px and ends at %.0f; want %.0f and %.0f",
			pct.MinSize().Width, pr.text.Position().X+pr.text.Size().Width, w+2*pad, 200-pad)
	}
	if pr.text.Color != theme.Color(theme.ColorNameError) {
		t.Errorf("a line of danger importance is drawn in %v", pr.text.Color)
	}
}
