package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Hint is the drop zone's invitation; tests and screenshots look for it.
const Hint = "Drop a photo here, or click to choose one"

// dropZone is the big target on the left: it invites a drop, opens the file
// dialog when clicked, and shows the photo being classified. Drops
// themselves arrive window-wide through SetOnDropped, so a photo dropped a
// little off target still counts.
type dropZone struct {
	widget.BaseWidget
	onTap func()

	frame   *canvas.Rectangle
	preview *canvas.Image
	hint    *widget.Label
	again   *widget.Label // the invitation's small form, under a photo
	icon    *widget.Icon
	hovered bool
}

var (
	_ fyne.Tappable      = (*dropZone)(nil)
	_ desktop.Hoverable  = (*dropZone)(nil)
	_ desktop.Cursorable = (*dropZone)(nil)
)

func newDropZone(onTap func()) *dropZone {
	z := &dropZone{onTap: onTap}
	z.frame = canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	z.frame.StrokeWidth = 2
	z.frame.CornerRadius = theme.Size(theme.SizeNameInputRadius) * 2
	z.preview = canvas.NewImageFromImage(nil)
	z.preview.FillMode = canvas.ImageFillContain
	z.preview.ScaleMode = canvas.ImageScaleSmooth
	z.hint = widget.NewLabelWithStyle(Hint, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	z.hint.Wrapping = fyne.TextWrapWord
	z.again = widget.NewLabelWithStyle(Hint, fyne.TextAlignCenter, fyne.TextStyle{})
	z.again.Importance = widget.LowImportance
	z.again.Truncation = fyne.TextTruncateEllipsis
	z.again.Hide()
	z.icon = widget.NewIcon(theme.FileImageIcon())
	z.ExtendBaseWidget(z)
	z.applyHover()
	return z
}

func (z *dropZone) CreateRenderer() fyne.WidgetRenderer {
	iconBox := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(64), z.icon))
	invite := container.NewPadded(container.NewVBox(layout.NewSpacer(), iconBox, z.hint, layout.NewSpacer()))
	return widget.NewSimpleRenderer(container.NewStack(
		z.frame,
		container.NewPadded(container.NewBorder(nil, z.again, nil, nil, container.NewPadded(z.preview))),
		invite,
	))
}

// MinSize keeps the target comfortably large even in a small window.
func (z *dropZone) MinSize() fyne.Size {
	return fyne.NewSize(320, 280).Max(z.BaseWidget.MinSize())
}

// showPhoto puts a photo in the zone and hides the invitation; nil brings
// the invitation back.
func (z *dropZone) showPhoto(img image.Image) {
	z.preview.Image = img
	z.preview.Refresh()
	if img == nil {
		z.hint.Show()
		z.icon.Show()
		z.again.Hide()
	} else {
		z.hint.Hide()
		z.icon.Hide()
		z.again.Show()
	}
}

func (z *dropZone) Tapped(*fyne.PointEvent) {
	if z.onTap != nil {
		z.onTap()
	}
}

func (z *dropZone) MouseIn(*desktop.MouseEvent)    { z.hovered = true; z.applyHover() }
func (z *dropZone) MouseMoved(*desktop.MouseEvent) {}
func (z *dropZone) MouseOut()                      { z.hovered = false; z.applyHover() }

func (z *dropZone) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (z *dropZone) applyHover() {
	if z.hovered {
		z.frame.StrokeColor = theme.Color(theme.ColorNamePrimary)
	} else {
		z.frame.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	}
	z.frame.Refresh()
}
