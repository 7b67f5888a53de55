package ui

import (
	"fmt"
	"runtime"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/library/folders"
	"github.com/spotter-app/spotter/settings"
	"github.com/spotter-app/spotter/ui/work"
)

// Folders are the library folders, which Spotter keeps classified by
// itself while the window is open (work.Library): the window shows how
// that goes, and lets the person choose the folders and pause.
// Its methods may be called on the UI thread: they change the catalogue
// and leave the indexing's restart to its own goroutine.
type Folders interface {
	// Folders lists the library folders and those excluded from them.
	Folders() (roots, excluded []string, err error)
	Add(path string) error
	Remove(path string) error
	Exclude(path string) error
	Include(path string) error
	// SetPaused pauses or resumes indexing, here and in every Spotter,
	// across restarts.
	SetPaused(paused bool) error
	// Pictures is the folder offered on the first run; "" when none.
	Pictures() string
	// Changed says that the settings indexing follows (the processors
	// it may use, the days a deleted photo is kept) changed.
	Changed()
}

// ShowIndexing puts how indexing goes in the status bar. Call it on the UI
// thread.
func (w *Window) ShowIndexing(s work.Indexing) { w.status.showIndexing(s) }

// LibraryGrew shows the photos indexed since the library section was last
// read. The section lists what the catalogue held when it was read; this
// session's finished rows are kept there too, so they leave the session's
// part of the list for it rather than be listed twice. Call it on the UI
// thread.
func (w *Window) LibraryGrew() {
	if w.library == nil {
		return
	}
	w.opened = time.Now()
	for _, r := range w.table.rows {
		if r.state == done && r.id != w.selected {
			w.table.remove(r.id)
		}
	}
	w.reloadLibrary()
	w.recount()
	w.update()
}

// togglePause pauses indexing, or resumes it.
func (w *Window) togglePause() {
	paused := !w.status.indexing.Paused
	if err := w.folders.SetPaused(paused); err != nil {
		w.showNotice(fmt.Sprintf("Indexing could not be %s: %v. Try again.", map[bool]string{true: "paused", false: "resumed"}[paused], err))
		return
	}
	w.status.indexing.Paused = paused
	w.status.showIndexing(w.status.indexing)
}

// offerPictures asks once, on the first run, whether the person's pictures
// folder should be kept classified.
func (w *Window) offerPictures() {
	p := w.prefs()
	if w.folders == nil || p.Bool(settings.KeyPicturesOffered) {
		return
	}
	roots, _, err := w.folders.Folders()
	pictures := w.folders.Pictures()
	if err != nil || len(roots) > 0 || pictures == "" {
		return
	}
	p.SetBool(settings.KeyPicturesOffered, true)
	msg := widget.NewLabel(fmt.Sprintf("Spotter can name every photo in %s by itself, in the background, and each new one as it arrives, so that search finds them without dropping anything.\n\nYou can pause it, or choose other folders, in File → Library folders.", folders.Tilde(pictures)))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("Keep your pictures named?", "Name them", "Not now", msg, func(ok bool) {
		if ok {
			w.addFolder(pictures)
		}
	}, w.win)
	d.Resize(fyne.NewSize(460, 0).Max(d.MinSize()))
	d.Show()
}

func (w *Window) addFolder(path string) {
	if err := w.folders.Add(path); err != nil {
		w.showNotice(err.Error())
	}
}

// showFolders is the library folders' dialog: the folders, those left out,
// the processors indexing may use and how long a deleted photo is kept.
func (w *Window) showFolders() {
	if w.folders == nil {
		w.showNotice("Library folders need the catalogue, which is off (--no-catalog) or could not be opened.")
		return
	}
	roots, excluded, err := w.folders.Folders()
	if err != nil {
		w.showNotice(fmt.Sprintf("The library folders cannot be read: %v", err))
		return
	}
	var d dialog.Dialog
	again := func() {
		d.Hide()
		w.showFolders()
	}
	list := func(paths []string, empty string, remove func(string) error) fyne.CanvasObject {
		box := container.NewVBox()
		if len(paths) == 0 {
			none := widget.NewLabel(empty)
			none.Importance = widget.LowImportance
			box.Add(none)
		}
		for _, p := range paths {
			box.Add(container.NewBorder(nil, nil, nil,
				widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() {
					if err := remove(p); err != nil {
						w.showNotice(err.Error())
					}
					again()
				}), widget.NewLabel(folders.Tilde(p))))
		}
		return box
	}
	choose := func(add func(string) error) func() {
		return func() {
			fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
				if err != nil || u == nil {
					return
				}
				if err := add(u.Path()); err != nil {
					w.showNotice(err.Error())
				}
				again()
			}, w.win)
			fd.Resize(w.win.Canvas().Size())
			fd.Show()
		}
	}

	p := w.prefs()
	var cores []string
	for i := 1; i <= runtime.NumCPU(); i++ {
		cores = append(cores, strconv.Itoa(i))
	}
	coreSel := widget.NewSelect(cores, nil)
	coreSel.SetSelected(strconv.Itoa(settings.IndexCores(p)))
	coreSel.OnChanged = func(s string) {
		n, _ := strconv.Atoi(s)
		p.SetInt(settings.KeyIndexCores, n)
		w.folders.Changed()
	}
	grace := widget.NewSelect([]string{"1", "7", "30", "90", "365"}, nil)
	grace.SetSelected(strconv.Itoa(settings.GraceDays(p)))
	grace.OnChanged = func(s string) {
		n, _ := strconv.Atoi(s)
		p.SetInt(settings.KeyGraceDays, n)
		w.folders.Changed()
	}
	note := widget.NewLabel("Spotter names the photos in these folders and their subfolders by itself, newest first, at low priority, and each new one as it arrives. Moved photos keep their names; a drive that is unplugged keeps its photos, offline.")
	note.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem("Processors", coreSel),
		widget.NewFormItem("Deleted photos", container.NewHBox(widget.NewLabel("forgotten after"), grace, widget.NewLabel("days"))),
	)
	content := container.NewVBox(note,
		widget.NewLabelWithStyle("Library folders", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		list(roots, "None yet.", w.folders.Remove),
		widget.NewButtonWithIcon("Add folder…", theme.FolderNewIcon(), choose(w.folders.Add)),
		widget.NewLabelWithStyle("Left out", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		list(excluded, "Nothing: every subfolder is named (hidden ones never are).", w.folders.Include),
		widget.NewButtonWithIcon("Leave a folder out…", theme.ContentRemoveIcon(), choose(w.folders.Exclude)),
		form)
	d = dialog.NewCustom("Library folders", "Close", container.NewVScroll(content), w.win)
	d.Resize(fyne.NewSize(560, 520))
	d.Show()
}
