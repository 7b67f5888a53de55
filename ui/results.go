package ui

import (
	"fmt"
	"github.com/spotter-app/spotter/settings"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/prediction"
)

// resultsView is the right-hand panel: the everyday name in large type
// (or "Not sure"), how sure the model is, the exact class beneath, and the
// runners-up with confidence bars.
type resultsView struct {
	title      *widget.Label // the everyday name, or "Not sure"
	confidence *widget.Label
	class      *widget.Label // the exact class and its probability
	rows       []resultRow
	rankTitle  *widget.Label
	ranked     *fyne.Container
	errText    *widget.Label
	errBox     *fyne.Container
	box        *fyne.Container
}

type resultRow struct {
	name *widget.Label
	pct  *widget.Label
	bar  *confidenceBar
	box  *fyne.Container
}

func newResultsView() *resultsView {
	v := &resultsView{}
	v.title = widget.NewLabel("")
	v.title.SizeName = theme.SizeNameHeadingText
	v.title.TextStyle.Bold = true
	v.title.Wrapping = fyne.TextWrapWord
	v.confidence = widget.NewLabel("")
	v.confidence.Wrapping = fyne.TextWrapWord
	v.class = widget.NewLabel("")
	v.class.TextStyle.Italic = true
	v.class.Wrapping = fyne.TextWrapWord

	rows := container.NewVBox()
	for range settings.MaxPredictions {
		r := resultRow{name: widget.NewLabel(""), pct: widget.NewLabel(""), bar: newConfidenceBar()}
		r.name.Truncation = fyne.TextTruncateEllipsis
		r.pct.Alignment = fyne.TextAlignTrailing
		r.box = container.NewBorder(nil, r.bar, nil, r.pct, r.name)
		v.rows = append(v.rows, r)
		rows.Add(r.box)
	}
	v.rankTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.ranked = container.NewVBox(v.rankTitle, container.NewThemeOverride(rows, tight{}))

	v.errText = widget.NewLabel("")
	v.errText.Wrapping = fyne.TextWrapWord
	v.errText.Importance = widget.DangerImportance
	v.errBox = container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.ErrorIcon())), nil, v.errText)

	// The ranking is placed by the viewer, beside the answer.
	v.box = container.NewVBox(v.errBox, v.title, v.confidence, v.class)
	v.clear()
	return v
}

// clear empties the panel, for a new photo.
func (v *resultsView) clear() {
	for _, o := range []fyne.CanvasObject{v.errBox, v.title, v.confidence, v.class, v.ranked} {
		o.Hide()
	}
}

// showNote shows a short line about a photo with no answer yet.
func (v *resultsView) showNote(msg string) {
	v.clear()
	v.confidence.SetText(msg)
	v.confidence.Show()
}

func (v *resultsView) showError(msg string) {
	v.clear()
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	v.errText.SetText(msg)
	v.errBox.Show()
}

// showResult shows the everyday answer a (as "Not sure" unless sure, so a
// guess below the threshold never reads as a confident word), the exact
// class, and the first n of preds.
func (v *resultsView) showResult(a names.Answer, sure bool, threshold float32, preds []prediction.Prediction, n int) {
	v.clear()
	if len(preds) == 0 {
		v.showError("The model gave no answer for this photo. Try another photo or another model.")
		return
	}
	if sure {
		v.title.SetText(a.Name)
		v.confidence.SetText(strings.Join(append([]string{percent(a.Confidence) + " confidence"}, a.Categories...), " · "))
	} else {
		v.title.SetText("Not sure")
		v.confidence.SetText(fmt.Sprintf("No everyday name reaches %s: the likeliest, %s, has %s.",
			percent(threshold), a.Name, percent(a.Confidence)))
	}
	v.title.Show()
	v.confidence.Show()
	v.class.SetText(fmt.Sprintf("Exact class: %s, %s", a.Class, percent(a.ClassProbability)))
	v.class.Show()
	n = min(n, len(preds))
	v.rankTitle.SetText(fmt.Sprintf("Top %d", n))
	for i, r := range v.rows {
		if i >= n {
			r.name.SetText("")
			r.pct.SetText("")
			r.bar.SetValue(0)
			r.box.Hide()
			continue
		}
		r.name.SetText(preds[i].Label)
		r.pct.SetText(percent(preds[i].Probability))
		r.bar.SetValue(preds[i].Probability)
		r.box.Show()
	}
	v.ranked.Show()
}

// splitLabel separates an ImageNet label's first name from its synonyms
// ("malamute, malemute, Alaskan malamute").
func splitLabel(label string) (main, others string) {
	main, others, _ = strings.Cut(label, ",")
	return strings.TrimSpace(main), strings.TrimSpace(others)
}

func percent(p float32) string {
	if p >= 0.995 || p < 0.1 {
		return fmt.Sprintf("%.1f %%", 100*p)
	}
	return fmt.Sprintf("%.0f %%", 100*p)
}

// tight is the app's theme with less space around text, for the ranking:
// with the standard padding five runners-up and their bars did not fit
// beside the photo.
type tight struct{}

func (tight) current() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (t tight) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.current().Color(n, v)
}
func (t tight) Font(s fyne.TextStyle) fyne.Resource     { return t.current().Font(s) }
func (t tight) Icon(n fyne.ThemeIconName) fyne.Resource { return t.current().Icon(n) }
func (t tight) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameInnerPadding:
		return 2
	case theme.SizeNamePadding:
		return 2
	}
	return t.current().Size(n)
}
