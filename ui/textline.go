package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// textLine is one line of text, cut with an ellipsis to the width it is
// given when Cut is set. widget.Label cuts text too, but builds a new
// HarfBuzz font for every label it cuts: a page of tiles took 40–90 ms of
// the UI thread (bench/fluidity, scroll by keys). Here a line is measured
// through Fyne's cache, and once when it fits.
type textLine struct {
	widget.BaseWidget
	Text       string
	TextStyle  fyne.TextStyle
	Importance widget.Importance  // the colour: Medium for text, Danger for a problem
	SizeName   fyne.ThemeSizeName // "" for the theme's text size
	Alignment  fyne.TextAlign
	Cut        bool // cut to the width given, rather than asking for the whole text's
	Tight      bool // no padding around the text, as in the ranking's rows
}

func newTextLine(cut bool) *textLine {
	l := &textLine{Cut: cut}
	l.ExtendBaseWidget(l)
	return l
}

// set shows text, style and importance, refreshing only what changed: the
// items of the list and the grid are set up again on every scroll, mostly
// with what they already show.
func (l *textLine) set(text string, style fyne.TextStyle, importance widget.Importance) {
	if l.Text == text && l.TextStyle == style && l.Importance == importance {
		return
	}
	l.Text, l.TextStyle, l.Importance = text, style, importance
	l.Refresh()
}

// SetText shows text in the line's style.
func (l *textLine) SetText(text string) { l.set(text, l.TextStyle, l.Importance) }

func (l *textLine) CreateRenderer() fyne.WidgetRenderer {
	r := &textLineRenderer{line: l, text: canvas.NewText("", nil)}
	r.Refresh()
	return r
}

type textLineRenderer struct {
	line *textLine
	text *canvas.Text
}

func (r *textLineRenderer) padding() float32 {
	if r.line.Tight {
		return 0
	}
	return r.line.Theme().Size(theme.SizeNameInnerPadding)
}

// height is a line's, whatever its text: an empty line keeps its place.
func (r *textLineRenderer) height() float32 {
	return fyne.MeasureText("M", r.text.TextSize, r.text.TextStyle).Height
}

func (r *textLineRenderer) Layout(size fyne.Size) {
	pad := r.padding()
	text := r.line.Text
	if r.line.Cut {
		text = fitText(text, size.Width-2*pad, r.text.TextSize, r.text.TextStyle)
	}
	width := fyne.MeasureText(text, r.text.TextSize, r.text.TextStyle).Width
	x := pad
	switch r.line.Alignment {
	case fyne.TextAlignTrailing:
		x = size.Width - pad - width
	case fyne.TextAlignCenter:
		x = (size.Width - width) / 2
	}
	h := r.height()
	r.text.Move(fyne.NewPos(x, (size.Height-h)/2))
	r.text.Resize(fyne.NewSize(width, h))
	if r.text.Text != text {
		r.text.Text = text
		r.text.Refresh()
	}
}

func (r *textLineRenderer) MinSize() fyne.Size {
	pad := r.padding()
	width := fyne.MeasureText("…", r.text.TextSize, r.text.TextStyle).Width
	if !r.line.Cut {
		width = fyne.MeasureText(r.line.Text, r.text.TextSize, r.text.TextStyle).Width
	}
	return fyne.NewSize(width+2*pad, r.height()+2*pad)
}

func (r *textLineRenderer) Refresh() {
	th := r.line.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	color := theme.ColorNameForeground
	if r.line.Importance == widget.DangerImportance {
		color = theme.ColorNameError
	}
	size := r.line.SizeName
	if size == "" {
		size = theme.SizeNameText
	}
	r.text.Color = th.Color(color, v)
	r.text.TextSize = th.Size(size)
	r.text.TextStyle = r.line.TextStyle
	r.Layout(r.line.Size())
	r.text.Refresh()
}

func (r *textLineRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.text} }

func (r *textLineRenderer) Destroy() {}

// fitText is text, or as much of it as fits in width followed by "…".
func fitText(text string, width, size float32, style fyne.TextStyle) string {
	if fyne.MeasureText(text, size, style).Width <= width {
		return text
	}
	runes := []rune(text)
	// The longest prefix that fits with the ellipsis, by bisection.
	lo, hi := 0, len(runes)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(runes[:mid])+"…", size, style).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return ""
	}
	return string(runes[:lo]) + "…"
}
