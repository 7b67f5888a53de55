package ui

import (
	"github.com/spotter-app/spotter/settings"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// selectRow shows row id in the viewer and selects it in the browser.
func (w *Window) selectRow(id uint64) {
	if w.selected == id {
		return
	}
	w.table.unselect(w.selected)
	w.selected = id
	r := w.table.byID[id]
	if r == nil {
		return
	}
	if i := w.table.index(id); i >= 0 {
		w.browser.selectIndex(i)
	}
	// The thumbnail stands in until the photo is decoded at the size shown.
	w.viewer.preview.show(w.images.get(r), true)
	w.showDetail(r)
}

func (w *Window) showDetail(r *row) {
	v := w.viewer
	switch {
	case r.missing:
		v.caption.SetText(r.name + " — missing: the file is no longer there")
	case r.lib && !r.when.IsZero():
		v.caption.SetText(r.name + " — classified " + r.when.Local().Format("2 January 2006, 15:04"))
	case r.cached && r.state == done:
		v.caption.SetText(r.name + " — from the catalogue")
	default:
		v.caption.SetText(r.name)
	}
	v.copyBtn.Hide()
	w.review.box.Hide()
	v.preview.mark(r.res) // none until the photo has its answer
	switch r.state {
	case done:
		w.results.showResult(r.res, w.table.threshold, w.predictions())
		w.review.show(r, w.table.threshold, w.pickedCount(), func(kw string, on bool) { w.verdict(r, kw, on) })
		w.loadVerdicts(r)
		v.copyBtn.Show()
	case failed:
		w.results.showError(r.err)
	default:
		w.results.showNote(strings.ToUpper(r.summary()[:1]) + r.summary()[1:] + ".")
	}
}

func (w *Window) clearDetail() {
	w.viewer.clear()
}

// pick selects row r at view index i as a person picked it: alone, or
// with Ctrl added to (or taken from) the rows picked, or with Shift the
// rows from the last one picked. Library rows not yet read are left out of
// a Shift range.
func (w *Window) pick(i int, r *row, mods fyne.KeyModifier) {
	w.cursor = -1
	t := w.table
	marked := t.marked
	if t.all && mods&(fyne.KeyModifierShortcutDefault|fyne.KeyModifierShift) != 0 {
		t.markShown()
	}
	t.all = false
	switch {
	case mods&fyne.KeyModifierShortcutDefault != 0:
		if len(marked) == 0 && w.selected != 0 {
			marked[w.selected] = true
		}
		if marked[r.id] {
			delete(marked, r.id)
		} else {
			marked[r.id] = true
		}
		w.anchor = i
	case mods&fyne.KeyModifierShift != 0:
		clear(marked)
		for j := min(w.anchor, i); j <= max(w.anchor, i); j++ {
			if r, _ := t.at(j); r != nil {
				marked[r.id] = true
			}
		}
	default:
		clear(marked)
		w.anchor = i
	}
	w.browser.refreshMarks()
	if w.selected == r.id {
		w.showDetail(r) // the review says how many are picked
	} else {
		w.selectRow(r.id)
	}
}

// selectAll picks every row shown, the library's not yet read too: the
// keyword actions then apply to them all.
func (w *Window) selectAll() {
	if w.table.length() == 0 {
		return
	}
	w.table.all = true
	clear(w.table.marked)
	w.browser.refreshMarks()
	if r := w.table.byID[w.selected]; r != nil {
		w.showDetail(r)
	}
}

// key handles the keys that act on the rows, whether the browser has the
// focus or not: moving the selection (with Shift, extending the rows
// picked), opening the photo large, accepting its keywords.
func (w *Window) key(k fyne.KeyName) bool {
	cols := w.browser.columns()
	page := w.browser.page()
	switch k {
	case fyne.KeyUp:
		w.move(-cols, false)
	case fyne.KeyDown:
		w.move(cols, false)
	case fyne.KeyLeft:
		w.move(-1, false)
	case fyne.KeyRight:
		w.move(1, false)
	case fyne.KeyPageUp:
		w.move(-page, false)
	case fyne.KeyPageDown:
		w.move(page, false)
	case fyne.KeyHome:
		w.move(0, true)
	case fyne.KeyEnd:
		w.move(w.table.length()-1, true)
	case fyne.KeyReturn, fyne.KeyEnter:
		w.setLarge(!w.large)
	case fyne.KeySpace:
		w.writeKeywords(false)
	case fyne.KeyEscape:
		if w.large {
			w.setLarge(false)
		} else {
			w.cancelAll()
		}
	case fyne.KeyDelete:
		w.removeSelected()
	default:
		return false
	}
	return true
}

// move selects the row by places from the selected one, or at index by
// when to is set, clamped to the rows shown; with Shift held it extends
// the rows picked instead.
func (w *Window) move(by int, to bool) {
	n := w.table.length()
	if n == 0 {
		return
	}
	i := by
	if !to {
		cur := w.table.index(w.selected)
		if w.cursor >= 0 {
			cur = w.cursor
		}
		if cur < 0 {
			cur = 0
			by = 0
		}
		i = cur + by
	}
	i = min(max(i, 0), n-1)
	r, _ := w.table.at(i)
	if r == nil {
		// A library page not read yet: scrolling there asks for it; the
		// row is selected when it arrives, and keys move on from it.
		w.cursor = i
		w.browser.selectIndex(i)
		return
	}
	mods := w.modifiers() & fyne.KeyModifierShift
	w.pick(i, r, mods)
	if mods == 0 {
		w.anchor = i
	}
}

// setLarge lets the photo fill the window, or brings the browser and the
// answer back.
func (w *Window) setLarge(on bool) {
	if w.selected == 0 {
		on = false
	}
	w.large = on
	for _, o := range []fyne.CanvasObject{w.side, w.viewer.strip} {
		if on {
			o.Hide()
		} else {
			o.Show()
		}
	}
	w.main.Refresh()
	w.viewer.box.Refresh()
}

// boxes says whether the preview marks the objects, faces and lines of
// text found.
func (w *Window) boxes() bool { return w.prefs().BoolWithFallback(settings.KeyBoxes, true) }

// showBoxes shows or hides the marks on the preview, and remembers the
// choice.
func (w *Window) showBoxes(on bool) {
	w.prefs().SetBool(settings.KeyBoxes, on)
	w.viewer.preview.showMarks(on)
	w.recheck()
}

// setLayout shows the rows as a list or a grid, and remembers the choice.
func (w *Window) setLayout(layout string) {
	w.browser.setLayout(layout)
	w.prefs().SetString(settings.KeyLayout, w.browser.layout)
	for name, b := range w.layouts {
		if name == w.browser.layout {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.MediumImportance
		}
		b.Refresh()
	}
}
