package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rowSize is a list row's thumbnail edge; the row is as tall.
const rowSize = 56

// resultsList is the virtualised list of photos: only the rows on screen
// exist as widgets, so a whole library scrolls smoothly. Its keys go to
// the window first, which moves the selection rather than a focus mark.
type resultsList struct {
	widget.List
	onKey func(fyne.KeyName) bool
}

func newResultsList(b *binder, onKey func(fyne.KeyName) bool) *resultsList {
	l := &resultsList{onKey: onKey}
	l.Length = b.table.length
	l.CreateItem = newListItem
	l.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) { b.bind(i, o.(*listItem)) }
	l.ExtendBaseWidget(l)
	return l
}

func (l *resultsList) TypedKey(e *fyne.KeyEvent) {
	if !l.onKey(e.Name) {
		l.List.TypedKey(e)
	}
}

// itemParts are what a list row and a grid tile show of a photo, laid out
// differently: its thumbnail, label (or "not sure") with its
// confidence and bar, and the file name with how it went.
type itemParts struct {
	id     uint64 // the row shown, 0 for none
	thumb  *canvas.Image
	label  *textLine
	pct    *textLine
	bar    *confidenceBar
	detail *textLine
	mark   *canvas.Rectangle // behind a row picked with Ctrl, Shift or Select all
}

func newItemParts() itemParts {
	p := itemParts{
		thumb:  canvas.NewImageFromImage(nil),
		label:  newTextLine(true),
		pct:    newTextLine(false),
		bar:    newConfidenceBar(),
		detail: newTextLine(true),
		mark:   canvas.NewRectangle(theme.Color(theme.ColorNameSelection)),
	}
	p.thumb.FillMode = canvas.ImageFillContain
	// A thumbnail is made at about the size shown: scaled smoothly, Fyne
	// would resample each one on the processor as it uploads it.
	p.thumb.ScaleMode = canvas.ImageScaleFastest
	p.detail.SizeName = theme.SizeNameCaptionText
	p.mark.Hide()
	return p
}

// text is the name, its confidence and bar, and the line beneath.
func (p *itemParts) text() fyne.CanvasObject {
	return container.NewVBox(container.NewBorder(nil, nil, nil, p.pct, p.label), p.bar, p.detail)
}

func (p *itemParts) parts() *itemParts { return p }

func (p *itemParts) show(r *row, t *table, thumb image.Image) {
	p.showMark(t.picked(r.id))
	// Items are set up again on every scroll: an image is uploaded only
	// when it changed.
	if p.thumb.Image != thumb {
		p.thumb.Image = thumb
		p.thumb.Refresh()
	}
	describe(r, t).apply(p.label, p.pct, p.detail, p.bar)
}

// showMark shows the item picked or not.
func (p *itemParts) showMark(on bool) {
	if p.mark.Visible() != on {
		p.mark.FillColor = theme.Color(theme.ColorNameSelection)
		p.mark.Hidden = !on
		p.mark.Refresh()
	}
}

// showReading stands in for a library row still being read.
func (p *itemParts) showReading() {
	p.mark.Hide()
	p.thumb.Image = nil
	p.thumb.Refresh()
	rowText{label: "…"}.apply(p.label, p.pct, p.detail, p.bar)
}

// listItem lays a row out on one line: the thumbnail, then the text.
type listItem struct {
	widget.BaseWidget
	itemParts
	content fyne.CanvasObject
}

func newListItem() fyne.CanvasObject {
	it := &listItem{itemParts: newItemParts()}
	it.content = container.NewStack(it.mark,
		container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSquareSize(rowSize), it.thumb), nil, it.text()))
	it.ExtendBaseWidget(it)
	return it
}

func (it *listItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(it.content)
}
