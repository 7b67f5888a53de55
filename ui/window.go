// Package ui is Spotter's window: drop photos or folders, watch them being
// classified, browse and export the results. One worker goroutine does the
// classification; the UI never imports ONNX Runtime and consumes the small
// Classifier interface instead.
package ui

import (
	"context"
	"fmt"
	"image"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/inference/collect"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/report"
)

// Title is the window's title; the end-to-end test finds the window by it.
const Title = "Spotter"

// Options adjust the window for tests.
type Options struct {
	// Post delivers the worker's reports to the UI thread. It defaults to
	// fyne.Do; tests run the posted functions on their own goroutine.
	Post func(func())
	// Engine describes the engine for the About box.
	Engine func() EngineInfo
	// Idle, when set, is called on the UI thread each time the window
	// stops being busy: the model has loaded (or failed to) and every
	// queued photo has its answer. The fluidity bench (bench/fluidity)
	// ends its measurement with it.
	Idle func()
	// Reviews, when set, remembers keywords accepted and rejected per
	// photo (the catalogue); without it they last as long as the window.
	Reviews Reviews
	// Library, when set, is the catalogue: the window opens with the
	// photos classified before, below those of this session.
	Library Library
	// Memory, when set, is handed to the classifying stream: photos it
	// knows are answered from it; "Classify again" goes past it.
	Memory pipeline.Memory
	// Notices are shown when the window opens: what the person should
	// know before dropping anything (results are not being saved).
	Notices []string
}

// Window is Spotter's main window.
type Window struct {
	win    fyne.Window
	worker *worker
	chores *chores
	thumbs *thumbnailer
	table  *table

	zone     *dropZone
	list     *resultsList
	notice   *widget.Label // a problem with the last drop
	activity *widget.Activity
	progress *widget.ProgressBar
	status   *widget.Label
	preview  *canvas.Image
	name     *widget.Label
	results  *resultsView
	review   *reviewPanel
	reviews  Reviews
	library  Library
	opened   time.Time // the library section shows what was stored before
	copyBtn  *widget.Button
	cancel   *widget.Button
	export   *widget.Button
	search   *widget.Entry
	setup    *fyne.Container // what to do when no model loads
	engine   func() EngineInfo
	idle     func()

	// UI thread only.
	loading  bool
	busy     bool // as of the last update
	loadErr  error
	selected uint64 // the row in the detail panel; 0 for none
	anchor   int    // the list index Shift picks from
	// selecting is set while the window selects a row itself, so the
	// list's OnSelected tells a person's pick from the window's.
	selecting bool
	modifiers func() fyne.KeyModifier // the keys held, asked at a pick
	lastDir   string                  // where file dialogs open: the last photo's folder
}

// New builds the window's content into win, registers the drop and close
// handlers and starts the worker, which loads the model at once.
func New(win fyne.Window, open Opener, opts Options) *Window {
	post := opts.Post
	if post == nil {
		post = fyne.Do
	}
	w := &Window{win: win, loading: true, engine: opts.Engine, idle: opts.Idle, reviews: opts.Reviews,
		library: opts.Library, opened: time.Now()}
	w.table = newTable(w.threshold())
	w.zone = newDropZone(w.choosePhoto)
	w.list = newResultsList(w.table, w.listKey, w.wantPage, func(r *row) { w.thumbs.request(r.id, r.path) })
	w.list.OnSelected = func(i widget.ListItemID) {
		if r, _ := w.table.at(i); r != nil && !w.selecting {
			w.pick(i, r, w.modifiers())
		}
	}
	w.modifiers = func() fyne.KeyModifier {
		if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
			return d.CurrentKeyModifiers()
		}
		return 0
	}
	w.notice = widget.NewLabel("")
	w.notice.Wrapping = fyne.TextWrapWord
	w.notice.Importance = widget.DangerImportance
	w.notice.Hide()
	w.activity = widget.NewActivity()
	w.progress = widget.NewProgressBar()
	w.progress.TextFormatter = func() string { return "" }
	w.status = widget.NewLabel("Loading the model…")
	w.status.Truncation = fyne.TextTruncateEllipsis
	w.preview = canvas.NewImageFromImage(nil)
	w.preview.FillMode = canvas.ImageFillContain
	w.preview.ScaleMode = canvas.ImageScaleSmooth
	w.preview.SetMinSize(fyne.NewSize(280, 200))
	w.name = widget.NewLabel("")
	w.name.Truncation = fyne.TextTruncateEllipsis
	w.results = newResultsView()
	w.review = newReviewPanel(func() { w.writeKeywords(false) }, func() { w.removeKeywords(false) })
	w.copyBtn = widget.NewButtonWithIcon("Copy label", theme.ContentCopyIcon(), w.copyLabel)
	w.copyBtn.Hide()

	w.setup = container.NewHBox(
		widget.NewButtonWithIcon("Choose model…", theme.FolderOpenIcon(), w.chooseModel),
		widget.NewButtonWithIcon("Choose ONNX Runtime library…", theme.FolderOpenIcon(), w.chooseLibrary))
	w.setup.Hide()
	win.SetContent(w.layout())
	win.SetMainMenu(w.menu())
	win.Resize(fyne.NewSize(1000, 700))
	win.SetOnDropped(w.dropped)
	w.shortcuts()
	// Closing cancels at once; the caller waits for the worker in Shutdown
	// after the event loop ends, because the UI thread must not block here.
	win.SetOnClosed(func() { w.worker.stop() })

	w.worker = startWorker(open, post, opts.Memory, events{
		loaded:   w.loaded,
		queued:   w.queued,
		walked:   w.walked,
		started:  w.started,
		finished: w.finished,
		preview:  w.showPreview,
	})
	w.chores = newChores(w.worker.ctx, w.worker.report, func(err error) { w.showNotice(err.Error()) })
	w.thumbs = newThumbnailer(w.worker.ctx, w.worker.report, func(id uint64, t thumbnail) {
		if r := w.table.byID[id]; r != nil {
			r.thumb = t
			w.list.refreshRow(r)
		}
	})
	w.reloadLibrary()
	w.update()
	if len(opts.Notices) > 0 {
		w.showNotice(strings.Join(opts.Notices, " "))
	}
	return w
}

func (w *Window) layout() fyne.CanvasObject {
	w.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), w.cancelAll)
	w.export = widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), w.chooseExport)
	w.search = widget.NewEntry()
	w.search.SetPlaceHolder("Filter by name, class, category or file")
	w.search.OnChanged = func(s string) {
		w.table.filter = s
		w.reloadLibrary()
		w.reshow()
	}
	sortBy := widget.NewSelect(orders, func(s string) { w.table.order = s; w.reshow() })
	sortBy.SetSelected(orderAdded)
	toolbar := container.NewBorder(nil, nil,
		container.NewHBox(
			widget.NewButtonWithIcon("Add photos…", theme.FileImageIcon(), w.choosePhoto),
			widget.NewButtonWithIcon("Add folder…", theme.FolderOpenIcon(), w.chooseFolder),
			w.cancel, w.export),
		sortBy, w.search)

	left := container.NewBorder(container.NewVBox(w.notice, w.setup), nil, nil, nil, container.NewStack(w.list, w.zone))
	detail := container.NewBorder(container.NewVBox(w.preview, w.name), w.copyBtn, nil, nil,
		container.NewVScroll(container.NewVBox(w.results.box, w.review.box, w.results.ranked)))
	split := container.NewHSplit(left, container.NewPadded(detail))
	split.Offset = 0.5
	statusBar := container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSquareSize(theme.IconInlineSize()*1.5), w.activity),
		container.NewGridWrap(fyne.NewSize(180, w.progress.MinSize().Height), w.progress), w.status)
	return container.NewBorder(container.NewPadded(toolbar), container.NewPadded(statusBar), nil, nil, split)
}

func (w *Window) menu() *fyne.MainMenu {
	item := func(label string, f func(), key fyne.KeyName, mod fyne.KeyModifier) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, f)
		if key != "" {
			it.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: mod}
		}
		return it
	}
	ctrl := fyne.KeyModifierShortcutDefault
	return fyne.NewMainMenu(
		fyne.NewMenu("File",
			item("Add photos…", w.choosePhoto, fyne.KeyO, ctrl),
			item("Add folder…", w.chooseFolder, fyne.KeyO, ctrl|fyne.KeyModifierShift),
			item("Export…", w.chooseExport, fyne.KeyE, ctrl),
			fyne.NewMenuItemSeparator(),
			item("Settings…", w.showSettings, fyne.KeyComma, ctrl)),
		fyne.NewMenu("Edit",
			item("Copy label", w.copyLabel, fyne.KeyC, ctrl|fyne.KeyModifierShift),
			item("Remove photo", w.removeSelected, "", 0),
			item("Forget photo", w.forgetSelected, fyne.KeyDelete, fyne.KeyModifierShift),
			item("Classify again", w.classifyAgain, fyne.KeyR, ctrl),
			item("Cancel the queue", w.cancelAll, "", 0)),
		fyne.NewMenu("Keywords",
			item("Write keywords", func() { w.writeKeywords(false) }, fyne.KeyK, ctrl),
			item("Write keywords for all rows shown", func() { w.writeKeywords(true) }, fyne.KeyK, ctrl|fyne.KeyModifierShift),
			fyne.NewMenuItemSeparator(),
			item("Remove Spotter keywords", func() { w.removeKeywords(false) }, fyne.KeyU, ctrl),
			item("Remove Spotter keywords from all rows shown", func() { w.removeKeywords(true) }, fyne.KeyU, ctrl|fyne.KeyModifierShift)),
		fyne.NewMenu("Help", item("About Spotter", w.showAbout, "", 0)),
	)
}

func (w *Window) shortcuts() {
	ctrl := fyne.KeyModifierShortcutDefault
	add := func(key fyne.KeyName, mod fyne.KeyModifier, f func()) {
		w.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: mod}, func(fyne.Shortcut) { f() })
	}
	add(fyne.KeyO, ctrl, w.choosePhoto)
	add(fyne.KeyO, ctrl|fyne.KeyModifierShift, w.chooseFolder)
	add(fyne.KeyE, ctrl, w.chooseExport)
	add(fyne.KeyC, ctrl|fyne.KeyModifierShift, w.copyLabel)
	add(fyne.KeyComma, ctrl, w.showSettings)
	add(fyne.KeyDelete, fyne.KeyModifierShift, w.forgetSelected)
	add(fyne.KeyR, ctrl, w.classifyAgain)
	add(fyne.KeyK, ctrl, func() { w.writeKeywords(false) })
	add(fyne.KeyK, ctrl|fyne.KeyModifierShift, func() { w.writeKeywords(true) })
	add(fyne.KeyU, ctrl, func() { w.removeKeywords(false) })
	add(fyne.KeyU, ctrl|fyne.KeyModifierShift, func() { w.removeKeywords(true) })
	add(fyne.KeyQ, ctrl, w.win.Close)
	w.win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) { w.listKey(e.Name) })
}

// listKey handles the keys that act on the list, focused or not.
func (w *Window) listKey(k fyne.KeyName) bool {
	switch k {
	case fyne.KeyEscape:
		w.cancelAll()
	case fyne.KeyDelete:
		w.removeSelected()
	default:
		return false
	}
	return true
}

// Shutdown stops the worker, cancelling any inference in flight, and
// returns when the classifier is closed. Call it after the event loop has
// ended (SIGTERM and Quit end it without calling the window's OnClosed).
func (w *Window) Shutdown() {
	w.worker.wait()
	w.chores.wait()
	w.thumbs.wait()
}

// Open adds photos or folders to the queue. Call it on the UI thread.
func (w *Window) Open(paths ...string) {
	if len(paths) == 0 {
		return
	}
	w.notice.Hide()
	w.lastDir = filepath.Dir(paths[0])
	w.worker.add(paths)
}

func (w *Window) dropped(_ fyne.Position, uris []fyne.URI) {
	var paths, links []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		} else {
			links = append(links, u.String())
		}
	}
	w.Open(paths...)
	if len(links) > 0 {
		slog.Warn("refused dropped links", "uris", links)
		w.showNotice(fmt.Sprintf("%s is a link, not a file on this computer. Spotter only reads local files: save the image first, then drop the saved file.", strings.Join(links, ", ")))
	}
}

func (w *Window) showNotice(msg string) {
	w.notice.SetText(msg)
	w.notice.Show()
}

func (w *Window) queued(items []queued) {
	first := len(w.table.rows) == 0
	w.table.add(items)
	w.list.Refresh()
	// The first photo of a drop into an empty window is shown at once, so
	// one dropped photo reads like a single-photo app.
	if first || w.selected == 0 {
		w.selectRow(items[0].id)
	}
	w.update()
}

func (w *Window) walked(paths []string, found int) {
	if found == 0 && len(paths) > 0 {
		w.showNotice(fmt.Sprintf("No photos were found in %s.", strings.Join(baseNames(paths), ", ")))
	}
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

func (w *Window) started(id uint64) {
	if r := w.table.byID[id]; r != nil && r.state == waiting {
		r.state = working
		w.refreshRow(r)
	}
}

func (w *Window) finished(f finished) {
	r := w.table.finish(f)
	if r == nil {
		return // removed meanwhile
	}
	w.refreshRow(r)
	w.update()
}

func (w *Window) refreshRow(r *row) {
	w.list.refreshRow(r)
	if r.id == w.selected {
		w.showDetail(r)
	}
}

// reshow rebuilds the list after a filter or order change and keeps the
// selected row selected when it is still shown.
func (w *Window) reshow() {
	w.table.refresh()
	w.list.Refresh()
	if i := w.table.index(w.selected); i >= 0 {
		w.list.Select(i)
	} else {
		w.list.UnselectAll()
	}
}

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
		w.selecting = true
		w.list.Select(i)
		w.selecting = false
	}
	w.preview.Image = r.thumb.image() // until the large preview is ready
	w.preview.Refresh()
	w.worker.preview(id, r.path)
	w.showDetail(r)
}

func (w *Window) showDetail(r *row) {
	switch {
	case r.missing:
		w.name.SetText(r.name + " — missing: the file is no longer there")
	case r.lib && !r.when.IsZero():
		w.name.SetText(r.name + " — classified " + r.when.Local().Format("2 January 2006, 15:04"))
	case r.cached && r.state == done:
		w.name.SetText(r.name + " — from the catalogue")
	default:
		w.name.SetText(r.name)
	}
	w.copyBtn.Hide()
	w.review.box.Hide()
	switch r.state {
	case done:
		w.results.showResult(r.answer(), w.table.sure(r), w.table.threshold, r.res.Predictions, w.predictions())
		w.review.show(r, w.table.sure(r), len(w.picked()), func(kw string, on bool) { w.verdict(r, kw, on) })
		w.loadVerdicts(r)
		w.copyBtn.Show()
	case failed:
		w.results.showError(r.err)
	default:
		w.results.showNote(strings.ToUpper(r.summary()[:1]) + r.summary()[1:] + ".")
	}
}

func (w *Window) showPreview(id uint64, img image.Image) {
	if id == w.selected {
		w.preview.Image = img
		w.preview.Refresh()
	}
}

// pick selects row r at list index i as a person picked it: alone, or
// with Ctrl added to (or taken from) the rows picked, or with Shift the
// rows from the last one picked. Library rows not yet read are left out of
// a Shift range.
func (w *Window) pick(i int, r *row, mods fyne.KeyModifier) {
	marked := w.table.marked
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
			if r, _ := w.table.at(j); r != nil {
				marked[r.id] = true
			}
		}
	default:
		clear(marked)
		w.anchor = i
	}
	w.list.refreshShown()
	w.selectRow(r.id)
	if r := w.table.byID[w.selected]; r != nil {
		w.showDetail(r) // the review says how many are picked
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
	w.update()
}

// dropRow takes a session row off the queue, the table and the list.
func (w *Window) dropRow(id uint64) {
	w.worker.remove(id)
	w.table.remove(id)
	delete(w.table.marked, id)
	w.list.forget(id)
	if id == w.selected {
		w.selected = 0
		w.list.UnselectAll()
		w.clearDetail()
	}
	w.list.Refresh()
}

// selectNear selects the row now at list index i, or the last, once the
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
		w.worker.again([]queued{{id: w.worker.newID(), path: r.path}}, true)
		return
	}
	w.table.requeue(r)
	w.refreshRow(r)
	w.worker.again([]queued{{id: r.id, path: r.path}}, false)
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
	w.chores.add("forgetting a photo", func(context.Context) func() {
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
				w.list.UnselectAll()
				w.clearDetail()
			}
			w.reloadLibrary()
			w.list.Refresh()
			w.update()
			w.status.SetText(fmt.Sprintf("Spotter forgot %s; the photo itself is untouched.", name))
			w.selectNear(i)
		}
	})
}

func (w *Window) clearDetail() {
	w.preview.Image = nil
	w.preview.Refresh()
	w.name.SetText("")
	w.results.clear()
	w.review.box.Hide()
	w.copyBtn.Hide()
}

func (w *Window) cancelAll() {
	if w.table.pending() == 0 {
		return
	}
	w.table.cancel(w.worker.cancelAll())
	w.list.Refresh()
	if r := w.table.byID[w.selected]; r != nil {
		w.showDetail(r)
	}
	w.update()
}

// copyLabel copies the selected photo's everyday name, or its exact class
// when Spotter is not sure: "not sure" is no label to paste anywhere.
func (w *Window) copyLabel() {
	r := w.table.byID[w.selected]
	if r == nil || r.state != done {
		return
	}
	label := r.answer().Class
	if w.table.sure(r) {
		label = r.answer().Name
	}
	fyne.CurrentApp().Clipboard().SetContent(label)
	w.status.SetText("Copied “" + label + "”.")
}

func (w *Window) loaded(err error) {
	prev := w.loadErr
	w.loading, w.loadErr = false, err
	if err != nil {
		w.showNotice(err.Error())
		w.setup.Show()
	} else {
		w.setup.Hide()
		if prev != nil && w.notice.Text == prev.Error() {
			w.notice.Hide()
		}
	}
	w.update()
}

// update brings the indicator, progress, buttons and status in line with
// the table: the indicator runs exactly while the worker has work.
func (w *Window) update() {
	busy := w.loading || w.table.pending() > 0
	if busy {
		w.activity.Start()
		w.activity.Show()
	} else {
		w.activity.Stop()
		w.activity.Hide()
	}
	wasBusy := w.busy
	w.busy = busy
	if wasBusy && !busy && w.idle != nil {
		defer w.idle() // after the status below is up to date
	}
	// A filter that matches nothing shows an empty list, not the
	// invitation to drop.
	if len(w.table.rows) == 0 && w.table.lib.count == 0 && strings.TrimSpace(w.table.filter) == "" {
		w.zone.Show()
		w.list.Hide()
	} else {
		w.zone.Hide()
		w.list.Show()
	}
	pending := w.table.pending() > 0
	setEnabled(w.cancel, pending)
	setEnabled(w.export, w.table.length() > 0)
	if pending {
		w.progress.Max = float64(w.table.batchTotal)
		w.progress.SetValue(float64(w.table.batchDone))
		w.progress.Show()
	} else {
		w.progress.Hide()
	}
	w.status.SetText(w.statusText())
}

func (w *Window) statusText() string {
	switch {
	case w.loading:
		return "Loading the model…"
	case w.loadErr != nil && w.table.pending() == 0:
		return "The model is not loaded."
	case w.table.pending() > 0:
		return w.table.progress()
	case len(w.table.rows) == 0 && w.table.lib.count > 0:
		return fmt.Sprintf("%s classified before.", photos(w.table.lib.count))
	case len(w.table.rows) == 0:
		return "Ready."
	}
	var ok, bad, stopped int
	for _, r := range w.table.rows {
		switch r.state {
		case done:
			ok++
		case failed:
			bad++
		case cancelled:
			stopped++
		}
	}
	if r := w.table.rows[0]; len(w.table.rows) == 1 && r.state == done {
		return fmt.Sprintf("%s classified in %d ms.", r.name, r.res.Timing.Total().Milliseconds())
	}
	s := fmt.Sprintf("%d classified", ok)
	if bad > 0 {
		s += fmt.Sprintf(", %d could not be read", bad)
	}
	if stopped > 0 {
		s += fmt.Sprintf(", %d cancelled", stopped)
	}
	return s + "."
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

func (w *Window) choosePhoto() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			w.showNotice("The file dialog failed: " + err.Error())
			return
		}
		if r == nil {
			return // cancelled
		}
		path := r.URI().Path()
		if err := r.Close(); err != nil {
			slog.Warn("closing the chosen file", "err", err)
		}
		w.Open(path)
	}, w.win)
	d.SetFilter(storage.NewExtensionFileFilter(collect.ImageExtensions))
	d.SetTitleText("Choose a photo")
	w.showDialog(d)
}

func (w *Window) chooseFolder() {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			w.showNotice("The folder dialog failed: " + err.Error())
			return
		}
		if dir != nil {
			w.Open(dir.Path())
		}
	}, w.win)
	d.SetTitleText("Choose a folder of photos")
	w.showDialog(d)
}

func (w *Window) chooseExport() {
	if w.table.length() == 0 {
		return
	}
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			w.showNotice("The save dialog failed: " + err.Error())
			return
		}
		if wc == nil {
			return
		}
		path, ext, top, photos := wc.URI().Path(), wc.URI().Extension(), w.predictions(), w.shown()
		w.status.SetText("Exporting…")
		w.chores.add("exporting", func(context.Context) func() {
			n, err := writeRecords(wc, ext, top, photos)
			if cerr := wc.Close(); err == nil {
				err = cerr
			}
			return func() {
				if err != nil {
					w.showNotice(fmt.Sprintf("Could not export to %s: %v. Choose another place and try again.", path, err))
					return
				}
				w.status.SetText(fmt.Sprintf("Exported %d photos to %s.", n, filepath.Base(path)))
			}
		})
	}, w.win)
	d.SetFileName("spotter-results.csv")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".json"}))
	d.SetTitleText("Export results (.csv or .json)")
	w.showDialog(d)
}

// exportTo writes the rows shown, in their order: JSON for ext ".json",
// CSV otherwise, with the same fields as `spotter classify`. With a
// library, call it off the UI thread: it reads the library as it writes.
func (w *Window) exportTo(out io.Writer, ext string) (n int, err error) {
	return writeRecords(out, ext, w.predictions(), w.shown())
}

func writeRecords(out io.Writer, ext string, top int, photos func(func(photo) error) error) (n int, err error) {
	if strings.EqualFold(ext, ".json") {
		var records []report.Record
		err := photos(func(p photo) error {
			records = append(records, p.record())
			return nil
		})
		if err != nil {
			return 0, err
		}
		return len(records), report.WriteJSON(out, records)
	}
	c, err := report.NewCSV(out, top)
	if err != nil {
		return 0, err
	}
	err = photos(func(p photo) error {
		n++
		return c.Write(p.record())
	})
	return n, err
}

type sizedDialog interface {
	Resize(fyne.Size)
	SetLocation(fyne.ListableURI)
	Show()
}

func (w *Window) showDialog(d sizedDialog) {
	if w.lastDir != "" {
		if dir, err := storage.ListerForURI(storage.NewFileURI(w.lastDir)); err == nil {
			d.SetLocation(dir)
		}
	}
	d.Resize(w.win.Canvas().Size().Subtract(fyne.NewSquareSize(40)))
	d.Show()
}

// photos counts photos in words: "1 photo", "3 photos".
func photos(n int) string {
	if n == 1 {
		return "1 photo"
	}
	return fmt.Sprintf("%d photos", n)
}
