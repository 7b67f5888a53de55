package ui

import (
	"cmp"
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

// rankRow is one of the runners-up: its class, cut to fit, its
// probability and a bar beneath. Its text has no padding: with labels'
// five rows did not fit beside the photo, and a theme override to tighten
// them made Fyne load every font it uses once more (about 7 MB).
type rankRow struct {
	name, pct *textLine
	bar       *confidenceBar
	box       *fyne.Container
}

// resultsView is the answer beneath the photo: the title or everyday name
// in large type (or "Not sure"), what was seen or how sure the model is,
// the words read in the photo, and the classifier's ranking with
// confidence bars, headed by its own view beside a model set's answer.
type resultsView struct {
	title      *widget.Label // the title or everyday name, or "Not sure"
	confidence *widget.Label // what was seen, or the everyday name's confidence
	class      *widget.Label // the classifier's exact class, when it alone answered
	rows       []rankRow
	rankTitle  *widget.Label
	ranked     *fyne.Container
	errText    *widget.Label
	errBox     *fyne.Container
	box        *fyne.Container
	// The words read, shown only for a photo with text. Selectable, for a
	// person who wants a part of them; scrolled within a few lines, so a
	// page of text leaves the answer and its buttons in view.
	text     *widget.Label
	copyText *widget.Button
	textBox  *fyne.Container
}

// textRows is how many lines of the words read are in view at once.
const textRows = 5

// newResultsView makes the panel; copyText copies the words read in the
// photo shown.
func newResultsView(copyText func()) *resultsView {
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
	v.rankTitle.Wrapping = fyne.TextWrapWord
	v.ranked = container.NewVBox(v.rankTitle, container.New(layout.NewCustomPaddedLayout(0, 0, theme.InnerPadding(), theme.InnerPadding()), rows))

	v.errText = widget.NewLabel("")
	v.errText.Wrapping = fyne.TextWrapWord
	v.errText.Importance = widget.DangerImportance
	v.errBox = container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.ErrorIcon())), nil, v.errText)

	v.text = widget.NewLabel("")
	v.text.Selectable = true
	v.text.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(v.text)
	row := fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{}).Height
	scroll.SetMinSize(fyne.NewSize(0, textRows*row+2*theme.InnerPadding()))
	v.copyText = widget.NewButtonWithIcon("Copy text", theme.ContentCopyIcon(), copyText)
	head := widget.NewLabelWithStyle("Text in the photo", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.textBox = container.NewVBox(container.NewBorder(nil, nil, nil, v.copyText, head), scroll)

	// The ranking and the text are placed by the viewer.
	v.box = container.NewVBox(v.errBox, v.title, v.confidence, v.class)
	v.clear()
	return v
}

// clear empties the panel, for a new photo.
func (v *resultsView) clear() {
	for _, o := range []fyne.CanvasObject{v.errBox, v.title, v.confidence, v.class, v.ranked, v.textBox} {
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

// showResult shows a photo's answer: for the model set, its title and the
// people and objects seen, and beside them the classifier's own view with
// its first n classes; for the classifier alone, its everyday name, exact
// class and first n classes. Either reads "Not sure" unless Spotter is,
// so a guess never reads as a confident word.
func (v *resultsView) showResult(res prediction.Result, threshold float32, n int) {
	v.clear()
	preds := res.Predictions
	if len(preds) == 0 {
		v.showError("The model gave no answer for this photo. Try another photo or another model.")
		return
	}
	a := answerOf(res)
	n = min(n, len(preds))
	v.rankTitle.SetText(fmt.Sprintf("Top %d", n))
	switch {
	case res.Fused:
		v.title.SetText(cmp.Or(res.Title, "Not sure"))
		v.confidence.SetText(strings.Join(seen(res), "\n"))
		v.rankTitle.SetText(classifierView(a, threshold))
	case a.Sure(threshold):
		v.title.SetText(a.Name)
		v.confidence.SetText(strings.Join(append([]string{percent(a.Confidence) + " confidence"}, a.Categories...), " · "))
		v.class.SetText(fmt.Sprintf("Exact class: %s, %s", a.Class, percent(a.ClassProbability)))
		v.class.Show()
	default:
		v.title.SetText("Not sure")
		v.confidence.SetText(fmt.Sprintf("No everyday name reaches %s: the likeliest, %s, has %s.",
			percent(threshold), a.Name, percent(a.Confidence)))
		v.class.SetText(fmt.Sprintf("Exact class: %s, %s", a.Class, percent(a.ClassProbability)))
		v.class.Show()
	}
	v.title.Show()
	v.confidence.Show()
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
	if len(res.Lines) > 0 {
		v.text.SetText(res.Text())
		v.textBox.Show()
	}
}

// classifierView heads the classifier's ranking beside a model set's
// answer: its everyday name, how sure, and its exact class where that
// says more ("The classifier alone: dog, 85 % (malamute)").
func classifierView(a names.Answer, threshold float32) string {
	lead := "The classifier alone: "
	if !a.Sure(threshold) {
		lead = "The classifier alone is not sure: "
	}
	s := lead + a.Name + ", " + percent(a.Confidence)
	if class, _ := splitLabel(a.Class); class != a.Name {
		s += " (" + class + ")"
	}
	return s
}

// seen says what the detectors found, a line each: the people and faces
// ("3 people, 2 faces"), then each other kind of object with its best
// score and how many there are ("horse 64 % (×2)"). A line each, because
// a label wraps at any space, parting a score from its "%".
func seen(res prediction.Result) []string {
	var lines, who []string
	if res.People > 0 {
		who = append(who, count(res.People, "person", "people"))
	}
	if len(res.Faces) > 0 {
		who = append(who, count(len(res.Faces), "face", "faces"))
	}
	if len(who) > 0 {
		lines = append(lines, strings.Join(who, ", "))
	}
	var order []string
	best, many := map[string]float32{}, map[string]int{}
	for _, o := range res.Objects {
		if o.Name == "person" {
			continue // counted as people
		}
		if many[o.Name] == 0 {
			order = append(order, o.Name)
		}
		many[o.Name]++
		best[o.Name] = max(best[o.Name], o.Score)
	}
	for _, name := range order {
		s := name + " " + percent(best[name])
		if many[name] > 1 {
			s += fmt.Sprintf(" (×%d)", many[name])
		}
		lines = append(lines, s)
	}
	if len(lines) == 0 {
		lines = append(lines, "Spotter found no people and no objects it knows.")
	}
	return lines
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

// count says how many in words: "1 person", "3 people".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
