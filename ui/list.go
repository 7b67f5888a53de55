package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rowSize is a list row's thumbnail edge; the row is as tall.
const rowSize = 56

// resultsList is the virtualised list of photos: only the rows on screen
// exist as widgets, so thousands of photos scroll smoothly. It also takes
// Delete and Escape while it has the keyboard focus, which a plain list
// would swallow.
type resultsList struct {
	widget.List
	table *table
	onKey func(fyne.KeyName) bool
	thumb func(*row)
	// bound is the row widget last set up for each photo, by row id.
	bound map[uint64]*listItem
}

// newResultsList shows t; want is asked for a library page the list
// reaches before it has been read, thumb for a row shown without a
// thumbnail.
func newResultsList(t *table, onKey func(fyne.KeyName) bool, want func(page int), thumb func(*row)) *resultsList {
	l := &resultsList{table: t, onKey: onKey, thumb: thumb, bound: map[uint64]*listItem{}}
	l.Length = t.length
	l.CreateItem = newListItem
	l.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) {
		it := o.(*listItem)
		if l.bound[it.id] == it {
			delete(l.bound, it.id)
		}
		r, page := t.at(i)
		if r == nil {
			it.id = 0
			it.showReading()
			want(page)
			return
		}
		it.id = r.id
		l.bound[it.id] = it
		l.show(it, r)
	}
	l.ExtendBaseWidget(l)
	return l
}

// refreshRow shows a photo's new state in the row widget set up for it,
// if any. Fyne's List.RefreshItem refreshes the whole list instead: it
// lays the list out again and sets up every visible row, which at one
// call per photo started and finished kept the UI thread seconds behind
// a 200-photo queue (make bench, "UI fluidity").
func (l *resultsList) refreshRow(r *row) {
	if it := l.bound[r.id]; it != nil {
		l.show(it, r)
	}
}

// show shows r in it, asking for the thumbnail of a photo answered
// without decoding it.
func (l *resultsList) show(it *listItem, r *row) {
	it.show(r, l.table)
	if r.thumb == nil && !r.thumbAsked && r.state == done && !r.missing {
		r.thumbAsked = true
		l.thumb(r)
	}
}

// refreshShown shows every bound row again, for a change that touches
// many, such as the rows picked.
func (l *resultsList) refreshShown() {
	for _, it := range l.bound {
		if r := l.table.byID[it.id]; r != nil {
			l.show(it, r)
		}
	}
}

// forget drops a removed photo's row widget binding.
func (l *resultsList) forget(id uint64) {
	delete(l.bound, id)
}

func (l *resultsList) TypedKey(e *fyne.KeyEvent) {
	if l.onKey == nil || !l.onKey(e.Name) {
		l.List.TypedKey(e)
	}
}

// listItem shows one row: thumbnail, everyday name (or "not sure") with
// its confidence and bar, and the file name with how it went.
type listItem struct {
	widget.BaseWidget
	id      uint64 // the row shown
	thumb   *canvas.Image
	label   *widget.Label
	pct     *widget.Label
	bar     *confidenceBar
	detail  *widget.Label
	mark    *canvas.Rectangle // behind a row picked with Ctrl or Shift
	content fyne.CanvasObject
}

func newListItem() fyne.CanvasObject {
	it := &listItem{
		thumb:  canvas.NewImageFromImage(nil),
		label:  widget.NewLabel(""),
		pct:    widget.NewLabel(""),
		bar:    newConfidenceBar(),
		detail: widget.NewLabel(""),
	}
	it.thumb.FillMode = canvas.ImageFillContain
	it.thumb.ScaleMode = canvas.ImageScaleSmooth
	it.label.TextStyle.Bold = true
	it.label.Truncation = fyne.TextTruncateEllipsis
	it.detail.Truncation = fyne.TextTruncateEllipsis
	it.detail.SizeName = theme.SizeNameCaptionText
	top := container.NewBorder(nil, nil, nil, it.pct, it.label)
	text := container.NewVBox(top, it.bar, it.detail)
	it.mark = canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
	it.mark.Hide()
	it.content = container.NewStack(it.mark,
		container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSquareSize(rowSize), it.thumb), nil, text))
	it.ExtendBaseWidget(it)
	return it
}

func (it *listItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(it.content)
}

func (it *listItem) show(r *row, t *table) {
	it.mark.FillColor = theme.Color(theme.ColorNameSelection)
	it.mark.Hidden = !t.marked[r.id]
	it.mark.Refresh()
	it.thumb.Image = r.thumb.image()
	it.thumb.Refresh()
	it.detail.Importance = widget.MediumImportance
	// "not sure" reads apart from a name, in a style that stays legible
	// on the selected row.
	it.label.TextStyle.Italic = false
	switch r.state {
	case done:
		a := r.answer()
		it.label.TextStyle.Italic = !t.sure(r)
		it.label.SetText(t.label(r))
		it.pct.SetText(percent(a.Confidence))
		it.bar.SetValue(a.Confidence)
		it.bar.Show()
		switch {
		case r.tagErr:
			it.detail.Importance = widget.DangerImportance
			it.detail.SetText(r.tagNote)
		case r.missing:
			it.detail.Importance = widget.DangerImportance
			it.detail.SetText(r.name + " — missing")
		case r.cached:
			it.detail.SetText(r.name + " — from the catalogue")
		default:
			it.detail.SetText(r.name)
		}
	case failed:
		it.label.SetText(r.name)
		it.pct.SetText("")
		it.bar.Hide()
		it.detail.Importance = widget.DangerImportance
		it.detail.SetText(r.err)
	default:
		it.label.SetText(r.name)
		it.pct.SetText("")
		it.bar.SetValue(0)
		it.bar.Show()
		it.detail.SetText(r.summary())
	}
}

// showReading stands in for a library row still being read.
func (it *listItem) showReading() {
	it.mark.Hide()
	it.thumb.Image = nil
	it.thumb.Refresh()
	it.label.SetText("…")
	it.pct.SetText("")
	it.bar.SetValue(0)
	it.detail.Importance = widget.MediumImportance
	it.detail.SetText("")
}
