// Package ui is Spotter's window: drop photos or folders, watch them being
// classified, browse and export the results. One worker goroutine does the
// classification; the UI never imports ONNX Runtime and consumes the small
// Classifier interface instead.
package ui

import (
	"fmt"
	"image"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/inference/collect"
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
}

// Window is Spotter's main window.
type Window struct {
	win    fyne.Window
	worker *worker
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
	lastDir  string // where file dialogs open: the last photo's folder
}

// New builds the window's content into win, registers the drop and close
// handlers and starts the worker, which loads the model at once.
func New(win fyne.Window, open Opener, opts Options) *Window {
	post := opts.Post
	if post == nil {
		post = fyne.Do
	}
	w := &Window{win: win, table: newTable(), loading: true, engine: opts.Engine, idle: opts.Idle}
	w.zone = newDropZone(w.choosePhoto)
	w.list = newResultsList(w.table, w.listKey)
	w.list.OnSelected = func(i widget.ListItemID) {
		if i < len(w.table.view) {
			w.selectRow(w.table.view[i].id)
		}
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

	w.worker = startWorker(open, post, events{
		loaded:   w.loaded,
		queued:   w.queued,
		walked:   w.walked,
		started:  w.started,
		finished: w.finished,
		preview:  w.showPreview,
	})
	w.update()
	return w
}

func (w *Window) layout() fyne.CanvasObject {
	w.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), w.cancelAll)
	w.export = widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), w.chooseExport)
	w.search = widget.NewEntry()
	w.search.SetPlaceHolder("Filter by label")
	w.search.OnChanged = func(s string) { w.table.filter = s; w.reshow() }
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
		container.NewVScroll(w.results.box))
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
			item("Cancel the queue", w.cancelAll, "", 0)),
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
func (w *Window) Shutdown() { w.worker.wait() }

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
		w.showNotice(fmt.Sprintf("No photos were found in %s.", strings.Join(names(paths), ", ")))
	}
}

func names(paths []string) []string {
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
	w.selected = id
	r := w.table.byID[id]
	if r == nil {
		return
	}
	if i := w.table.index(id); i >= 0 {
		w.list.Select(i)
	}
	w.preview.Image = r.thumb.image() // until the large preview is ready
	w.preview.Refresh()
	w.worker.preview(id, r.path)
	w.showDetail(r)
}

func (w *Window) showDetail(r *row) {
	w.name.SetText(r.name)
	w.copyBtn.Hide()
	switch r.state {
	case done:
		w.results.showResult(r.res.Predictions, w.predictions())
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

func (w *Window) removeSelected() {
	id := w.selected
	if id == 0 {
		return
	}
	i := w.table.index(id)
	w.worker.remove(id)
	w.table.remove(id)
	w.list.forget(id)
	w.selected = 0
	w.list.UnselectAll()
	w.list.Refresh()
	w.clearDetail()
	if n := len(w.table.view); n > 0 {
		w.selectRow(w.table.view[min(i, n-1)].id)
	}
	w.update()
}

func (w *Window) clearDetail() {
	w.preview.Image = nil
	w.preview.Refresh()
	w.name.SetText("")
	w.results.clear()
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

func (w *Window) copyLabel() {
	r := w.table.byID[w.selected]
	if r == nil || r.state != done {
		return
	}
	fyne.CurrentApp().Clipboard().SetContent(r.top().Label)
	w.status.SetText("Copied “" + r.top().Label + "”.")
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
	if len(w.table.rows) == 0 {
		w.zone.Show()
		w.list.Hide()
	} else {
		w.zone.Hide()
		w.list.Show()
	}
	pending := w.table.pending() > 0
	setEnabled(w.cancel, pending)
	setEnabled(w.export, len(w.table.rows) > 0)
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
	if len(w.table.rows) == 0 {
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
		path := wc.URI().Path()
		err = w.exportTo(wc, wc.URI().Extension())
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			w.showNotice(fmt.Sprintf("Could not export to %s: %v. Choose another place and try again.", path, err))
			return
		}
		w.status.SetText(fmt.Sprintf("Exported %d photos to %s.", len(w.table.view), filepath.Base(path)))
	}, w.win)
	d.SetFileName("spotter-results.csv")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".json"}))
	d.SetTitleText("Export results (.csv or .json)")
	w.showDialog(d)
}

// exportTo writes the rows shown, in their order: JSON for ext ".json",
// CSV otherwise, with the same fields as `spotter classify`.
func (w *Window) exportTo(out io.Writer, ext string) error {
	records := make([]report.Record, len(w.table.view))
	for i, r := range w.table.view {
		records[i] = r.record()
	}
	if strings.EqualFold(ext, ".json") {
		return report.WriteJSON(out, records)
	}
	c, err := report.NewCSV(out, w.predictions())
	if err != nil {
		return err
	}
	for _, rec := range records {
		if err := c.Write(rec); err != nil {
			return err
		}
	}
	return nil
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
