package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The drop zone's invitation, and what it says while a drag (or the
// pointer) is over it.
const (
	hint     = "Drop photos or folders here, or click to choose a photo"
	hintOver = "Drop to add — or click to choose a photo"
)

// dropZone is the big target an empty window shows: it invites a drop and
// opens the file dialog when clicked. Drops themselves arrive window-wide
// through SetOnDropped, so a photo dropped a little off target still counts.
type dropZone struct {
	widget.BaseWidget
	onTap func()

	frame      *canvas.Rectangle
	invitation *widget.Label
	hovered    bool
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
	z.invitation = widget.NewLabelWithStyle(hint, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	z.invitation.Wrapping = fyne.TextWrapWord
	z.ExtendBaseWidget(z)
	z.applyHover()
	return z
}

func (z *dropZone) CreateRenderer() fyne.WidgetRenderer {
	icon := container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(64), widget.NewIcon(theme.FileImageIcon())))
	invite := container.NewPadded(container.NewVBox(layout.NewSpacer(), icon, z.invitation, layout.NewSpacer()))
	return widget.NewSimpleRenderer(container.NewStack(z.frame, invite))
}

// MinSize keeps the target comfortably large even in a small window.
func (z *dropZone) MinSize() fyne.Size {
	return fyne.NewSize(320, 280).Max(z.BaseWidget.MinSize())
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

// applyHover highlights the zone while something is over it. X11 drags
// reach Fyne as pointer moves (GLFW turns XdndPosition into a cursor
// position), so a photo dragged over the window lights it up too.
func (z *dropZone) applyHover() {
	if z.hovered {
		z.frame.StrokeColor = theme.Color(theme.ColorNamePrimary)
		z.frame.FillColor = theme.Color(theme.ColorNameSelection)
		z.invitation.SetText(hintOver)
	} else {
		z.frame.StrokeColor = theme.Color(theme.ColorNameInputBorder)
		z.frame.FillColor = theme.Color(theme.ColorNameInputBackground)
		z.invitation.SetText(hint)
	}
	z.frame.Refresh()
}
