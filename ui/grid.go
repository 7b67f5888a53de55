package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// tileWidth and tilePicture size a grid tile: the picture at 4:3, the
// name and a line beneath it.
const tileWidth = 132

var tilePicture = fyne.NewSize(tileWidth, tileWidth*3/4)

// thumbSide is a thumbnail's longer side: a tile's picture at 1×. Larger,
// a session's thumbnails (kept for every photo dropped) would cost more
// memory than they are worth at 2×.
const thumbSide = tileWidth

// resultsGrid lays the photos out as tiles, virtualised like the list.
type resultsGrid struct {
	widget.GridWrap
	onKey func(fyne.KeyName) bool
}

func newResultsGrid(b *binder, onKey func(fyne.KeyName) bool) *resultsGrid {
	g := &resultsGrid{onKey: onKey}
	g.Length = b.table.length
	g.CreateItem = newTile
	g.UpdateItem = func(i widget.GridWrapItemID, o fyne.CanvasObject) { b.bind(i, o.(*tile)) }
	g.ExtendBaseWidget(g)
	return g
}

func (g *resultsGrid) TypedKey(e *fyne.KeyEvent) {
	if !g.onKey(e.Name) {
		g.GridWrap.TypedKey(e)
	}
}

// tile shows one photo in the grid: its picture, with the text beneath.
type tile struct {
	widget.BaseWidget
	itemParts
	content fyne.CanvasObject
}

func newTile() fyne.CanvasObject {
	t := &tile{itemParts: newItemParts()}
	t.thumb.SetMinSize(tilePicture)
	t.content = container.NewStack(t.mark, container.NewBorder(t.thumb, nil, nil, nil, t.text()))
	t.ExtendBaseWidget(t)
	return t
}

func (t *tile) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.content) }

// MinSize fixes the tile's width, so the grid's columns do not depend on
// the first photo's name.
func (t *tile) MinSize() fyne.Size {
	return fyne.NewSize(tileWidth, t.BaseWidget.MinSize().Height)
}
