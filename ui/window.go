// Package ui is Spotter's window: drop photos or folders, watch them being
// classified, browse them as a list or a grid, look at each one large, and
// review and write keywords. Its background half, without Fyne, is
// package work: one worker goroutine classifies, and the UI never imports
// ONNX Runtime.
package ui

import (
	"fmt"
	"github.com/spotter-app/spotter/settings"
	"image"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/ui/work"
)

// Title is the window's title; the end-to-end test finds the window by it.
const Title = "Spotter"

// Options adjust the window for tests.
type Options struct {
	// Post delivers the worker's reports to the UI thread. It defaults to
	// fyne.Do; tests run the posted functions on their own goroutine.
	Post func(func())
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
	// Folders, when set, are the library folders Spotter keeps
	// classified: the status bar says how that goes, File → Library
	// folders chooses them, and the first run offers the pictures folder.
	Folders Folders
}

// Window is Spotter's main window. It composes parts that own their
// widgets (the facets, the browser of rows, the viewer with the answer and
// the keyword review, the status bar) and carries the worker's events to
// them.
type Window struct {
	win     fyne.Window
	worker  *work.Worker
	chores  *work.Chores
	thumbs  *work.Thumbnails
	table   *table
	images  *imageCache
	browser *browser
	viewer  *viewer
	facets  *facetBar
	status  *statusBar
	results *resultsView
	review  *reviewPanel

	zone    *dropZone
	notice  *widget.Label // a problem with the last drop
	cancel  *widget.Button
	export  *widget.Button
	search  *widget.Entry
	layouts map[string]*widget.Button // the toolbar's list and grid buttons
	side    fyne.CanvasObject         // the facets and the browser, left of the viewer
	main    *container.Split
	setup   *fyne.Container // what to do when no model loads
	reviews Reviews
	library Library
	folders Folders
	opened  time.Time // the library section shows what was stored before
	// engineInfo describes the engine loaded last, for the About box and
	// the keywords' record of the model.
	engineInfo work.EngineInfo
	idle       func()
	recounts   bool   // the facets are out of date
	recheck    func() // brings the menus' check marks up to date

	// UI thread only.
	loading  bool
	busy     bool // as of the last update
	loadErr  error
	selected uint64 // the row in the viewer; 0 for none
	anchor   int    // the view index Shift picks from
	large    bool   // the photo fills the window (Enter)
	// cursor is the view index the keys moved to when its library page
	// was not read yet, -1 otherwise: it is selected when the page comes.
	cursor    int
	modifiers func() fyne.KeyModifier // the keys held, asked at a pick
	lastDir   string                  // where file dialogs open: the last photo's folder
	stale     bool                    // the status is behind the rows until the worker's batch ends
}

// New builds the window's content into win, registers the drop and close
// handlers and starts the worker, which loads the model at once.
func New(win fyne.Window, open work.Opener, opts Options) *Window {
	post := opts.Post
	if post == nil {
		post = fyne.Do
	}
	w := &Window{win: win, loading: true, idle: opts.Idle, reviews: opts.Reviews,
		library: opts.Library, folders: opts.Folders, opened: time.Now(), cursor: -1}
	w.table = newTable(w.threshold())
	w.images = newImageCache(300)
	w.modifiers = func() fyne.KeyModifier {
		if d, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok {
			return d.CurrentKeyModifiers()
		}
		return 0
	}
	w.zone = newDropZone(w.choosePhoto)
	w.browser = newBrowser(w.table, w.images, w.wantPage, func(r *row) { w.thumbs.Request(r.id, r.path) }, w.key, func(i int) {
		if r, _ := w.table.at(i); r != nil {
			w.pick(i, r, w.modifiers())
		}
	})
	w.facets = newFacetBar(w.keepCategory)
	w.notice = widget.NewLabel("")
	w.notice.Wrapping = fyne.TextWrapWord
	w.notice.Importance = widget.DangerImportance
	w.notice.Hide()
	w.status = newStatusBar(w.togglePause)
	w.results = newResultsView(w.copyText)
	w.review = newReviewPanel(func() { w.writeKeywords(false) }, func() { w.removeKeywords(false) })
	w.viewer = newViewer(w.wantPreview, w.results, w.review, w.copyLabel)

	w.setup = container.NewHBox(
		widget.NewButtonWithIcon("Choose model…", theme.FolderOpenIcon(), w.chooseModel),
		widget.NewButtonWithIcon("Choose ONNX Runtime library…", theme.FolderOpenIcon(), w.chooseLibrary))
	w.setup.Hide()
	win.SetContent(w.layout())
	acts := w.actions()
	main, recheck := menu(acts)
	win.SetMainMenu(main)
	w.recheck = recheck
	register(win.Canvas(), acts)
	win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) { w.key(e.Name) })
	w.setLayout(w.prefs().StringWithFallback(settings.KeyLayout, layoutGrid))
	w.viewer.preview.showMarks(w.boxes())
	win.Resize(fyne.NewSize(1280, 800))
	win.SetOnDropped(w.dropped)
	// Closing cancels at once; the caller waits for the worker in Shutdown
	// after the event loop ends, because the UI thread must not block here.
	win.SetOnClosed(func() { w.worker.Stop() })

	// The worker's reports come in batches; the status line and buttons are
	// brought up to date once a batch rather than once a photo (each status
	// line is laid out anew: 10,000 known photos dropped again spent 0.7 s
	// of the UI thread on it).
	batched := func(f func()) {
		post(func() {
			f()
			if w.stale {
				w.stale = false
				w.update()
			}
		})
	}
	w.worker = work.Start(open, batched, work.Events{
		OnLoaded:   w.onLoaded,
		OnQueued:   w.onQueued,
		OnWalked:   w.onWalked,
		OnStarted:  w.onStarted,
		OnFinished: w.onFinished,
		OnPreview:  w.onPreview,
	}, work.Options{Memory: opts.Memory, ThumbnailSide: thumbSide})
	w.chores = work.NewChores(w.worker.Context(), w.worker.Report, func(err error) { w.showNotice(err.Error()) })
	w.thumbs = work.NewThumbnails(w.worker.Context(), w.worker.Report, thumbSide, func(id uint64, t work.Thumbnail) {
		if r := w.table.byID[id]; r != nil {
			r.thumb = t
			w.images.forget(id)
			w.browser.refreshRow(r)
			if id == w.selected && w.viewer.preview.image.Image == nil {
				w.viewer.preview.show(w.images.get(r), false)
			}
		}
	})
	w.reloadLibrary()
	w.recount()
	w.update()
	if len(opts.Notices) > 0 {
		w.showNotice(strings.Join(opts.Notices, " "))
	}
	w.offerPictures()
	return w
}

func (w *Window) layout() fyne.CanvasObject {
	w.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), w.cancelAll)
	w.export = widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), w.chooseExport)
	w.search = widget.NewEntry()
	w.search.SetPlaceHolder("Filter by keyword, name, class or file")
	w.search.OnChanged = func(s string) {
		w.table.filter = s
		w.reloadLibrary()
		w.reshow()
	}
	sortBy := widget.NewSelect(orders, nil)
	sortBy.SetSelected(orderAdded)
	sortBy.OnChanged = func(s string) { w.table.order = s; w.reshow() }
	w.layouts = map[string]*widget.Button{
		layoutList: widget.NewButtonWithIcon("", theme.ListIcon(), func() { w.setLayout(layoutList) }),
		layoutGrid: widget.NewButtonWithIcon("", theme.GridIcon(), func() { w.setLayout(layoutGrid) }),
	}
	toolbar := container.NewBorder(nil, nil,
		container.NewHBox(
			widget.NewButtonWithIcon("Add photos…", theme.FileImageIcon(), w.choosePhoto),
			widget.NewButtonWithIcon("Add folder…", theme.FolderOpenIcon(), w.chooseFolder),
			w.cancel, w.export),
		container.NewHBox(w.layouts[layoutList], w.layouts[layoutGrid], sortBy), w.search)

	w.side = container.NewBorder(w.facets.scroll, nil, nil, nil, w.browser.box)
	w.main = container.NewHSplit(w.side, w.viewer.box)
	w.main.Offset = 0.34
	// The empty window is one drop target, filling it.
	center := container.NewStack(w.main, container.NewPadded(w.zone))
	top := container.NewVBox(container.NewPadded(toolbar), w.notice, w.setup)
	return container.NewBorder(top, container.NewPadded(w.status.box), nil, nil, center)
}

// Shutdown stops the worker, cancelling any inference in flight, and
// returns when the classifier is closed. Call it after the event loop has
// ended (SIGTERM and Quit end it without calling the window's OnClosed).
func (w *Window) Shutdown() {
	w.worker.Wait()
	w.chores.Wait()
	w.thumbs.Wait()
}

// Open adds photos or folders to the queue. Call it on the UI thread.
func (w *Window) Open(paths ...string) {
	if len(paths) == 0 {
		return
	}
	w.notice.Hide()
	w.lastDir = filepath.Dir(paths[0])
	w.worker.Add(paths...)
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

// ShowNotice shows msg above the list until the next drop. Call it on the
// UI thread.
func (w *Window) ShowNotice(msg string) { w.showNotice(msg) }

func (w *Window) showNotice(msg string) {
	w.notice.SetText(msg)
	w.notice.Show()
}

func (w *Window) onQueued(items []work.Queued) {
	first := len(w.table.rows) == 0
	w.table.add(items)
	w.browser.Refresh()
	// The first photo of a drop into an empty window is shown at once, so
	// one dropped photo reads like a single-photo app.
	if first || w.selected == 0 {
		w.selectRow(items[0].ID)
	}
	w.stale = true
}

func (w *Window) onWalked(paths []string, found int) {
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

func (w *Window) onStarted(id uint64) {
	if r := w.table.byID[id]; r != nil && r.state == waiting {
		r.state = working
		w.refreshRow(r)
	}
}

func (w *Window) onFinished(f work.Finished) {
	r := w.table.finish(f)
	if r == nil {
		return // removed meanwhile
	}
	if f.Thumbnail != nil {
		w.images.forget(r.id)
	}
	w.recounts = true
	w.refreshRow(r)
	w.stale = true
}

func (w *Window) refreshRow(r *row) {
	w.browser.refreshRow(r)
	if r.id == w.selected {
		w.showDetail(r)
	}
}

// reshow rebuilds the view after a filter or order change and keeps the
// selected row selected when it is still shown.
func (w *Window) reshow() {
	w.cursor = -1
	w.table.refresh()
	w.browser.Refresh()
	w.browser.selectIndex(w.table.index(w.selected))
	w.update()
}

// keepCategory shows the photos of one facet only; "" shows them all.
func (w *Window) keepCategory(category string) {
	w.table.category = category
	w.reloadLibrary()
	w.reshow()
	w.recount()
}

func (w *Window) onPreview(id uint64, img image.Image) {
	if id == w.selected {
		w.viewer.preview.show(img, false)
	}
}

// wantPreview asks for the selected photo decoded at side pixels.
func (w *Window) wantPreview(side int) {
	if r := w.table.byID[w.selected]; r != nil {
		w.worker.Preview(r.id, r.path, side)
	}
}

func (w *Window) onLoaded(l work.Loaded) {
	// While the window waits for a drop, the parts it will show then make
	// their renderers and load their fonts: the first frame after a drop
	// cost the UI thread about 70 ms more without (make bench, "UI
	// fluidity").
	w.main.MinSize()
	prev, err := w.loadErr, l.Err
	w.loading, w.loadErr, w.engineInfo = false, err, l.Engine
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
	wasBusy := w.busy
	w.busy = busy
	if wasBusy && !busy {
		if w.recounts {
			w.recount()
		}
		if w.idle != nil {
			defer w.idle() // after the status below is up to date
		}
	}
	// A filter that matches nothing shows an empty view, not the
	// invitation to drop.
	if len(w.table.rows) == 0 && w.table.lib.count == 0 && !w.table.refiltered() {
		w.zone.Show()
		w.main.Hide()
	} else {
		w.zone.Hide()
		w.main.Show()
	}
	pending := w.table.pending() > 0
	setEnabled(w.cancel, pending)
	setEnabled(w.export, w.table.length() > 0)
	w.status.show(busy, pending, w.table.batchDone, w.table.batchTotal, w.statusText())
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

// photos counts photos in words: "1 photo", "3 photos".
func photos(n int) string { return count(n, "photo", "photos") }
