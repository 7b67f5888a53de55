package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/spotter-app/spotter/settings"
	"github.com/spotter-app/spotter/ui/work"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/library/keywords"
	"github.com/spotter-app/spotter/library/sidecar"
)

// memReviews keeps verdicts in memory. The catalogue keeps them on disk
// behind the same interface; its adapter lives in cmd/spotter, which this
// package cannot import.
type memReviews struct {
	mu       sync.Mutex
	verdicts map[string]map[string]bool // photo → keyword → accepted
}

func (m *memReviews) Rejected(photo string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for kw, ok := range m.verdicts[photo] {
		if !ok {
			out = append(out, kw)
		}
	}
	return out, nil
}

func (m *memReviews) Review(photo, keyword string, accepted bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.verdicts == nil {
		m.verdicts = map[string]map[string]bool{}
	}
	if m.verdicts[photo] == nil {
		m.verdicts[photo] = map[string]bool{}
	}
	m.verdicts[photo][keyword] = accepted
	return nil
}

func (m *memReviews) verdict(photo, keyword string) (accepted, known bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	accepted, known = m.verdicts[photo][keyword]
	return accepted, known
}

// copies puts copies of the shared photos in a folder of their own, so
// sidecars are written beside the copies.
func copies(t *testing.T, photos ...string) (dir string, paths []string) {
	t.Helper()
	dir = t.TempDir()
	for _, name := range photos {
		data, err := os.ReadFile(inferencetest.Photo(t, name))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, inferencetest.WriteFile(t, dir, name, data))
	}
	return dir, paths
}

func (h *harness) checks() (out []*widget.Check) {
	for _, o := range h.w.review.checks.Objects {
		out = append(out, o.(*widget.Check))
	}
	return out
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}

// Review before writing: the selected photo's keywords are suggested,
// nothing is written until applied, a rejected keyword stays out of the
// sidecar and is remembered, "all rows shown" writes every sure photo,
// and removing takes away the sidecars Spotter made.
func TestKeywordReviewWriteRejectRemove(t *testing.T) {
	reviews := &memReviews{}
	h := startWith(t, realOpener(t, &counting{}), Options{Reviews: reviews})
	_, paths := copies(t, "dog.jpg", "eagle.jpg")
	dogPath, eaglePath := paths[0], paths[1]
	h.win.drop(t, paths...)
	h.until("both are classified", func() bool { return len(h.w.table.rows) == 2 && h.idle() })
	dog, eagle := h.rowNamed("dog.jpg"), h.rowNamed("eagle.jpg")
	if !h.w.table.sure(dog) || !h.w.table.sure(eagle) {
		t.Fatalf("the test needs sure answers: dog %+v, eagle %+v", dog.answer(), eagle.answer())
	}

	h.w.selectRow(dog.id)
	want := keywords.Suggest(dog.res, h.w.table.threshold)
	var labels []string
	for _, c := range h.checks() {
		labels = append(labels, c.Text)
		if !c.Checked {
			t.Errorf("%q is not checked before any verdict", c.Text)
		}
	}
	if !slices.Equal(labels, want) || len(want) < 2 || !slices.Equal(want, dog.res.Words()) {
		t.Fatalf("suggested %q, want %q: the model set's keywords", labels, dog.res.Words())
	}
	if !h.w.review.box.Visible() || h.w.review.write.Disabled() {
		t.Fatal("the review is not offered for a sure photo")
	}

	// Reject the least telling keyword: remembered, and nothing written yet.
	rejected := want[len(want)-1]
	test.Tap(h.checks()[len(want)-1])
	h.until("the rejection is remembered", func() bool { ok, known := reviews.verdict(dogPath, rejected); return known && !ok })
	if exists(sidecar.Path(dogPath)) || exists(sidecar.Path(eaglePath)) {
		t.Fatal("a sidecar was written before the person applied the keywords")
	}

	h.w.writeKeywords(false)
	h.until("the dog's keywords are written", func() bool { return dog.tagNote != "" })
	info, err := sidecar.Read(dogPath)
	if err != nil || !info.Exists || dog.tagErr {
		t.Fatalf("after writing: %+v, %v (%s)", info, err, dog.tagNote)
	}
	kept := slices.DeleteFunc(slices.Clone(want), func(s string) bool { return s == rejected })
	if got := slices.Sorted(slices.Values(info.Subjects)); !slices.Equal(got, slices.Sorted(slices.Values(kept))) {
		t.Errorf("dc:subject %q, want %q without the rejected %q", info.Subjects, kept, rejected)
	}
	var hierarchies []string
	for _, k := range dog.res.Keywords {
		if k.Word != rejected {
			hierarchies = append(hierarchies, k.Path)
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(info.Hierarchies)), slices.Sorted(slices.Values(hierarchies))) {
		t.Errorf("hierarchical keywords %q, want %q", info.Hierarchies, hierarchies)
	}
	if s := info.Spotter; s == nil || s.Class != dog.answer().Class || s.Model != filepath.Base(inferencetest.Descriptor(t)) || s.Probability != dog.answer().ClassProbability {
		t.Errorf("Spotter's record %+v", s)
	}
	if exists(sidecar.Path(eaglePath)) {
		t.Error("writing the selected photo's keywords wrote the eagle's too")
	}

	// All rows shown: the eagle gets all of its keywords.
	h.w.writeKeywords(true)
	h.until("the eagle's keywords are written", func() bool { return eagle.tagNote != "" })
	if info, err := sidecar.Read(eaglePath); err != nil || len(eagle.res.Keywords) == 0 ||
		!slices.Equal(slices.Sorted(slices.Values(info.Subjects)), slices.Sorted(slices.Values(eagle.res.Words()))) {
		t.Errorf("eagle's sidecar: %+v, %v", info, err)
	}
	if !strings.Contains(h.w.status.text.Text, "Keywords written for 2 photos") {
		t.Errorf("status %q", h.w.status.text.Text)
	}

	// The rejection is remembered for the photo, not the row: the same
	// photo dropped again comes with the keyword unchecked.
	h.w.Open(dogPath)
	h.until("the photo is classified again", func() bool { return len(h.w.table.rows) == 3 && h.idle() })
	again := h.w.table.rows[2]
	h.w.selectRow(again.id)
	h.until("the remembered verdicts are shown", func() bool { return again.rejected[rejected] })
	for _, c := range h.checks() {
		if c.Checked == (c.Text == rejected) {
			t.Errorf("after dropping again, %q checked: %v", c.Text, c.Checked)
		}
	}

	// Undo: Spotter made both sidecars and nothing else is in them.
	h.w.removeKeywords(true)
	h.until("the keywords are removed", func() bool { return strings.Contains(eagle.tagNote, "removed") })
	if exists(sidecar.Path(dogPath)) || exists(sidecar.Path(eaglePath)) {
		t.Error("removing Spotter's keywords left the sidecars it made")
	}
}

// A photo whose sidecar cannot be written says why in its row and in the
// review; the file is left exactly as it was, and the others are written.
func TestKeywordWriteErrorPerPhoto(t *testing.T) {
	h := start(t, realOpener(t, &counting{}))
	_, paths := copies(t, "dog.jpg", "eagle.jpg")
	garbage := []byte("this is not XMP")
	if err := os.WriteFile(paths[1]+".xmp", garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	h.win.drop(t, paths...)
	h.until("both are classified", func() bool { return len(h.w.table.rows) == 2 && h.idle() })
	dog, eagle := h.rowNamed("dog.jpg"), h.rowNamed("eagle.jpg")
	h.w.writeKeywords(true)
	h.until("the outcome", func() bool { return eagle.tagNote != "" })
	if !eagle.tagErr || !strings.Contains(eagle.tagNote, "is not an XMP sidecar") {
		t.Errorf("eagle: error %v, %q", eagle.tagErr, eagle.tagNote)
	}
	if data, _ := os.ReadFile(paths[1] + ".xmp"); string(data) != string(garbage) {
		t.Errorf("the garbage sidecar was changed to %q", data)
	}
	if dog.tagErr || !exists(sidecar.Path(paths[0])) {
		t.Errorf("the dog was not written: %q", dog.tagNote)
	}
	if it := h.item(eagle.id); it == nil || it.detail.Text != eagle.tagNote || it.detail.Importance != widget.DangerImportance {
		t.Error("the eagle's list row does not show its error")
	}
	if !strings.Contains(h.w.status.text.Text, "1 could not be") {
		t.Errorf("status %q", h.w.status.text.Text)
	}
	h.w.selectRow(eagle.id)
	if h.w.review.note.Text != eagle.tagNote || h.w.review.note.Importance != widget.DangerImportance {
		t.Errorf("the review says %q", h.w.review.note.Text)
	}
}

// magentaCard writes a plain magenta card, no photo of anything.
func magentaCard(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{255, 0, 255, 255}}, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return inferencetest.WriteFile(t, t.TempDir(), "card.png", buf.Bytes())
}

// The classifier alone (a model without detectors beside it, or an answer
// the catalogue kept from before them) is read by its everyday name. A
// plain magenta card is no photo of anything: below the threshold it is
// "not sure" in the list, the detail panel and the filter, never a
// confident word, and it gets no keywords. The threshold is a setting: the
// same answer reads as its name once the threshold is below it.
func TestNotSureAndTheThreshold(t *testing.T) {
	h := start(t, openerFor(t, inference.Options{Descriptor: float32Descriptor(t), ClassifierAlone: true}, &counting{}))
	h.win.drop(t, magentaCard(t))
	h.until("the answer", func() bool { return len(h.w.table.rows) == 1 && h.idle() })
	r := h.rowNamed("card.png")
	a := r.answer()
	t.Logf("the magenta card: %+v", a)
	if r.state != done || r.res.Fused || a.Sure(names.DefaultThreshold) {
		t.Fatalf("the magenta card: state %d, %+v; want an answer below %v", r.state, a, names.DefaultThreshold)
	}
	if it := h.item(r.id); it == nil || it.label.Text != names.NotSure {
		t.Error("the list row does not say not sure")
	}
	if h.w.results.title.Text != "Not sure" || strings.Contains(h.w.results.title.Text, a.Name) {
		t.Errorf("the detail title reads %q", h.w.results.title.Text)
	}
	if len(h.checks()) != 0 || !h.w.review.write.Disabled() {
		t.Error("keywords are suggested for a photo Spotter is not sure about")
	}
	for filter, shown := range map[string]bool{"not sure": true, "CARD": true, a.Class: true} {
		h.w.search.SetText(filter)
		if got := len(h.w.table.view) == 1; got != shown {
			t.Errorf("filter %q shows the card: %v", filter, got)
		}
	}
	h.w.search.SetText("")

	below := float32(math.Floor(float64(a.Confidence)*100)) / 100
	if below < 0.05 {
		t.Fatalf("the card's answer (%v) is below any threshold the settings offer", a.Confidence)
	}
	s := h.w.current()
	s.Threshold = below
	h.w.applySettings(s)
	if got := fyne.CurrentApp().Preferences().Float(settings.KeyThreshold); float32(got) != below {
		t.Errorf("threshold preference %v, want %v", got, below)
	}
	if h.w.results.title.Text != a.Name || h.item(r.id).label.Text != a.Name || len(h.checks()) == 0 {
		t.Errorf("at a threshold of %v the card still reads %q", below, h.w.results.title.Text)
	}
}

// Ctrl adds a row to those picked and Shift picks a range; the keyword
// actions then apply to the rows picked, and a plain click picks one again.
func TestPickManyWithCtrlAndShift(t *testing.T) {
	h := start(t, realOpener(t, &counting{}))
	_, paths := copies(t, "dog.jpg", "eagle.jpg", "giraffe.jpg")
	h.win.drop(t, paths...)
	h.until("all are classified", func() bool { return len(h.w.table.rows) == 3 && h.idle() })
	s := h.w.current()
	s.Threshold = 0.05 // every photo sure enough for keywords, whatever the model says
	h.w.applySettings(s)

	var mods fyne.KeyModifier
	h.w.modifiers = func() fyne.KeyModifier { return mods }
	click := func(i int, m fyne.KeyModifier) {
		mods = m
		h.w.browser.active().Select(i)
	}
	click(0, 0)
	click(2, fyne.KeyModifierShortcutDefault)
	if len(h.w.picked()) != 2 || !h.w.table.marked[h.w.table.view[0].id] || !h.w.table.marked[h.w.table.view[2].id] {
		t.Fatalf("after Ctrl-click, picked %v", h.w.table.marked)
	}
	if it := h.item(h.w.table.view[2].id); it == nil || !it.mark.Visible() {
		t.Error("a row picked with Ctrl is not marked in the list")
	}
	if it := h.item(h.w.table.view[1].id); it == nil || it.mark.Visible() {
		t.Error("a row not picked is marked")
	}
	if !strings.Contains(h.w.review.note.Text, "2 photos are picked") {
		t.Errorf("the review says %q", h.w.review.note.Text)
	}
	h.w.writeKeywords(false)
	h.until("the keywords are written", func() bool { return h.w.table.view[2].tagNote != "" })
	for i, want := range []bool{true, false, true} {
		if got := exists(sidecar.Path(paths[i])); got != want {
			t.Errorf("%s has a sidecar: %v, want %v", filepath.Base(paths[i]), got, want)
		}
	}

	click(1, fyne.KeyModifierShift) // from row 2, the last picked
	if picked := h.w.picked(); len(picked) != 2 || !picked[h.w.table.view[1].id] || !picked[h.w.table.view[2].id] {
		t.Fatalf("after Shift-click, picked %v", picked)
	}
	h.w.removeKeywords(false)
	h.until("the keywords are removed", func() bool { return strings.Contains(h.w.table.view[2].tagNote, "removed") })
	if !exists(sidecar.Path(paths[0])) || exists(sidecar.Path(paths[2])) {
		t.Error("removing from the rows picked touched another, or missed one")
	}

	click(0, 0)
	if picked := h.w.picked(); len(picked) != 1 || !picked[h.w.table.view[0].id] || len(h.w.table.marked) != 0 {
		t.Errorf("a plain click leaves %v picked", picked)
	}
}

// The threshold is chosen in the Settings dialog and kept in the
// preferences; saving without touching it keeps one the dialog does not
// offer.
func TestSettingsDialogThreshold(t *testing.T) {
	h := start(t, realOpener(t, &counting{}))
	prefs := fyne.CurrentApp().Preferences()
	save := func(choose string) {
		t.Helper()
		h.w.showSettings()
		var sure *widget.Select
		var saveBtn *widget.Button
		for _, o := range objectsIn(h.win.Canvas().Overlays().Top()) {
			switch o := o.(type) {
			case *widget.Select:
				if slices.Contains(o.Options, "50 %") {
					sure = o
				}
			case *widget.Button:
				if o.Text == "Save" {
					saveBtn = o
				}
			}
		}
		if sure == nil || saveBtn == nil {
			t.Fatal("the Settings dialog has no threshold choice or no Save button")
		}
		if want := fmt.Sprintf("%.0f %%", 100*h.w.threshold()); choose == "" && sure.Selected != want && sure.Selected != "" {
			t.Errorf("the dialog shows %q for a threshold of %v", sure.Selected, h.w.threshold())
		}
		if choose != "" {
			sure.SetSelected(choose)
		}
		test.Tap(saveBtn)
	}
	save("70 %")
	if got := prefs.Float(settings.KeyThreshold); math.Abs(got-0.7) > 1e-6 || math.Abs(float64(h.w.table.threshold)-0.7) > 1e-6 {
		t.Errorf("after choosing 70 %%: preference %v, window %v", got, h.w.table.threshold)
	}
	s := h.w.current()
	s.Threshold = 0.33
	h.w.applySettings(s)
	save("")
	if got := prefs.Float(settings.KeyThreshold); math.Abs(got-0.33) > 1e-6 {
		t.Errorf("saving untouched changed the threshold 0.33 to %v", got)
	}
}

// A chore that panics costs its own work only: the window says so and the
// next chore runs.
func TestChorePanicIsShown(t *testing.T) {
	h := start(t, func() (work.Classifier, work.EngineInfo, error) {
		return nil, work.EngineInfo{}, errors.New("No model was found. Run `make model`")
	})
	ran := false
	h.w.chores.Add("testing the chores", func(context.Context) func() { panic("boom") })
	h.w.chores.Add("running after it", func(context.Context) func() { return func() { ran = true } })
	h.until("the next chore runs", func() bool { return ran })
	if !strings.Contains(h.w.notice.Text, "internal error while testing the chores") {
		t.Errorf("notice %q", h.w.notice.Text)
	}
}
