package ui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/spotter-app/spotter/inference/collect"
	"github.com/spotter-app/spotter/inference/report"
)

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
		w.status.say("Exporting…")
		w.chores.Add("exporting", func(context.Context) func() {
			n, err := writeRecords(wc, ext, top, photos)
			if cerr := wc.Close(); err == nil {
				err = cerr
			}
			return func() {
				if err != nil {
					w.showNotice(fmt.Sprintf("Could not export to %s: %v. Choose another place and try again.", path, err))
					return
				}
				w.status.say(fmt.Sprintf("Exported %d photos to %s.", n, filepath.Base(path)))
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
