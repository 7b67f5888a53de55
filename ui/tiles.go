package ui

import (
	"image"
	"image/draw"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// rowItem is a row's widget in the list or the grid: the views bind it to
// whichever photo scrolls into it.
type rowItem interface {
	fyne.CanvasObject
	parts() *itemParts
}

// binder keeps track of which item widget shows which row, so one row's
// change redraws one item. Fyne's RefreshItem sets up every visible item
// instead: at one call per photo started and finished it kept the UI
// thread seconds behind a 200-photo queue (make bench, "UI fluidity").
type binder struct {
	table  *table
	images *imageCache
	want   func(page int) // a library page the view reaches before it is read
	thumb  func(*row)     // a row shown without a thumbnail
	bound  map[uint64]rowItem
}

func newBinder(t *table, images *imageCache, want func(int), thumb func(*row)) *binder {
	return &binder{table: t, images: images, want: want, thumb: thumb, bound: map[uint64]rowItem{}}
}

// bind shows the row at view index i in it.
func (b *binder) bind(i int, it rowItem) {
	p := it.parts()
	if b.bound[p.id] == it {
		delete(b.bound, p.id)
	}
	r, page := b.table.at(i)
	if r == nil {
		p.id = 0
		p.showReading()
		b.want(page)
		return
	}
	p.id = r.id
	b.bound[r.id] = it
	b.show(it, r)
}

// show shows r in it, asking for the thumbnail of a photo answered
// without decoding it.
func (b *binder) show(it rowItem, r *row) {
	it.parts().show(r, b.table, b.images.get(r))
	if r.thumb == nil && !r.thumbAsked && r.state == done && !r.missing {
		r.thumbAsked = true
		b.thumb(r)
	}
}

// refreshRow shows a photo's new state in the item bound to it, if any.
func (b *binder) refreshRow(r *row) {
	if it := b.bound[r.id]; it != nil {
		b.show(it, r)
	}
}

// refreshMarks shows which bound rows are picked, touching nothing else:
// setting up every item's text again cost about 80 ms a key press (make
// bench, "UI fluidity", scroll).
func (b *binder) refreshMarks() {
	for id, it := range b.bound {
		it.parts().showMark(b.table.picked(id))
	}
}

// rowText is what an item says of a photo: its label (the title, the
// everyday name or "not sure") and its confidence, and a line beneath with
// the file name and how it went.
type rowText struct {
	label      string
	pct        string
	confidence float32
	bar        bool
	detail     string
	danger     bool // the detail line tells of a problem
}

func describe(r *row, t *table) rowText {
	switch r.state {
	case done:
		c := confidence(r.res)
		txt := rowText{label: t.label(r), pct: percent(c), confidence: c, bar: true, detail: r.name}
		switch {
		case r.tagErr:
			txt.detail, txt.danger = r.tagNote, true
		case r.missing:
			txt.detail, txt.danger = r.name+" — missing", true
		case r.cached:
			txt.detail = r.name + " — from the catalogue"
		}
		return txt
	case failed:
		return rowText{label: r.name, detail: r.err, danger: true}
	}
	return rowText{label: r.name, bar: true, detail: r.summary()}
}

// apply sets the item's text and bar to txt.
func (txt rowText) apply(label, pct, detail *textLine, bar *confidenceBar) {
	label.set(txt.label, fyne.TextStyle{Bold: true}, widget.MediumImportance)
	pct.set(txt.pct, fyne.TextStyle{}, widget.MediumImportance)
	importance := widget.MediumImportance
	if txt.danger {
		importance = widget.DangerImportance
	}
	detail.set(txt.detail, fyne.TextStyle{}, importance)
	if bar.value != txt.confidence {
		bar.SetValue(txt.confidence)
	}
	if bar.Hidden == txt.bar {
		bar.Hidden = !txt.bar
		bar.Refresh()
	}
}

// imageCache keeps the decoded thumbnails of the rows last shown. Items
// are set up again on every scroll and selection; decoding each one's
// JPEG every time cost the UI thread about a millisecond per item.
type imageCache struct {
	max   int
	items map[uint64]*cached
	clock uint64
}

type cached struct {
	img  image.Image
	used uint64
}

func newImageCache(max int) *imageCache { return &imageCache{max: max, items: map[uint64]*cached{}} }

// get is r's thumbnail decoded, nil when it has none.
func (c *imageCache) get(r *row) image.Image {
	if r.thumb == nil {
		return nil
	}
	c.clock++
	if e := c.items[r.id]; e != nil {
		e.used = c.clock
		return e.img
	}
	img := rgba(r.thumb.Image())
	if len(c.items) >= c.max {
		var oldest uint64
		for id, e := range c.items {
			if oldest == 0 || e.used < c.items[oldest].used {
				oldest = id
			}
		}
		delete(c.items, oldest)
	}
	c.items[r.id] = &cached{img: img, used: c.clock}
	return img
}

// rgba converts a decoded thumbnail to the pixels a texture is made of,
// once: Fyne converts any other kind at every upload.
func rgba(img image.Image) image.Image {
	if img == nil {
		return nil
	}
	if _, ok := img.(*image.RGBA); ok {
		return img
	}
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, img.Bounds().Min, draw.Src)
	return out
}

// forget drops a row's image: its thumbnail changed or the row is gone.
func (c *imageCache) forget(id uint64) { delete(c.items, id) }
