package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// confidenceBar is a thin horizontal bar filled to a probability. The
// standard progress bar is as tall as a button, which made five of them
// crowd out the answer they explain.
type confidenceBar struct {
	widget.BaseWidget
	value float32
}

func newConfidenceBar() *confidenceBar {
	b := &confidenceBar{}
	b.ExtendBaseWidget(b)
	return b
}

// SetValue sets the filled fraction, clamped to [0, 1].
func (b *confidenceBar) SetValue(v float32) {
	b.value = min(max(v, 0), 1)
	b.Refresh()
}

func (b *confidenceBar) CreateRenderer() fyne.WidgetRenderer {
	r := &barRenderer{bar: b, track: canvas.NewRectangle(nil), fill: canvas.NewRectangle(nil)}
	r.track.CornerRadius, r.fill.CornerRadius = 3, 3
	r.Refresh()
	return r
}

type barRenderer struct {
	bar         *confidenceBar
	track, fill *canvas.Rectangle
}

func (r *barRenderer) Layout(size fyne.Size) {
	r.track.Resize(size)
	r.fill.Resize(fyne.NewSize(size.Width*r.bar.value, size.Height))
}

func (r *barRenderer) MinSize() fyne.Size { return fyne.NewSize(40, 6) }

func (r *barRenderer) Refresh() {
	r.track.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.fill.FillColor = theme.Color(theme.ColorNamePrimary)
	r.Layout(r.bar.Size())
	r.track.Refresh()
	r.fill.Refresh()
}

func (r *barRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.track, r.fill} }
func (r *barRenderer) Destroy()                     {}
