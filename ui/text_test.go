package ui

import (
	"context"
	"image"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/ui/work"
)

// The words read in a photo are shown beneath its answer, in a selectable
// text that scrolls within a few lines; a photo without words has no such
// section, nor does one with no answer yet.
func TestAnswerPanelText(t *testing.T) {
	test.NewTempApp(t)
	copied := 0
	v := newResultsView(func() { copied++ })
	preds := []prediction.Prediction{{Label: "menu", Probability: 0.6}}
	var page []prediction.Line
	for _, w := range strings.Fields("Soup Bread Cheese Salad Coffee Tea Cake Water Wine Beer Juice Pie") {
		page = append(page, prediction.Line{Text: w + " 4.50", Confidence: 0.9})
	}
	res := prediction.Result{Predictions: preds, Fused: true, Title: "receipt", Lines: page}
	v.showResult(res, 0.3, 5)
	if !v.textBox.Visible() || v.text.Text != res.Text() || !v.text.Selectable {
		t.Fatalf("text shown %v: %q, selectable %v", v.textBox.Visible(), v.text.Text, v.text.Selectable)
	}
	// A page of lines scrolls rather than pushing the panel apart.
	if all, shown := v.text.MinSize().Height, v.textBox.MinSize().Height; shown >= all {
		t.Errorf("12 lines take %v; the section is %v high", all, shown)
	}
	test.Tap(v.copyText)
	if copied != 1 {
		t.Errorf("Copy text called back %d times", copied)
	}

	res.Lines = nil
	v.showResult(res, 0.3, 5)
	if v.textBox.Visible() {
		t.Error("a photo without words shows a text section")
	}
	v.showResult(prediction.Result{Predictions: preds, Lines: page[:1]}, 0.3, 5)
	v.showNote("Waiting for its turn.")
	if v.textBox.Visible() {
		t.Error("the last photo's words stay with a photo not answered yet")
	}
}

// reading is the real engine with words read in each photo, as the text
// engine would add them: the lines it is given, or none when they are nil,
// boxed in the photo's own pixels.
type reading struct {
	work.Classifier
	lines atomic.Pointer[[]string]
}

func (r *reading) Run(ctx context.Context, input []float32) (prediction.Result, error) {
	res, err := r.Classifier.Run(ctx, input)
	w, h := float32(res.Size[0]), float32(res.Size[1])
	if lines := r.lines.Load(); lines != nil {
		for i, l := range *lines {
			y := h * float32(i+1) / 10
			res.Lines = append(res.Lines, prediction.Line{Text: l, Confidence: 0.8, Box: prediction.Box{w / 10, y, w * 6 / 10, y + h/20}})
		}
	}
	return res, err
}

// In the window: the lines read are outlined on the preview where they are
// on the photo, shown and hidden with the other boxes (Ctrl+B); Copy text
// puts the words on the clipboard, a line each; a photo without words has
// no text section and no outlines.
func TestTextInTheWindow(t *testing.T) {
	inferencetest.Library(t)
	desc := inferencetest.Descriptor(t)
	r := &reading{}
	r.lines.Store(&[]string{"Shopping list", "eggs, milk"})
	h := start(t, func() (work.Classifier, work.EngineInfo, error) {
		c, err := inference.Open(inference.Options{Descriptor: desc})
		if err != nil {
			return nil, work.EngineInfo{}, err
		}
		r.Classifier = c
		return r, work.EngineInfo{}, nil
	})
	// A plain card: no object or face is found on it, so every box drawn
	// is a line's.
	h.win.drop(t, magentaCard(t))
	h.until("the card is read", func() bool { return len(h.w.table.rows) == 1 && h.idle() })
	r.lines.Store(nil)
	h.win.drop(t, inferencetest.Photo(t, "dog.jpg"))
	h.until("the dog is classified", func() bool { return len(h.w.table.rows) == 2 && h.idle() })
	card, dog := h.rowNamed("card.png"), h.rowNamed("dog.jpg")
	if len(card.res.Lines) != 2 || len(card.res.Objects)+len(card.res.Faces) != 0 || len(dog.res.Lines) != 0 {
		t.Fatalf("the test needs a card with two lines and nothing else (%+v), a dog without words", card.res)
	}

	p := h.w.viewer.preview
	h.w.selectRow(card.id)
	h.until("the preview is decoded", func() bool { return p.image.Image != nil && p.image.Image.Bounds().Dx() > thumbSide })
	wantBoxes(t, p, card.res)
	if !h.w.results.textBox.Visible() || h.w.results.text.Text != "Shopping list\neggs, milk" {
		t.Errorf("the answer shows the text %v: %q", h.w.results.textBox.Visible(), h.w.results.text.Text)
	}
	// The test canvas lays out what was shown only on a resize, where the
	// real one does at the next frame.
	h.win.Resize(fyne.NewSize(1200, 800))
	shown := h.win.Canvas().Capture()
	h.key(fyne.KeyB, fyne.KeyModifierShortcutDefault)
	if p.marks.layer.Visible() {
		t.Error("Ctrl+B leaves the lines outlined")
	}
	if n := differ(shown, h.win.Canvas().Capture()); n < 100 {
		t.Errorf("hiding the boxes changed %d pixels of a photo with two lines outlined", n)
	}
	h.key(fyne.KeyB, fyne.KeyModifierShortcutDefault)
	if n := differ(shown, h.win.Canvas().Capture()); !p.marks.layer.Visible() || n != 0 {
		t.Errorf("Ctrl+B again: outlines shown %v, %d pixels unlike before", p.marks.layer.Visible(), n)
	}

	clip := fyne.CurrentApp().Clipboard()
	clip.SetContent("before")
	test.Tap(h.w.results.copyText)
	if got := clip.Content(); got != "Shopping list\neggs, milk" {
		t.Errorf("Copy text put %q on the clipboard", got)
	}
	if got := h.w.status.text.Text; got != "Copied the text in card.png (2 lines)." {
		t.Errorf("the status says %q", got)
	}

	h.w.selectRow(dog.id)
	if h.w.results.textBox.Visible() {
		t.Error("the dog, without words, shows a text section")
	}
	wantBoxes(t, p, dog.res)
	clip.SetContent("before")
	h.w.copyText() // from the menu: nothing to copy
	if clip.Content() != "before" || !strings.Contains(h.w.status.text.Text, "no text") {
		t.Errorf("copying the text of a photo without: clipboard %q, status %q", clip.Content(), h.w.status.text.Text)
	}

	// The filter finds a photo by the words read in it, every word
	// anywhere in its text, as the catalogue does.
	for filter, want := range map[string]int{"MILK": 1, "milk shopping": 1, "milk zebra": 0} {
		h.w.search.SetText(filter)
		if n := len(h.w.table.view); n != want || n == 1 && h.w.table.view[0].name != "card.png" {
			t.Errorf("filter %q: %d photos shown, want %d (the card)", filter, n, want)
		}
	}
}

// differ counts the pixels unlike between two captures of one window.
func differ(a, b image.Image) int {
	n := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				n++
			}
		}
	}
	return n
}
