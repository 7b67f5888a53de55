package ui

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/settings"
	"github.com/spotter-app/spotter/ui/work"
)

// frames are the boxes drawn on the preview, and the labels' texts.
func frames(p *preview) (boxes []*canvas.Rectangle, labels []*canvas.Text) {
	for _, o := range p.marks.layer.Objects {
		switch o := o.(type) {
		case *canvas.Rectangle:
			if o.StrokeWidth > 0 && o.Visible() {
				boxes = append(boxes, o)
			}
		case *canvas.Text:
			if o.Visible() {
				labels = append(labels, o)
			}
		}
	}
	return boxes, labels
}

// wantBoxes checks the preview's boxes against res's objects, faces and
// lines of text, mapped independently of the code under test: the photo
// contained in the preview, centred, at the scale that fits.
func wantBoxes(t *testing.T, p *preview, res prediction.Result) {
	t.Helper()
	s := p.Size()
	w, h := float32(res.Size[0]), float32(res.Size[1])
	k := min(s.Width/w, s.Height/h)
	ox, oy := (s.Width-k*w)/2, (s.Height-k*h)/2
	boxes, labels := frames(p)
	if len(boxes) != len(res.Objects)+len(res.Faces)+len(res.Lines) || len(labels) != len(res.Objects) {
		t.Fatalf("%d boxes and %d labels for %d objects, %d faces and %d lines", len(boxes), len(labels), len(res.Objects), len(res.Faces), len(res.Lines))
	}
	// The decoded preview's sides are rounded to whole pixels, so its
	// aspect is the photo's within a pixel.
	near := func(a, b float32) bool { return math.Abs(float64(a-b)) < 1.5 }
	// at says where box would be drawn, and whether a frame of the
	// colour is there.
	at := func(box prediction.Box, colour color.Color) (x1, y1, x2, y2 float32, found bool) {
		x1, y1 = ox+box[0]*k, oy+box[1]*k
		x2, y2 = ox+box[2]*k, oy+box[3]*k
		found = slices.ContainsFunc(boxes, func(r *canvas.Rectangle) bool {
			pos, size := r.Position(), r.Size()
			return r.StrokeColor == colour && near(pos.X, x1) && near(pos.Y, y1) && near(size.Width, x2-x1) && near(size.Height, y2-y1)
		})
		return x1, y1, x2, y2, found
	}
	for _, l := range res.Lines {
		if x1, y1, x2, y2, ok := at(l.Box, lineColour); !ok {
			t.Errorf("no outline for the line %q at (%.0f, %.0f)–(%.0f, %.0f) in a preview of %v", l.Text, x1, y1, x2, y2, s)
		}
	}
	for _, o := range res.Objects {
		x1, y1, x2, y2, ok := at(o.Box, objectColour)
		if !ok {
			t.Errorf("no box for %s at (%.0f, %.0f)–(%.0f, %.0f) in a preview of %v", o.Name, x1, y1, x2, y2, s)
		}
		text := o.Name + " " + percent(o.Score)
		j := slices.IndexFunc(labels, func(l *canvas.Text) bool { return l.Text == text })
		if j < 0 {
			t.Errorf("no label %q", text)
			continue
		}
		// On the box's top edge: above it, or just inside at the top.
		if at := labels[j].Position(); at.X < x1-1 || at.X > x2 || at.Y < y1-labels[j].Size().Height-1 || at.Y > y1+1 {
			t.Errorf("label %q at %v, box from (%.0f, %.0f)", text, at, x1, y1)
		}
	}
}

// amber counts the pixels of the objects' colour in a capture.
func amber(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 == uint32(objectColour.R) && g>>8 == uint32(objectColour.G) && bl>>8 == uint32(objectColour.B) {
				n++
			}
		}
	}
	return n
}

// The model set's answer is shown everywhere: boxes labelled with name and
// score on the preview, where the photo is drawn, following the window's
// size and the selection; the title in the tiles and the rows, sorted by;
// the keywords to review. A photo Spotter is not sure of shows no boxes,
// "not sure" and no keywords. Ctrl+B hides the boxes and is remembered.
func TestBoxesTitlesAndReview(t *testing.T) {
	h := start(t, realOpener(t, &counting{}))
	h.win.drop(t, inferencetest.Photo(t, "person.jpg"), inferencetest.Photo(t, "dog.jpg"), magentaCard(t))
	h.until("all are classified", func() bool { return len(h.w.table.rows) == 3 && h.idle() })
	person, dog, card := h.rowNamed("person.jpg"), h.rowNamed("dog.jpg"), h.rowNamed("card.png")
	if !person.res.Fused || len(person.res.Objects) < 3 || person.res.Title == "" || card.res.Sure(h.w.table.threshold) {
		t.Fatalf("the test needs a sure person.jpg with objects (%+v) and a card not sure", person.res)
	}

	p := h.w.viewer.preview
	h.w.selectRow(person.id)
	h.until("the preview is decoded", func() bool { return p.image.Image != nil && p.image.Image.Bounds().Dx() > thumbSide })
	wantBoxes(t, p, person.res)
	h.win.Resize(fyne.NewSize(900, 900)) // letterboxed above and below now
	if s := p.Size(); s.Width/s.Height > float32(person.res.Size[0])/float32(person.res.Size[1]) {
		t.Fatalf("the preview %v is not taller than the photo", s)
	}
	wantBoxes(t, p, person.res)
	h.win.Resize(fyne.NewSize(1280, 800))
	wantBoxes(t, p, person.res)
	if n := amber(h.win.Canvas().Capture()); n < 200 {
		t.Errorf("%d pixels of the boxes' colour are drawn", n)
	}

	h.w.selectRow(card.id)
	if boxes, _ := frames(p); len(boxes) != 0 {
		t.Errorf("%d boxes on a photo with no objects", len(boxes))
	}
	h.w.selectRow(dog.id)
	wantBoxes(t, p, dog.res)

	// Titles: in the grid and the list, and as the everyday name's order.
	for _, layout := range []string{layoutGrid, layoutList} {
		h.w.setLayout(layout)
		for _, r := range []*row{person, dog, card} {
			want := r.res.Title
			if r == card {
				want = names.NotSure
			}
			if it := h.item(r.id); it == nil || it.label.Text != want {
				t.Errorf("%s: the %s shows %v, want %q", r.name, layout, it, want)
			}
		}
	}
	h.w.table.order = orderLabel
	h.w.reshow()
	var order []string
	for _, r := range h.w.table.view {
		order = append(order, r.name)
	}
	if !slices.Equal(order, []string{"dog.jpg", "card.png", "person.jpg"}) {
		t.Errorf("by everyday name: %q (dog, car, bicycle; not sure; person, dog, horse)", order)
	}

	// The review lists every keyword, or says Spotter is not sure.
	h.w.selectRow(person.id)
	var kws []string
	for _, c := range h.checks() {
		kws = append(kws, c.Text)
	}
	if !slices.Equal(kws, person.res.Words()) || len(kws) < 3 || h.w.review.write.Disabled() {
		t.Errorf("the review offers %q, want %q", kws, person.res.Words())
	}
	h.w.selectRow(card.id)
	if len(h.checks()) != 0 || !h.w.review.write.Disabled() || h.w.review.note.Text != "Spotter is not sure what this photo shows, so it suggests no keywords." {
		t.Errorf("the card's review: %d keywords, note %q", len(h.checks()), h.w.review.note.Text)
	}

	// Ctrl+B hides the boxes, unchecks the menu item and is remembered.
	h.w.selectRow(person.id)
	item := func(w fyne.Window) *fyne.MenuItem {
		for _, m := range w.MainMenu().Items {
			for _, it := range m.Items {
				if it.Label == "Show boxes" {
					return it
				}
			}
		}
		t.Fatal("no Show boxes in the menus")
		return nil
	}
	if !p.marks.layer.Visible() || !item(h.win).Checked {
		t.Fatal("the boxes are not shown at first")
	}
	h.key(fyne.KeyB, fyne.KeyModifierShortcutDefault)
	if p.marks.layer.Visible() || item(h.win).Checked || fyne.CurrentApp().Preferences().BoolWithFallback(settings.KeyBoxes, true) {
		t.Error("Ctrl+B does not hide the boxes, or the menu or the preferences do not say so")
	}
	if n := amber(h.win.Canvas().Capture()); n > 20 {
		t.Errorf("%d pixels of the boxes' colour are drawn with the boxes hidden", n)
	}
	h.w.selectRow(dog.id)
	if p.marks.layer.Visible() {
		t.Error("another photo brings the boxes back")
	}
	// A window opened next starts with them hidden.
	next := test.NewWindow(nil)
	w2 := New(next, func() (work.Classifier, work.EngineInfo, error) {
		return nil, work.EngineInfo{}, errors.New("no model is needed here")
	}, Options{Post: func(f func()) { h.posted <- f }})
	t.Cleanup(func() { next.Close(); w2.Shutdown() })
	if w2.viewer.preview.marks.layer.Visible() || item(next).Checked {
		t.Error("the next window shows the boxes")
	}
	h.key(fyne.KeyB, fyne.KeyModifierShortcutDefault)
	if !p.marks.layer.Visible() || !item(h.win).Checked {
		t.Error("Ctrl+B again does not bring the boxes back")
	}
}

// The answer beneath the photo: the title, the people and faces, the
// other objects by name with their best score and number, and the
// classifier's own view heading its ranking; "Not sure" when the model set
// is not, saying why; the classifier alone as before.
func TestAnswerPanel(t *testing.T) {
	test.NewTempApp(t)
	v := newResultsView(func() {})
	alp := names.Answer{Name: "mountain", Confidence: 0.45, Categories: []string{"landscape"}, Class: "alp", ClassProbability: 0.4}
	preds := []prediction.Prediction{{Label: "alp", Probability: 0.4}, {Label: "valley", Probability: 0.2}}
	box := prediction.Box{1, 2, 3, 4}
	fused := prediction.Result{Predictions: preds, Everyday: alp, Fused: true, People: 3, Size: [2]int{10, 10},
		Faces: make([]prediction.Face, 2),
		Objects: []prediction.Object{
			{Name: "person", Score: 0.9, Box: box}, {Name: "dog", Score: 0.87, Box: box}, {Name: "person", Score: 0.8, Box: box},
			{Name: "horse", Score: 0.5, Box: box}, {Name: "horse", Score: 0.64, Box: box}, {Name: "person", Score: 0.7, Box: box},
		},
		Keywords: []prediction.Keyword{{Word: "people"}, {Word: "dog"}, {Word: "horse"}},
		Title:    "3 people, dog, horse"}
	unsure := prediction.Result{Predictions: preds, Everyday: names.Answer{Name: "llama", Confidence: 0.12, Class: "llama", ClassProbability: 0.12}, Fused: true}
	alone := prediction.Result{Predictions: preds, Everyday: alp}
	for _, c := range []struct {
		res                      prediction.Result
		title, confidence, class string // class: the exact class line, or the ranking's heading
	}{
		{fused, "3 people, dog, horse", "3 people, 2 faces\ndog 87 %\nhorse 64 % (×2)", "The classifier alone: mountain, 45 % (alp)"},
		{unsure, "Not sure", "Spotter found no people and no objects it knows.", "The classifier alone is not sure: llama, 12 %"},
		{alone, "mountain", "45 % confidence · landscape", "Exact class: alp, 40 %"},
	} {
		v.showResult(c.res, 0.3, 5)
		class := v.rankTitle.Text
		if v.class.Visible() {
			class = v.class.Text
		}
		want := fmt.Sprintf("%s | %s | %s", c.title, c.confidence, c.class)
		if got := fmt.Sprintf("%s | %s | %s", v.title.Text, v.confidence.Text, class); got != want {
			t.Errorf("shown:\n%s\nwant:\n%s", got, want)
		}
		if c.res.Fused == (v.rankTitle.Text == "Top 2") {
			t.Errorf("the ranking is headed %q", v.rankTitle.Text)
		}
		if !v.rows[1].box.Visible() || v.rows[2].box.Visible() || v.rows[0].name.Text != "alp" {
			t.Error("the classifier's ranking is not shown beside the answer")
		}
	}
}

// The marks' geometry on its own: a 400×200 photo in a 300×300 preview is
// drawn 300×150, 75 units down. A face gets a thin box and no label; a
// label with no room above its box goes inside it, and one past the
// picture's right edge is moved back into it.
func TestMarksPlace(t *testing.T) {
	test.NewTempApp(t)
	res := prediction.Result{Size: [2]int{400, 200},
		Objects: []prediction.Object{{Name: "kite", Score: 0.5, Box: prediction.Box{360, 0, 400, 40}}},
		Faces:   []prediction.Face{{Score: 0.9, Box: prediction.Box{100, 100, 140, 160}}}}
	m := newMarks()
	m.set(res)
	m.place(fyne.NewSize(300, 300), image.NewRGBA(image.Rect(0, 0, 400, 200)))
	var face, kite, tag *canvas.Rectangle
	var text *canvas.Text
	for _, o := range m.layer.Objects {
		switch o := o.(type) {
		case *canvas.Rectangle:
			switch {
			case o.StrokeColor == faceColour:
				face = o
			case o.StrokeColor == objectColour:
				kite = o
			case o.FillColor == objectColour:
				tag = o
			}
		case *canvas.Text:
			text = o
		}
	}
	if face == nil || kite == nil || tag == nil || text == nil || len(m.layer.Objects) != 4 {
		t.Fatalf("marks %v", m.layer.Objects)
	}
	for _, c := range []struct {
		what string
		got  fyne.CanvasObject
		pos  fyne.Position
		size fyne.Size
	}{
		{"face", face, fyne.NewPos(75, 150), fyne.NewSize(30, 45)},
		{"kite", kite, fyne.NewPos(270, 75), fyne.NewSize(30, 30)},
	} {
		if c.got.Position() != c.pos || c.got.Size() != c.size {
			t.Errorf("%s at %v, %v; want %v, %v", c.what, c.got.Position(), c.got.Size(), c.pos, c.size)
		}
	}
	if face.StrokeWidth >= kite.StrokeWidth {
		t.Errorf("the face's box is %v wide, the kite's %v", face.StrokeWidth, kite.StrokeWidth)
	}
	if text.Text != "kite 50 %" || tag.Position().Y != 75 || tag.Position().X+tag.Size().Width > 300.01 || text.Position().X <= tag.Position().X {
		t.Errorf("label %q on a tag at %v, %v", text.Text, tag.Position(), tag.Size())
	}

	m.place(fyne.NewSize(300, 300), nil)
	if kite.Visible() || face.Visible() {
		t.Error("marks are shown with no picture to mark")
	}
}
