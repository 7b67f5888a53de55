package ui

import (
	"fmt"
	"github.com/spotter-app/spotter/settings"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/names"
)

// The photo takes the space the window gives it: a larger window shows it
// larger, decoded again at the new size, and it covers a quarter of a
// 1280×800 window.
func TestPreviewFollowsTheWindow(t *testing.T) {
	h := start(t, realOpener(t, &counting{}))
	h.win.Resize(fyne.NewSize(1000, 700))
	h.win.drop(t, inferencetest.Photo(t, "dog.jpg"))
	h.until("the photo is classified", func() bool { return len(h.w.table.rows) == 1 && h.idle() })
	p := h.w.viewer.preview
	decoded := func() int {
		if p.image.Image == nil {
			return 0
		}
		b := p.image.Image.Bounds()
		return max(b.Dx(), b.Dy())
	}
	h.until("the preview is decoded", func() bool { return decoded() > thumbSide })
	small, smallSide := p.Size(), decoded()

	h.win.Resize(fyne.NewSize(1600, 1000))
	big := p.Size()
	if big.Width <= small.Width || big.Height <= small.Height {
		t.Fatalf("the preview stays %v when the window grows (it was %v)", big, small)
	}
	h.until("the preview is decoded again, larger", func() bool { return decoded() > smallSide })

	h.win.Resize(fyne.NewSize(1280, 800))
	s, b := p.Size(), p.image.Image.Bounds()
	scale := min(s.Width/float32(b.Dx()), s.Height/float32(b.Dy()))
	shown := float32(b.Dx()) * scale * float32(b.Dy()) * scale
	if shown < 1280*800/4 {
		t.Errorf("at 1280×800 the photo covers %.0f of %d square units, less than a quarter", shown, 1280*800)
	}
	// The answer is beside it, in full: nothing to scroll to.
	if !h.w.results.title.Visible() || !h.w.results.ranked.Visible() {
		t.Error("the answer or the runners-up are not shown beside the photo")
	}
}

// The grid and the list show the same rows in the same order; the layout
// chosen is remembered for the next window.
func TestGridAndListShowTheSameRows(t *testing.T) {
	h := start(t, realOpener(t, &counting{}))
	_, paths := copies(t, "dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "kite.jpg", "person.jpg")
	h.win.drop(t, paths...)
	h.until("all are classified", func() bool { return len(h.w.table.rows) == 6 && h.idle() })
	shown := func() (out []string) {
		for i := range h.w.table.length() {
			r, _ := h.w.table.at(i)
			it := h.item(r.id)
			if it == nil {
				t.Fatalf("%s: row %d (%s) has no item", h.w.browser.layout, i, r.name)
			}
			out = append(out, it.label.Text+" "+it.detail.Text)
		}
		return out
	}
	h.w.setLayout(layoutGrid)
	if !h.w.browser.grid.Visible() || h.w.browser.list.Visible() {
		t.Fatal("the grid is not what is shown")
	}
	grid := shown()
	if h.w.browser.columns() < 2 {
		t.Errorf("the grid has %d column in a %v window", h.w.browser.columns(), h.win.Canvas().Size())
	}
	h.key(fyne.Key1, fyne.KeyModifierShortcutDefault)
	if h.w.browser.layout != layoutList || !h.w.browser.list.Visible() {
		t.Fatal("Ctrl+1 does not show the list")
	}
	if list := shown(); !slices.Equal(grid, list) {
		t.Errorf("the grid shows %q, the list %q", grid, list)
	}
	if got := fyne.CurrentApp().Preferences().String(settings.KeyLayout); got != layoutList {
		t.Errorf("the layout chosen is stored as %q", got)
	}
	h.key(fyne.Key2, fyne.KeyModifierShortcutDefault)
	if h.w.browser.layout != layoutGrid || fyne.CurrentApp().Preferences().String(settings.KeyLayout) != layoutGrid {
		t.Error("Ctrl+2 does not show the grid and remember it")
	}
}

// key types a key, or a shortcut with modifiers, into the window.
func (h *harness) key(k fyne.KeyName, mods fyne.KeyModifier) {
	h.t.Helper()
	if mods&^fyne.KeyModifierShift != 0 {
		// As the driver does: a key with Ctrl or Alt is a shortcut.
		h.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: mods})
		return
	}
	held := h.w.modifiers
	h.w.modifiers = func() fyne.KeyModifier { return mods }
	defer func() { h.w.modifiers = held }()
	h.w.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k})
}

// Every move works from the keyboard, in the grid by rows of tiles: the
// arrows, Page Up and Down, Home and End; Shift extends the photos picked,
// Ctrl+A picks them all; Enter shows the photo alone, Escape brings the
// rest back.
func TestKeyboardMovesThroughTheGrid(t *testing.T) {
	h := start(t, realOpener(t, &counting{}))
	_, paths := copies(t, "dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "kite.jpg", "person.jpg")
	var more []string
	for range 4 { // enough rows to page through
		dir, _ := copies(t, "dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "kite.jpg", "person.jpg")
		more = append(more, dir)
	}
	h.win.drop(t, append(paths, more...)...)
	n := 6 * 5
	h.until("all are classified", func() bool { return len(h.w.table.rows) == n && h.idle() })
	h.w.setLayout(layoutGrid)
	at := func() int { return h.w.table.index(h.w.selected) }
	cols := h.w.browser.columns()
	if at() != 0 || cols < 2 {
		t.Fatalf("selected %d with %d columns", at(), cols)
	}
	steps := []struct {
		key  fyne.KeyName
		want int
	}{
		{fyne.KeyRight, 1},
		{fyne.KeyDown, 1 + cols},
		{fyne.KeyLeft, cols},
		{fyne.KeyUp, 0},
		{fyne.KeyUp, 0}, // stays at the first
		{fyne.KeyEnd, n - 1},
		{fyne.KeyRight, n - 1},
		{fyne.KeyHome, 0},
		{fyne.KeyPageDown, h.w.browser.page()},
	}
	for _, s := range steps {
		h.key(s.key, 0)
		if at() != s.want {
			t.Fatalf("after %s the selection is at %d, want %d", s.key, at(), s.want)
		}
		if h.w.browser.selected != s.want {
			t.Fatalf("after %s the grid selects %d, the window %d", s.key, h.w.browser.selected, s.want)
		}
	}
	if p := h.w.browser.page(); p < cols || p%cols != 0 {
		t.Errorf("a page is %d tiles with %d columns", p, cols)
	}

	h.key(fyne.KeyHome, 0)
	h.key(fyne.KeyRight, fyne.KeyModifierShift)
	h.key(fyne.KeyRight, fyne.KeyModifierShift)
	if got := h.w.pickedCount(); got != 3 || !strings.Contains(h.w.review.note.Text, "3 photos are picked") {
		t.Errorf("Shift+Right twice picks %d photos; the review says %q", got, h.w.review.note.Text)
	}
	if it := h.item(h.w.table.view[2].id); it == nil || !it.mark.Visible() {
		t.Error("a tile picked with Shift is not marked")
	}
	h.key(fyne.KeyA, fyne.KeyModifierShortcutDefault)
	if got := h.w.pickedCount(); got != n {
		t.Errorf("Ctrl+A picks %d of %d photos", got, n)
	}
	h.key(fyne.KeyRight, 0)
	if got := h.w.pickedCount(); got != 1 {
		t.Errorf("a plain move leaves %d photos picked", got)
	}

	h.key(fyne.KeyReturn, 0)
	if !h.w.large || h.w.side.Visible() || h.w.viewer.strip.Visible() {
		t.Fatal("Enter does not show the photo alone")
	}
	h.key(fyne.KeyEscape, 0)
	if h.w.large || !h.w.side.Visible() || !h.w.viewer.strip.Visible() {
		t.Fatal("Escape does not bring the grid and the answer back")
	}
}

// The facets count the photos by keyword (the classifier's alone by
// category), "not sure" apart, the catalogue's with this session's; a
// photo counts under each of its keywords and once in All; picking a facet
// keeps its photos only.
func TestFacetsCountAndFilter(t *testing.T) {
	lib := library(t, 40)
	h := startWith(t, realOpener(t, &counting{}), Options{Library: lib})
	_, paths := copies(t, "dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "kite.jpg", "person.jpg")
	h.win.drop(t, append(paths, magentaCard(t))...)
	h.until("all are classified", func() bool { return len(h.w.table.rows) == 7 && h.idle() })

	want := map[string]int{}
	for _, r := range h.w.table.rows {
		for _, k := range r.res.Keywords {
			want[k.Word]++
		}
		if !r.res.Sure(h.w.table.threshold) {
			want[names.NotSure]++
		}
	}
	stored, _ := lib.Facets(Query{Threshold: h.w.table.threshold})
	for c, n := range stored {
		want[c] += n
	}
	got := func() map[string]int {
		out := map[string]int{}
		for _, o := range h.w.facets.box.Objects[1:] {
			text := o.(*widget.Button).Text
			i := strings.LastIndex(text, " ")
			var n int
			fmt.Sscan(text[i+1:], &n)
			out[text[:i]] = n
		}
		return out
	}
	h.until("the facets count the session and the catalogue", func() bool { return fmt.Sprint(got()) == fmt.Sprint(want) })
	if want[names.NotSure] != 1 || want["dog"] != 2 || want["animal"] != len(lib.entries) || want["horse"] != 2 {
		t.Fatalf("the photos give facets %v; the test needs the card not sure, two dogs and two horses, and the catalogue's animals", want)
	}
	if first, total := h.w.facets.box.Objects[0].(*widget.Button).Text, len(h.w.table.rows)+len(lib.entries); first != fmt.Sprintf("All %d", total) {
		t.Errorf("the first facet is %q, want All %d: each photo once", first, total)
	}

	h.w.facets.pick(slices.Index(h.w.facets.shown, "dog") + 1)
	var kept []string
	for _, r := range h.w.table.view {
		kept = append(kept, r.name)
	}
	if !slices.Equal(kept, []string{"dog.jpg", "person.jpg"}) || h.w.table.lib.count != 0 {
		t.Errorf("keeping dog shows %q and %d of the catalogue", kept, h.w.table.lib.count)
	}
	h.w.facets.pick(slices.Index(h.w.facets.shown, "animal") + 1)
	h.until("the catalogue's animals are counted", func() bool { return h.w.table.lib.count == stored["animal"] })
	if len(h.w.table.view) != 0 {
		t.Errorf("keeping animal shows %d of this session's rows, whose facets are keywords", len(h.w.table.view))
	}
	h.w.facets.pick(len(h.w.facets.shown))
	if h.w.table.category != names.NotSure || len(h.w.table.view) != 1 || h.w.table.view[0].name != "card.png" {
		t.Errorf("keeping %q shows %d rows", h.w.table.category, len(h.w.table.view))
	}
	h.key(fyne.Key0, fyne.KeyModifierAlt)
	if h.w.table.category != "" || len(h.w.table.view) != 7 {
		t.Errorf("Alt+0 keeps %q, %d rows", h.w.table.category, len(h.w.table.view))
	}
}

// The empty window is one drop target, filling it below the toolbar; a
// drag over it (the pointer, as X11 drags reach Fyne) lights it up and
// says "drop to add".
func TestEmptyWindowIsOneDropTarget(t *testing.T) {
	h := start(t, realOpener(t, &counting{}))
	c := h.win.Canvas()
	z := h.w.zone.Size()
	if !h.w.zone.Visible() || h.w.main.Visible() || z.Width < c.Size().Width*0.95 || z.Height < c.Size().Height*0.75 {
		t.Fatalf("the drop target is %v in a %v window", z, c.Size())
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(h.w.zone)
	test.MoveMouse(c, pos.Add(fyne.NewPos(z.Width/2, z.Height/2)))
	if h.w.zone.invitation.Text != hintOver || h.w.zone.frame.StrokeColor != theme.Color(theme.ColorNamePrimary) {
		t.Errorf("over the window the target says %q", h.w.zone.invitation.Text)
	}
	test.MoveMouse(c, fyne.NewPos(1, 1))
	if h.w.zone.invitation.Text != hint {
		t.Errorf("after the drag left, the target says %q", h.w.zone.invitation.Text)
	}
	h.win.drop(t, inferencetest.Photo(t, "dog.jpg"))
	h.until("the photo is classified", func() bool { return len(h.w.table.rows) == 1 && h.idle() })
	if h.w.zone.Visible() || !h.w.main.Visible() {
		t.Error("the photo does not replace the drop target")
	}
}

// Keys reach library photos not read yet: End goes to the last photo of
// a large library, selected once its page is read, and the next key moves
// on from there, not from where the selection was.
func TestKeysReachUnreadLibraryPages(t *testing.T) {
	lib := library(t, 1000)
	h := startWith(t, realOpener(t, &counting{}), Options{Library: lib})
	h.until("the newest photo is selected", func() bool { return h.w.selected != 0 })
	h.key(fyne.KeyEnd, 0)
	h.until("the last photo is selected", func() bool { return h.w.table.index(h.w.selected) == 999 })
	last, _ := h.w.table.at(999)
	if last.path != lib.entries[999].Path {
		t.Errorf("End selects %s, not the oldest photo %s", last.path, lib.entries[999].Path)
	}
	page := h.w.browser.page()
	h.key(fyne.KeyPageUp, 0)
	h.until("the selection moves up a page", func() bool { return h.w.table.index(h.w.selected) == 999-page })
}
