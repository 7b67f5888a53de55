package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/ui/work"
)

// statusBar is the window's bottom line: what Spotter is doing, with an
// indicator while it loads the model and a progress bar while it works
// through photos.
type statusBar struct {
	activity *widget.Activity
	progress *widget.ProgressBar
	text     *textLine
	box      *fyne.Container

	// How the library folders' indexing goes, at the right, with its
	// pause.
	indexing     work.Indexing
	indexText    *widget.Label
	pause        *widget.Button
	indexingPart *fyne.Container
}

func newStatusBar(togglePause func()) *statusBar {
	s := &statusBar{activity: widget.NewActivity(), progress: widget.NewProgressBar(), text: newTextLine(true),
		indexText: widget.NewLabel(""), pause: widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), togglePause)}
	s.progress.TextFormatter = func() string { return "" }
	s.text.Text = "Loading the model…"
	s.indexingPart = container.NewHBox(s.indexText, s.pause)
	s.indexingPart.Hide()
	s.box = container.NewBorder(nil, nil,
		container.NewGridWrap(fyne.NewSquareSize(theme.IconInlineSize()*1.5), s.activity),
		container.NewHBox(s.indexingPart, container.NewGridWrap(fyne.NewSize(180, s.progress.MinSize().Height), s.progress)), s.text)
	return s
}

// showIndexing says how indexing goes, or nothing when there are no
// library folders.
func (s *statusBar) showIndexing(i work.Indexing) {
	s.indexing = i
	if !i.Shown {
		s.indexingPart.Hide()
		return
	}
	s.indexText.SetText(i.Text)
	if i.Paused {
		s.pause.SetText("Resume")
		s.pause.SetIcon(theme.MediaPlayIcon())
	} else {
		s.pause.SetText("Pause")
		s.pause.SetIcon(theme.MediaPauseIcon())
	}
	if i.CanPause || i.Paused {
		s.pause.Show()
	} else {
		s.pause.Hide()
	}
	s.indexingPart.Show()
}

// show says text, with the progress bar at done of total while photos are
// pending. The spinning indicator runs only while busy with nothing to
// count: it animates every frame, and under a software renderer each of
// its frames redrew the whole window (make bench, "UI fluidity").
func (s *statusBar) show(busy, pending bool, done, total int, text string) {
	if busy && !pending {
		s.activity.Start()
		s.activity.Show()
	} else {
		s.activity.Stop()
		s.activity.Hide()
	}
	if pending {
		s.progress.Max = float64(total)
		s.progress.SetValue(float64(done))
		s.progress.Show()
	} else {
		s.progress.Hide()
	}
	s.text.SetText(text)
}

// say replaces the status line until the next update.
func (s *statusBar) say(text string) { s.text.SetText(text) }
