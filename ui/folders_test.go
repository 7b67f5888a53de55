package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/settings"
	"github.com/spotter-app/spotter/ui/work"
)

// recordedFolders keeps the library folders in memory and records what the
// window asked of them; cmd/spotter's end-to-end test runs the real
// one (work.Library) behind the same interface.
type recordedFolders struct {
	roots    []string
	pictures string
	paused   []bool
	changed  int
}

func (f *recordedFolders) Folders() (roots, excluded []string, err error) { return f.roots, nil, nil }
func (f *recordedFolders) Add(path string) error                          { f.roots = append(f.roots, path); return nil }
func (f *recordedFolders) Remove(path string) error {
	f.roots = slices.DeleteFunc(f.roots, func(p string) bool { return p == path })
	return nil
}
func (f *recordedFolders) Exclude(string) error { return nil }
func (f *recordedFolders) Include(string) error { return nil }
func (f *recordedFolders) SetPaused(paused bool) error {
	f.paused = append(f.paused, paused)
	return nil
}
func (f *recordedFolders) Pictures() string { return f.pictures }
func (f *recordedFolders) Changed()         { f.changed++ }
func buttonIn(h *harness, text string) *widget.Button {
	for _, o := range objectsIn(h.win.Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	return nil
}

// The first window offers the pictures folder once: taken, it is a
// library folder; the offer is not made again.
func TestFirstRunOffersPictures(t *testing.T) {
	f := &recordedFolders{pictures: t.TempDir()}
	h := launch(t, realOpener(t, &counting{}), Options{Folders: f})
	take := buttonIn(h, "Name them")
	if take == nil {
		t.Fatal("the first window does not offer the pictures folder")
	}
	test.Tap(take)
	if !slices.Equal(f.roots, []string{f.pictures}) {
		t.Errorf("library folders after taking the offer: %q", f.roots)
	}
	if !h.w.prefs().Bool(settings.KeyPicturesOffered) {
		t.Error("the offer is not remembered")
	}
	f.roots = nil
	h.w.offerPictures()
	if buttonIn(h, "Name them") != nil {
		t.Error("the pictures folder is offered a second time")
	}
}

// The status bar says how indexing goes, and its button pauses and
// resumes it.
func TestStatusBarPausesIndexing(t *testing.T) {
	f := &recordedFolders{roots: []string{t.TempDir()}}
	h := launch(t, realOpener(t, &counting{}), Options{Folders: f})
	s := h.w.status
	if s.indexingPart.Visible() {
		t.Error("indexing is shown before the indexer said anything")
	}
	h.w.ShowIndexing(work.Indexing{Shown: true, Text: "Indexing ~/Pictures: 3 of 10, about 5 s left", CanPause: true})
	if !s.indexingPart.Visible() || s.indexText.Text != "Indexing ~/Pictures: 3 of 10, about 5 s left" || s.pause.Text != "Pause" {
		t.Errorf("the status bar shows %q with %q (visible %v)", s.indexText.Text, s.pause.Text, s.indexingPart.Visible())
	}
	test.Tap(s.pause)
	if !slices.Equal(f.paused, []bool{true}) || s.pause.Text != "Resume" {
		t.Errorf("after Pause: asked %v, the button says %q", f.paused, s.pause.Text)
	}
	test.Tap(s.pause)
	if !slices.Equal(f.paused, []bool{true, false}) || s.pause.Text != "Pause" {
		t.Errorf("after Resume: asked %v, the button says %q", f.paused, s.pause.Text)
	}
	h.w.ShowIndexing(work.Indexing{})
	if s.indexingPart.Visible() {
		t.Error("indexing is still shown with no library folders")
	}
}
