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
	onKey func(fyne.KeyName) bool
	// bound is the row widget last set up for each photo, by row id.
	bound map[uint64]*listItem
}

func newResultsList(t *table, onKey func(fyne.KeyName) bool) *resultsList {
	l := &resultsList{onKey: onKey, bound: map[uint64]*listItem{}}
	l.Length = func() int { return len(t.view) }
	l.CreateItem = newListItem
	l.UpdateItem = func(i widget.ListItemID, o fyne.CanvasObject) {
		if i < len(t.view) {
			it := o.(*listItem)
			if l.bound[it.id] == it {
				delete(l.bound, it.id)
			}
			it.id = t.view[i].id
			l.bound[it.id] = it
			it.show(t.view[i])
		}
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
		it.show(r)
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

// listItem shows one row: thumbnail, best label with its bar, and the file
// name with how it went.
type listItem struct {
	widget.BaseWidget
	id      uint64 // the row shown
	thumb   *canvas.Image
	label   *widget.Label
	pct     *widget.Label
	bar     *confidenceBar
	detail  *widget.Label
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
	it.content = container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSquareSize(rowSize), it.thumb), nil, text)
	it.ExtendBaseWidget(it)
	return it
}

func (it *listItem) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(it.content)
}

func (it *listItem) show(r *row) {
	it.thumb.Image = r.thumb.image()
	it.thumb.Refresh()
	it.detail.Importance = widget.MediumImportance
	switch r.state {
	case done:
		main, _ := splitLabel(r.top().Label)
		it.label.SetText(main)
		it.pct.SetText(percent(r.top().Probability))
		it.bar.SetValue(r.top().Probability)
		it.bar.Show()
		it.detail.SetText(r.name)
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
