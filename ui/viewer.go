package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/ui/work"
)

// minPreviewSide is the least the preview is decoded at, in pixels: below
// it, a small window's preview would be blurred the moment it grows.
const minPreviewSide = 512

// preview is the selected photo, as large as the space it has, keeping its
// aspect, with the objects, faces and text found in it marked. It asks for
// the photo again, decoded at the size shown, when it grows past what was
// decoded.
type preview struct {
	widget.BaseWidget
	image   *canvas.Image
	decoded int            // the side last asked for, in pixels
	want    func(side int) // asks for the photo at side pixels
	scale   func() float32 // pixels per Fyne unit where it is shown
	marks   marks
}

func newPreview(want func(side int)) *preview {
	p := &preview{image: canvas.NewImageFromImage(nil), want: want, marks: newMarks()}
	p.image.FillMode = canvas.ImageFillContain
	// The photo is decoded at the size it is shown, so the graphics card
	// only draws it: Fyne resamples a smoothly scaled image on the
	// processor whenever its pixels differ from the whole area's, which a
	// photo contained in it always does (20–50 ms a frame here).
	p.image.ScaleMode = canvas.ImageScaleFastest
	p.scale = func() float32 {
		if c := fyne.CurrentApp().Driver().CanvasForObject(p); c != nil {
			return c.Scale()
		}
		return 1
	}
	p.ExtendBaseWidget(p)
	return p
}

func (p *preview) CreateRenderer() fyne.WidgetRenderer { return &previewRenderer{p} }

// previewRenderer lays the marks over the photo wherever it is drawn, so
// they follow every resize and every new picture.
type previewRenderer struct{ p *preview }

func (r *previewRenderer) Layout(s fyne.Size) {
	r.p.image.Resize(s)
	r.p.marks.place(s, r.p.image.Image)
}

func (r *previewRenderer) MinSize() fyne.Size { return r.p.MinSize() }

func (r *previewRenderer) Refresh() {
	r.p.image.Refresh()
	r.Layout(r.p.Size())
}

func (r *previewRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.p.image, r.p.marks.layer}
}

func (r *previewRenderer) Destroy() {}

// MinSize lets the window shrink: the photo takes what space there is.
func (p *preview) MinSize() fyne.Size { return fyne.NewSize(160, 120) }

func (p *preview) Resize(s fyne.Size) {
	p.BaseWidget.Resize(s)
	// A little growth is not worth a new decode; a quarter is.
	if side := p.side(); p.image.Image != nil && side > p.decoded*5/4 {
		p.decoded = side
		p.want(side)
	}
}

// side is the longer side of the photo as shown, in pixels, within the
// decoding bounds. The picture shown (the thumbnail, until the preview
// comes) gives the photo's aspect: decoded to fit exactly, the preview is
// drawn as it is, where a larger one was resampled on the processor at
// every change (make bench, "UI fluidity").
func (p *preview) side() int {
	s := p.Size()
	fit := max(s.Width, s.Height)
	if img := p.image.Image; img != nil {
		b := img.Bounds()
		if b.Dx() > 0 && b.Dy() > 0 {
			k := min(s.Width/float32(b.Dx()), s.Height/float32(b.Dy()))
			fit = k * float32(max(b.Dx(), b.Dy()))
		}
	}
	return min(max(int(fit*p.scale()+0.5), minPreviewSide), work.MaxPreviewSide)
}

// show shows img in place of the photo shown, for a new photo when start
// is set: its decode at the size shown is asked for.
func (p *preview) show(img image.Image, start bool) {
	p.image.Image = img
	p.Refresh()
	if start {
		p.decoded = p.side()
		p.want(p.decoded)
	}
}

// viewer is the right-hand part: the photo as large as it fits, its name
// above it, and beneath it the answer, the runners-up and the keyword
// review side by side, so none needs scrolling at the default size.
type viewer struct {
	preview *preview
	caption *textLine // the file name and where its answer came from
	results *resultsView
	review  *reviewPanel
	copyBtn *widget.Button
	strip   fyne.CanvasObject // the answer beneath the photo
	box     *container.Split
}

func newViewer(want func(side int), results *resultsView, review *reviewPanel, copyLabel func()) *viewer {
	v := &viewer{preview: newPreview(want), caption: newTextLine(true), results: results, review: review}
	v.caption.TextStyle.Bold = true
	v.copyBtn = widget.NewButtonWithIcon("Copy label", theme.ContentCopyIcon(), copyLabel)
	v.copyBtn.Hide()
	column := func(o ...fyne.CanvasObject) fyne.CanvasObject {
		return container.NewVScroll(container.NewVBox(o...))
	}
	v.strip = container.NewGridWithColumns(3,
		column(v.caption, results.box, container.NewHBox(v.copyBtn)),
		// The words read above the classifier's ranking: for a photo of
		// text, what it says tells more than what the classifier guesses,
		// and beneath the answer they were out of view.
		column(results.textBox, results.ranked),
		column(review.box))
	v.box = container.NewVSplit(v.preview, v.strip)
	v.box.Offset = 0.7
	return v
}

// clear empties the viewer: no photo is selected.
func (v *viewer) clear() {
	v.preview.show(nil, false)
	v.preview.mark(prediction.Result{})
	v.caption.SetText("")
	v.results.clear()
	v.review.box.Hide()
	v.copyBtn.Hide()
}

// mark marks res's objects, faces and lines of text on the photo; a
// result without any (no answer yet, or the classifier alone) clears the
// marks.
func (p *preview) mark(res prediction.Result) {
	p.marks.set(res)
	p.marks.place(p.Size(), p.image.Image)
}

// showMarks shows or hides the marks.
func (p *preview) showMarks(on bool) {
	if on {
		p.marks.layer.Show()
	} else {
		p.marks.layer.Hide()
	}
}
