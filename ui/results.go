package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/settings"
)

// resultsView is the right-hand panel: the everyday name in large type
// (or "Not sure"), how sure the model is, the exact class beneath, and the
// runners-up with confidence bars.
// rankRow is one of the runners-up: its class, cut to fit, its
// probability and a bar beneath. Its text has no padding: with labels'
// five rows did not fit beside the photo, and a theme override to tighten
// them made Fyne load every font it uses once more (about 7 MB).
type rankRow struct {
	name, pct *textLine
	bar       *confidenceBar
	box       *fyne.Container
}

type resultsView struct {
	title      *widget.Label // the everyday name, or "Not sure"
	confidence *widget.Label
	class      *widget.Label // the exact class and its probability
	rows       []rankRow
	rankTitle  *widget.Label
	ranked     *fyne.Container
	errText    *widget.Label
	errBox     *fyne.Container
	box        *fyne.Container
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
	v.class.Wrapping = fyne.TextWrapWord

	// The rows sit inside the padding labels have, as the title's text does.
	rows := container.NewVBox()
	for range settings.MaxPredictions {
		r := rankRow{name: newTextLine(true), pct: newTextLine(false), bar: newConfidenceBar()}
		r.name.Tight, r.pct.Tight = true, true
		r.box = container.NewBorder(nil, r.bar, nil, r.pct, r.name)
		v.rows = append(v.rows, r)
		rows.Add(r.box)
	}
	v.rankTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.ranked = container.NewVBox(v.rankTitle, container.New(layout.NewCustomPaddedLayout(0, 0, theme.InnerPadding(), theme.InnerPadding()), rows))

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
			r.box.Hide()
			continue
		}
		r.name.set(preds[i].Label, fyne.TextStyle{}, widget.MediumImportance)
		r.pct.set(percent(preds[i].Probability), fyne.TextStyle{}, widget.MediumImportance)
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
