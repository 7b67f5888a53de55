package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rankRow is one of the runners-up: its class, cut to fit with an
// ellipsis, its probability at the right and a bar beneath. It draws text
// on the canvas rather than in labels: labels' padding kept five rows from
// fitting beside the photo, and a theme override to tighten it made Fyne
// load every font it uses once more for that part of the window (about
// 7 MB of font tables).
type rankRow struct {
	widget.BaseWidget
	name, pct string
	bar       *confidenceBar
}

func newRankRow() *rankRow {
	r := &rankRow{bar: newConfidenceBar()}
	r.ExtendBaseWidget(r)
	return r
}

func (r *rankRow) set(name, pct string, value float32) {
	r.name, r.pct = name, pct
	r.bar.SetValue(value)
	r.Refresh()
}

func (r *rankRow) CreateRenderer() fyne.WidgetRenderer {
	rr := &rankRenderer{row: r, name: canvas.NewText("", nil), pct: canvas.NewText("", nil)}
	rr.Refresh()
	return rr
}

type rankRenderer struct {
	row       *rankRow
	name, pct *canvas.Text
}

// rankGap is the space between the text and the bar, and between the
// name and the probability.
const rankGap = 4

func (rr *rankRenderer) Layout(size fyne.Size) {
	pct := rr.pct.MinSize()
	rr.pct.Move(fyne.NewPos(size.Width-pct.Width, 0))
	rr.pct.Resize(pct)
	rr.name.Text = fitText(rr.row.name, size.Width-pct.Width-rankGap, rr.name.TextSize, rr.name.TextStyle)
	rr.name.Move(fyne.NewPos(0, 0))
	rr.name.Resize(fyne.NewSize(size.Width-pct.Width-rankGap, pct.Height))
	rr.row.bar.Move(fyne.NewPos(0, pct.Height+rankGap/2))
	rr.row.bar.Resize(fyne.NewSize(size.Width, rr.row.bar.MinSize().Height))
}

func (rr *rankRenderer) MinSize() fyne.Size {
	text := rr.pct.MinSize()
	return fyne.NewSize(text.Width+rankGap+40, text.Height+rankGap/2+rr.row.bar.MinSize().Height+rankGap)
}

func (rr *rankRenderer) Refresh() {
	th := rr.row.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	for _, t := range []*canvas.Text{rr.name, rr.pct} {
		t.Color = th.Color(theme.ColorNameForeground, v)
		t.TextSize = th.Size(theme.SizeNameText)
	}
	rr.pct.Text = rr.row.pct
	rr.Layout(rr.row.Size())
	rr.name.Refresh()
	rr.pct.Refresh()
	rr.row.bar.Refresh()
}

func (rr *rankRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{rr.name, rr.pct, rr.row.bar}
}

func (rr *rankRenderer) Destroy() {}

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
