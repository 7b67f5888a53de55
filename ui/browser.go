package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// Layouts of the library, as the preference stores them.
const (
	layoutList = "list"
	layoutGrid = "grid"
)

// browser shows the rows as a list or as a grid of tiles, one at a time;
// both read the same table, picks and selection.
type browser struct {
	// Each layout binds its own items: a row shown in both has an item in
	// each, and both follow its changes.
	lists, tiles *binder
	list         *resultsList
	grid         *resultsGrid
	box          *fyne.Container
	layout       string
	// selected is the view index selected, -1 for none; the layout shown
	// next starts from it.
	selected int
	// selecting is set while the window selects an item itself, so
	// onPick hears only a person's picks.
	selecting bool
	onPick    func(i int)
}

// newBrowser shows t. want is asked for a library page a layout reaches
// before it has been read, thumb for a row shown without a thumbnail.
func newBrowser(t *table, images *imageCache, want func(page int), thumb func(*row),
	onKey func(fyne.KeyName) bool, onPick func(i int)) *browser {
	br := &browser{selected: -1, onPick: onPick, layout: layoutList,
		lists: newBinder(t, images, want, thumb), tiles: newBinder(t, images, want, thumb)}
	br.list = newResultsList(br.lists, onKey)
	br.grid = newResultsGrid(br.tiles, onKey)
	picked := func(i int) {
		br.selected = i
		if !br.selecting {
			onPick(i)
		}
	}
	br.list.OnSelected = picked
	br.grid.OnSelected = picked
	br.grid.Hide()
	br.box = container.NewStack(br.list, br.grid)
	return br
}

// setLayout shows the list or the grid, with the same item selected.
func (br *browser) setLayout(layout string) {
	if layout != layoutGrid {
		layout = layoutList
	}
	br.layout = layout
	if layout == layoutGrid {
		br.list.Hide()
		br.grid.Show()
	} else {
		br.grid.Hide()
		br.list.Show()
	}
	br.Refresh()
	br.selectIndex(br.selected)
}

// Refresh sets up the items shown again, after rows came or went.
func (br *browser) Refresh() {
	if br.layout == layoutGrid {
		br.grid.Refresh()
	} else {
		br.list.Refresh()
	}
}

// selectIndex selects the item at view index i (none for -1) and scrolls
// to it, as the window's own choice.
func (br *browser) selectIndex(i int) {
	br.selecting = true
	defer func() { br.selecting = false }()
	br.selected = i
	// The layout hidden is left alone: selecting sets up its items again,
	// which is work for nothing; setLayout selects in the one shown.
	if i < 0 {
		br.list.UnselectAll()
		br.grid.UnselectAll()
	} else {
		br.active().Select(i)
	}
}

// columns is how many items a row of the layout holds.
func (br *browser) columns() int {
	if br.layout == layoutGrid {
		return br.grid.ColumnCount()
	}
	return 1
}

// page is how many items fill the view: what Page Up and Down move by.
func (br *browser) page() int {
	pad := theme.Padding()
	if br.layout == layoutGrid {
		h := newTile().MinSize().Height + pad
		return max(1, int(br.grid.Size().Height/h)) * br.columns()
	}
	h := newListItem().MinSize().Height + theme.SeparatorThicknessSize()
	return max(1, int(br.list.Size().Height/h))
}

func (br *browser) focusable() fyne.Focusable { return br.active().(fyne.Focusable) }

// active is the layout shown.
func (br *browser) active() interface {
	Select(int)
	ScrollTo(int)
} {
	if br.layout == layoutGrid {
		return br.grid
	}
	return br.list
}

// scrollTo brings the item at view index i into view.
func (br *browser) scrollTo(i int) { br.active().ScrollTo(i) }

// refreshRow shows a photo's new state in the items bound to it.
func (br *browser) refreshRow(r *row) {
	br.lists.refreshRow(r)
	br.tiles.refreshRow(r)
}

// refreshMarks shows which bound rows are picked.
func (br *browser) refreshMarks() {
	br.lists.refreshMarks()
	br.tiles.refreshMarks()
}

// forget lets go of a removed row's items.
func (br *browser) forget(id uint64) {
	delete(br.lists.bound, id)
	delete(br.tiles.bound, id)
}

// item is the item of the layout shown bound to row id, or nil.
func (br *browser) item(id uint64) rowItem {
	if br.layout == layoutGrid {
		return br.tiles.bound[id]
	}
	return br.lists.bound[id]
}
