package ui

import (
	"context"
	"fmt"
	"github.com/spotter-app/spotter/ui/work"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// action is a command of the window: a menu item, and its shortcut when it
// has one. The menus and the shortcuts are made from one list, so each
// shortcut is registered once and its menu shows it.
type action struct {
	menu  string // the menu it is in
	label string // "" for a separator
	key   fyne.KeyName
	mod   fyne.KeyModifier
	do    func()
	// on, for an action that turns something on or off, says whether it
	// is on: its menu item is checked then.
	on func() bool
}

func (w *Window) actions() []action {
	ctrl := fyne.KeyModifierShortcutDefault
	shift := fyne.KeyModifierShift
	acts := []action{
		{"File", "Add photos…", fyne.KeyO, ctrl, w.choosePhoto, nil},
		{"File", "Add folder…", fyne.KeyO, ctrl | shift, w.chooseFolder, nil},
		{"File", "Export…", fyne.KeyE, ctrl, w.chooseExport, nil},
		{"File", "Library folders…", fyne.KeyL, ctrl | shift, w.showFolders, nil},
		{"File", "", "", 0, nil, nil},
		{"File", "Settings…", fyne.KeyComma, ctrl, w.showSettings, nil},
		{"File", "Quit", fyne.KeyQ, ctrl, w.win.Close, nil},
		{"Edit", "Select all", fyne.KeyA, ctrl, w.selectAll, nil},
		{"Edit", "Copy label", fyne.KeyC, ctrl | shift, w.copyLabel, nil},
		{"Edit", "Copy text", "", 0, w.copyText, nil},
		{"Edit", "Remove photo", "", 0, w.removeSelected, nil},
		{"Edit", "Forget photo", fyne.KeyDelete, shift, w.forgetSelected, nil},
		{"Edit", "Classify again", fyne.KeyR, ctrl, w.classifyAgain, nil},
		{"Edit", "Cancel the queue", "", 0, w.cancelAll, nil},
		{"View", "As a list", fyne.Key1, ctrl, func() { w.setLayout(layoutList) }, nil},
		{"View", "As a grid", fyne.Key2, ctrl, func() { w.setLayout(layoutGrid) }, nil},
		{"View", "Photo large", "", 0, func() { w.setLarge(!w.large) }, nil},
		{"View", "Show boxes", fyne.KeyB, ctrl, func() { w.showBoxes(!w.boxes()) }, w.boxes},
		{"View", "", "", 0, nil, nil},
		{"View", "All categories", fyne.Key0, fyne.KeyModifierAlt, func() { w.facets.pick(0) }, nil},
	}
	for i, k := range []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7, fyne.Key8, fyne.Key9} {
		acts = append(acts, action{"View", fmt.Sprintf("Category %d", i+1), k, fyne.KeyModifierAlt, func() { w.facets.pick(i + 1) }, nil})
	}
	return append(acts,
		action{"Keywords", "Write keywords", fyne.KeyK, ctrl, func() { w.writeKeywords(false) }, nil},
		action{"Keywords", "Write keywords for all rows shown", fyne.KeyK, ctrl | shift, func() { w.writeKeywords(true) }, nil},
		action{"Keywords", "", "", 0, nil, nil},
		action{"Keywords", "Remove Spotter keywords", fyne.KeyU, ctrl, func() { w.removeKeywords(false) }, nil},
		action{"Keywords", "Remove Spotter keywords from all rows shown", fyne.KeyU, ctrl | shift, func() { w.removeKeywords(true) }, nil},
		action{"Help", "About Spotter", "", 0, w.showAbout, nil},
	)
}

// menu lays the actions out in menus, in the order they come; recheck
// brings the check marks up to date after an action turned something on
// or off.
func menu(acts []action) (main *fyne.MainMenu, recheck func()) {
	var menus []*fyne.Menu
	var checks []func()
	for _, a := range acts {
		if len(menus) == 0 || menus[len(menus)-1].Label != a.menu {
			menus = append(menus, fyne.NewMenu(a.menu))
		}
		m := menus[len(menus)-1]
		if a.label == "" {
			m.Items = append(m.Items, fyne.NewMenuItemSeparator())
			continue
		}
		it := fyne.NewMenuItem(a.label, a.do)
		if a.key != "" {
			it.Shortcut = &desktop.CustomShortcut{KeyName: a.key, Modifier: a.mod}
		}
		if a.on != nil {
			it.Checked = a.on()
			checks = append(checks, func() { it.Checked = a.on() })
		}
		m.Items = append(m.Items, it)
	}
	main = fyne.NewMainMenu(menus...)
	return main, func() {
		for _, check := range checks {
			check()
		}
		main.Refresh()
	}
}

// register makes the actions' shortcuts work: on Linux and Windows Fyne
// shows a menu item's shortcut but does not act on it.
func register(c fyne.Canvas, acts []action) {
	for _, a := range acts {
		if a.key != "" {
			c.AddShortcut(&desktop.CustomShortcut{KeyName: a.key, Modifier: a.mod}, func(fyne.Shortcut) { a.do() })
		}
	}
}

// removeSelected takes the selected photo off the list. A library row is
// forgotten: the list shows the catalogue, so that is the only way off it.
func (w *Window) removeSelected() {
	r := w.table.byID[w.selected]
	if r == nil {
		return
	}
	if r.lib {
		w.forgetSelected()
		return
	}
	i := w.table.index(r.id)
	w.dropRow(r.id)
	w.selectNear(i)
	w.recount()
	w.update()
}

// dropRow takes a session row off the queue, the table and the view.
func (w *Window) dropRow(id uint64) {
	w.worker.Remove(id)
	w.table.remove(id)
	delete(w.table.marked, id)
	w.browser.forget(id)
	w.images.forget(id)
	if id == w.selected {
		w.selected = 0
		w.browser.selectIndex(-1)
		w.clearDetail()
	}
	w.browser.Refresh()
}

// selectNear selects the row now at view index i, or the last, once the
// one there has gone.
func (w *Window) selectNear(i int) {
	if n := w.table.length(); n > 0 && i >= 0 {
		if r, _ := w.table.at(min(i, n-1)); r != nil {
			w.selectRow(r.id)
		}
	}
}

// classifyAgain classifies the selected photo afresh, past what the
// catalogue remembers. A library row comes back as a row of this session.
func (w *Window) classifyAgain() {
	r := w.table.byID[w.selected]
	if r == nil || r.state == waiting || r.state == working {
		return
	}
	if r.lib {
		w.worker.AgainAsNew(r.path)
		return
	}
	w.table.requeue(r)
	w.refreshRow(r)
	w.worker.Again(work.Queued{ID: r.id, Path: r.path})
	w.update()
}

// forgetSelected removes the selected photo from the catalogue, and from
// the list; its file is untouched. Without a catalogue it is Remove.
func (w *Window) forgetSelected() {
	r := w.table.byID[w.selected]
	if r == nil {
		return
	}
	if w.library == nil {
		w.removeSelected()
		return
	}
	path, name, i := r.path, r.name, w.table.index(r.id)
	w.chores.Add("forgetting a photo", func(context.Context) func() {
		err := w.library.Forget(path)
		return func() {
			if err != nil {
				w.showNotice(fmt.Sprintf("Spotter could not forget %s: %v. It is still in the catalogue; try again.", name, err))
				return
			}
			for _, r := range slices.Clone(w.table.rows) {
				if r.path == path {
					w.dropRow(r.id)
				}
			}
			if r := w.table.byID[w.selected]; r != nil && r.path == path {
				w.selected = 0
				w.browser.selectIndex(-1)
				w.clearDetail()
			}
			w.reloadLibrary()
			w.browser.Refresh()
			w.recount()
			w.update()
			w.status.say(fmt.Sprintf("Spotter forgot %s; the photo itself is untouched.", name))
			w.selectNear(i)
		}
	})
}

func (w *Window) cancelAll() {
	if w.table.pending() == 0 {
		return
	}
	w.table.cancel(w.worker.CancelAll())
	w.browser.Refresh()
	if r := w.table.byID[w.selected]; r != nil {
		w.showDetail(r)
	}
	w.update()
}

// copyLabel copies the selected photo's label (its title or everyday
// name), or its exact class when Spotter is not sure: "not sure" is no
// label to paste anywhere.
func (w *Window) copyLabel() {
	r := w.table.byID[w.selected]
	if r == nil || r.state != done {
		return
	}
	label := r.answer().Class
	if w.table.sure(r) {
		label = w.table.label(r)
	}
	fyne.CurrentApp().Clipboard().SetContent(label)
	w.status.say("Copied “" + label + "”.")
}

// copyText copies the words read in the selected photo, a line of text
// for each line found.
func (w *Window) copyText() {
	r := w.table.byID[w.selected]
	if r == nil || r.state != done {
		return
	}
	if len(r.res.Lines) == 0 {
		w.status.say("Spotter read no text in " + r.name + ", so there is none to copy.")
		return
	}
	fyne.CurrentApp().Clipboard().SetContent(r.res.Text())
	w.status.say(fmt.Sprintf("Copied the text in %s (%s).", r.name, count(len(r.res.Lines), "line", "lines")))
}
