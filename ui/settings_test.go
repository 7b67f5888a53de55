package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/settings"
	"github.com/spotter-app/spotter/ui/work"
)

// objectsIn is o and everything drawn inside it, widgets' parts included.
func objectsIn(o fyne.CanvasObject) []fyne.CanvasObject {
	out := []fyne.CanvasObject{o}
	switch o := o.(type) {
	case *fyne.Container:
		for _, c := range o.Objects {
			out = append(out, objectsIn(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			out = append(out, objectsIn(c)...)
		}
	}
	return out
}

// settingsParts are the text settings' controls in an open Settings
// dialog, and its Save button.
type settingsParts struct {
	read  *widget.Check
	langs *widget.CheckGroup
	save  *widget.Button
	texts []string // every text the dialog shows
}

func openSettings(t *testing.T, current settings.Values, apply func(settings.Values)) settingsParts {
	t.Helper()
	win := test.NewWindow(nil)
	t.Cleanup(win.Close)
	win.Resize(fyne.NewSize(1280, 800))
	newSettingsDialog(win, current, apply).Show()
	var p settingsParts
	for _, o := range objectsIn(win.Canvas().Overlays().Top()) {
		switch o := o.(type) {
		case *widget.Check:
			if o.Text == "Read text in photos" {
				p.read = o
			}
		case *widget.CheckGroup:
			p.langs = o
		case *widget.Button:
			if o.Text == "Save" {
				p.save = o
			}
		case *widget.Label:
			p.texts = append(p.texts, o.Text)
		case *canvas.Text:
			p.texts = append(p.texts, o.Text)
		}
	}
	if p.read == nil || p.langs == nil || p.save == nil {
		t.Fatalf("the Settings dialog has no text check (%v), languages (%v) or Save button (%v)", p.read, p.langs, p.save)
	}
	return p
}

// Settings say what reading text does, offer the languages installed and
// any chosen before that no longer is (checked, so it can be unchecked),
// offer none while text is not read, and save what is chosen.
func TestSettingsDialogText(t *testing.T) {
	test.NewTempApp(t)
	var saved []settings.Values
	current := settings.Values{Predictions: 5, Threshold: 0.5, Text: true, Languages: []string{"eng", "zzz"}}
	p := openSettings(t, current, func(v settings.Values) { saved = append(saved, v) })
	if !slices.ContainsFunc(p.texts, func(s string) bool {
		return strings.HasPrefix(s, "Reads words in screenshots, documents, receipts and signs")
	}) {
		t.Errorf("the dialog does not say what reading text does: %q", p.texts)
	}
	if !p.read.Checked || p.langs.Disabled() || !slices.Equal(p.langs.Selected, []string{"English", "zzz"}) {
		t.Fatalf("text read %v, languages disabled %v, %q of %q checked", p.read.Checked, p.langs.Disabled(), p.langs.Selected, p.langs.Options)
	}
	p.langs.SetSelected([]string{"zzz"})
	p.read.SetChecked(false)
	if !p.langs.Disabled() {
		t.Error("the languages can be chosen with text not read")
	}
	test.Tap(p.save)
	if len(saved) != 1 || saved[0].Text || !slices.Equal(saved[0].Languages, []string{"zzz"}) || saved[0].Threshold != 0.5 {
		t.Fatalf("saved %+v", saved)
	}

	// Opened with text off, the languages start disabled; with none
	// checked, English is read.
	p = openSettings(t, saved[0], func(v settings.Values) { saved = append(saved, v) })
	if p.read.Checked || !p.langs.Disabled() {
		t.Errorf("text off: read checked %v, languages disabled %v", p.read.Checked, p.langs.Disabled())
	}
	p.read.SetChecked(true)
	p.langs.SetSelected(nil)
	test.Tap(p.save)
	if len(saved) != 2 || !saved[1].Text || !slices.Equal(saved[1].Languages, []string{"eng"}) {
		t.Errorf("saved %+v", saved[1:])
	}
}

// Turning text off, or another language, opens the engine again with the
// options the settings give it, as a new model does; the next photos are
// read with them.
func TestTextSettingsReload(t *testing.T) {
	inferencetest.Library(t)
	desc := inferencetest.Descriptor(t)
	opened := make(chan inference.Options, 4)
	clf := &counting{}
	h := start(t, func() (work.Classifier, work.EngineInfo, error) {
		// As the program's opener does.
		opts := settings.Read(fyne.CurrentApp().Preferences()).Reading(inference.Options{Descriptor: desc})
		opened <- opts
		c, err := inference.Open(opts)
		if err != nil {
			return nil, work.EngineInfo{}, err
		}
		clf.Classifier = c
		return clf, work.EngineInfo{}, nil
	})
	// The window hears of a load after the opener returned: what it
	// opened with is waiting by then, or it was not opened.
	next := func(what string) inference.Options {
		t.Helper()
		select {
		case o := <-opened:
			return o
		default:
			t.Fatalf("the engine was not opened %s", what)
			return inference.Options{}
		}
	}
	if o := next("at first"); o.NoText || !slices.Equal(o.Languages, []string{"eng"}) {
		t.Errorf("at first the engine is opened with %+v", o)
	}
	s := h.w.current()
	s.Predictions = 3
	h.w.applySettings(s)
	if h.w.loading || len(opened) != 0 {
		t.Error("another number of predictions reloads the engine")
	}
	s.Text = false
	h.w.applySettings(s)
	h.until("the engine is opened again", func() bool { return !h.w.loading })
	if o := next("with text off"); !o.NoText {
		t.Errorf("with text off the engine is opened with %+v", o)
	}
	// A language not installed: the engine refuses it, and the window
	// says so.
	s.Text, s.Languages = true, []string{"eng", "zzz"}
	h.w.applySettings(s)
	h.until("the engine is opened again", func() bool { return !h.w.loading })
	if o := next("with two languages"); o.NoText || !slices.Equal(o.Languages, []string{"eng", "zzz"}) {
		t.Errorf("with two languages the engine is opened with %+v", o)
	}
	if got := h.w.notice.Text; !strings.Contains(got, `"zzz" cannot be read`) || !strings.Contains(got, "Settings") {
		t.Errorf("with a language not installed the window says %q", got)
	}
	if n := clf.closes.Load(); n != 2 {
		t.Errorf("the engine was closed %d times for two changes", n)
	}
}
