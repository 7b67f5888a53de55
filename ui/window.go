// Package ui is Spotter's window: a drop zone, an activity indicator and
// the results, with one worker goroutine doing the classification. It never
// imports ONNX Runtime; it consumes the small Classifier interface.
package ui

import (
	"fmt"
	"image"
	"log/slog"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/inference/prediction"
)

// Title is the window's title; the end-to-end test finds the window by it.
const Title = "Spotter"

// imageExtensions filters the file dialog. Decoding goes by content, so this
// only decides what the dialog lists.
var imageExtensions = []string{".jpg", ".jpeg", ".jpe", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp"}

// Options adjust the window for tests.
type Options struct {
	// Post delivers the worker's reports to the UI thread. It defaults to
	// fyne.Do; tests run the posted functions on their own goroutine.
	Post func(func())
}

// Window is Spotter's main window.
type Window struct {
	win    fyne.Window
	worker *worker

	zone     *dropZone
	activity *widget.Activity
	status   *widget.Label
	results  *resultsView

	// UI thread only.
	loading  bool
	current  uint64 // the job whose answer the window waits for; 0 when idle
	showing  uint64 // the job whose photo the drop zone shows
	currentN string // its file name
	lastDir  string // where the file dialog opens: the last photo's folder
}

// New builds the window's content into win, registers the drop and close
// handlers and starts the worker, which loads the model at once.
func New(win fyne.Window, open Opener, opts Options) *Window {
	post := opts.Post
	if post == nil {
		post = fyne.Do
	}
	w := &Window{win: win, loading: true}
	w.zone = newDropZone(w.chooseFile)
	w.activity = widget.NewActivity()
	w.status = widget.NewLabel("Loading the model…")
	w.status.Wrapping = fyne.TextWrapWord
	w.results = newResultsView()

	statusRow := container.NewBorder(nil, nil, w.activity, nil, w.status)
	side := container.NewBorder(statusRow, nil, nil, nil, container.NewVScroll(w.results.box))
	split := container.NewHSplit(w.zone, container.NewPadded(side))
	split.Offset = 0.55
	win.SetContent(split)
	win.Resize(fyne.NewSize(860, 560))

	win.SetOnDropped(w.dropped)
	win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { w.chooseFile() })
	win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { w.win.Close() })
	// Closing cancels at once; the caller waits for the worker in Shutdown
	// after the event loop ends, because the UI thread must not block here.
	win.SetOnClosed(func() { w.worker.stop() })

	w.syncActivity()
	w.worker = startWorker(open, post, events{
		loaded:   w.loaded,
		preview:  w.showPreview,
		finished: w.finished,
	})
	return w
}

// Shutdown stops the worker, cancelling any inference in flight, and
// returns when the classifier is closed. Call it after the event loop has
// ended (SIGTERM and Quit end it without calling the window's OnClosed).
func (w *Window) Shutdown() { w.worker.wait() }

// Open classifies the photo at path, replacing whatever is in progress.
// Call it on the UI thread.
func (w *Window) Open(path string) {
	w.current = w.worker.submit(path)
	w.showing = w.current
	w.currentN = filepath.Base(path)
	w.lastDir = filepath.Dir(path)
	w.zone.showPhoto(nil)
	w.results.clear()
	w.status.SetText("Classifying " + w.currentN + "…")
	w.syncActivity()
}

func (w *Window) dropped(_ fyne.Position, uris []fyne.URI) {
	if len(uris) == 0 {
		return
	}
	u := uris[0]
	if u.Scheme() != "file" {
		slog.Warn("refused a dropped link", "uri", u.String())
		w.refuse(fmt.Sprintf("%s is a link, not a file on this computer. Spotter only reads local files: save the image first, then drop the saved file.", u.String()))
		return
	}
	w.Open(u.Path())
	if len(uris) > 1 {
		w.status.SetText(fmt.Sprintf("Classifying %s, the first of the %d files dropped. Drop the others one at a time.", w.currentN, len(uris)))
	}
}

// refuse shows a problem with a drop that never reached the worker. It
// cancels nothing: an answer still on its way is simply not awaited.
func (w *Window) refuse(msg string) {
	w.current, w.showing = 0, 0
	w.zone.showPhoto(nil)
	w.results.showError(msg)
	w.status.SetText("")
	w.syncActivity()
}

func (w *Window) chooseFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			w.refuse("The file dialog failed: " + err.Error())
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
	d.SetFilter(storage.NewExtensionFileFilter(imageExtensions))
	if w.lastDir != "" {
		if dir, err := storage.ListerForURI(storage.NewFileURI(w.lastDir)); err == nil {
			d.SetLocation(dir)
		}
	}
	d.SetTitleText("Choose a photo")
	d.Resize(w.win.Canvas().Size().Subtract(fyne.NewSquareSize(40)))
	d.Show()
}

func (w *Window) loaded(err error) {
	w.loading = false
	if err != nil {
		w.results.showError(err.Error())
		w.status.SetText("The model is not loaded.")
	} else if w.current == 0 {
		w.status.SetText("Ready.")
	}
	w.syncActivity()
}

func (w *Window) showPreview(id uint64, img image.Image) {
	if id == w.showing {
		w.zone.showPhoto(img)
	}
}

func (w *Window) finished(id uint64, res prediction.Result, err error) {
	if id != w.current {
		return // a newer photo replaced this one; its answer is stale
	}
	w.current = 0
	if err != nil {
		w.results.showError(err.Error())
		w.status.SetText("Could not classify " + w.currentN + ".")
	} else {
		w.results.showResult(res.Predictions)
		w.status.SetText(fmt.Sprintf("%s, in %d ms.", w.currentN, res.Timing.Total().Milliseconds()))
	}
	w.syncActivity()
}

// syncActivity runs the indicator exactly while the worker has work the
// window waits for.
func (w *Window) syncActivity() {
	if w.loading || w.current != 0 {
		w.activity.Start()
		w.activity.Show()
	} else {
		w.activity.Stop()
		w.activity.Hide()
	}
}
