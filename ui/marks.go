package ui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/spotter-app/spotter/inference/prediction"
)

// The marks' colours do not follow the theme: they are drawn on the photo,
// not on the window. Amber reads on sky, grass, snow and skin alike, with
// dark text on it; faces get a thin white outline, apart from the objects.
// Lines of text get a thin, half-clear cyan outline and no label: a page
// holds dozens of lines, which must not bury the objects' boxes, and the
// words themselves are listed beneath the photo.
var (
	objectColour = color.NRGBA{R: 0xff, G: 0xc1, B: 0x07, A: 0xff}
	tagText      = color.NRGBA{R: 0x1a, G: 0x1a, B: 0x1a, A: 0xff}
	faceColour   = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xd0}
	lineColour   = color.NRGBA{R: 0x26, G: 0xc6, B: 0xda, A: 0xa0}
)

// Stroke widths, the faces' rounded corners and the label's padding, in
// Fyne units, so they keep their look on a HiDPI screen.
const (
	objectStroke = 2
	faceStroke   = 1
	lineStroke   = 1
	faceCorner   = 4
	tagPadding   = 3
)

// mark is one box on the photo, and for an object its label ("dog 87 %")
// on a tag of the box's colour.
type mark struct {
	box   prediction.Box
	frame *canvas.Rectangle
	tag   *canvas.Rectangle // nil for a face or a line of text
	text  *canvas.Text
}

// marks are the boxes of the objects, faces and lines of text found in the
// photo shown, in the photo's pixels (size), laid over where the photo is
// drawn.
type marks struct {
	layer *fyne.Container
	size  [2]int
	all   []mark
}

func newMarks() marks { return marks{layer: container.NewWithoutLayout()} }

// set makes the marks for res: its lines' boxes beneath, its faces' and
// its objects', then the labels over every box, the best object's last so
// that no other label covers it.
func (m *marks) set(res prediction.Result) {
	m.size, m.all = res.Size, nil
	var frames, tags []fyne.CanvasObject
	if res.Size[0] > 0 && res.Size[1] > 0 {
		outline := func(box prediction.Box, colour color.Color, stroke, corner float32) {
			r := canvas.NewRectangle(color.Transparent)
			r.StrokeColor, r.StrokeWidth, r.CornerRadius = colour, stroke, corner
			m.all = append(m.all, mark{box: box, frame: r})
			frames = append(frames, r)
		}
		for _, l := range res.Lines {
			outline(l.Box, lineColour, lineStroke, 0)
		}
		for _, f := range res.Faces {
			outline(f.Box, faceColour, faceStroke, faceCorner)
		}
		for i := len(res.Objects) - 1; i >= 0; i-- {
			o := res.Objects[i]
			mk := mark{box: o.Box, frame: canvas.NewRectangle(color.Transparent), tag: canvas.NewRectangle(objectColour),
				text: canvas.NewText(o.Name+" "+percent(o.Score), tagText)}
			mk.frame.StrokeColor, mk.frame.StrokeWidth = objectColour, objectStroke
			mk.text.TextStyle.Bold = true
			mk.text.TextSize = theme.Size(theme.SizeNameCaptionText)
			m.all = append(m.all, mk)
			frames = append(frames, mk.frame)
			tags = append(tags, mk.tag, mk.text)
		}
	}
	m.layer.Objects = append(frames, tags...)
	m.layer.Refresh()
}

// drawn is where a picture of img's aspect is drawn in an area of size s
// with canvas.ImageFillContain: as large as fits, centred.
func drawn(s fyne.Size, img image.Image) (fyne.Position, fyne.Size, bool) {
	if img == nil || s.Width <= 0 || s.Height <= 0 {
		return fyne.Position{}, fyne.Size{}, false
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return fyne.Position{}, fyne.Size{}, false
	}
	k := min(s.Width/float32(b.Dx()), s.Height/float32(b.Dy()))
	size := fyne.NewSize(k*float32(b.Dx()), k*float32(b.Dy()))
	return fyne.NewPos((s.Width-size.Width)/2, (s.Height-size.Height)/2), size, true
}

// place lays the marks over img drawn contained in an area of size s: the
// boxes scaled from the photo's pixels to the picture's place, each label
// on its box's top edge, inside the box where there is no room above, and
// kept within the picture.
func (m *marks) place(s fyne.Size, img image.Image) {
	m.layer.Resize(s)
	at, size, ok := drawn(s, img)
	for _, o := range m.layer.Objects {
		if ok {
			o.Show()
		} else {
			o.Hide() // no picture yet: nothing to mark
		}
	}
	if !ok {
		return
	}
	sx, sy := size.Width/float32(m.size[0]), size.Height/float32(m.size[1])
	for _, mk := range m.all {
		x1, y1 := at.X+mk.box[0]*sx, at.Y+mk.box[1]*sy
		x2, y2 := at.X+mk.box[2]*sx, at.Y+mk.box[3]*sy
		mk.frame.Move(fyne.NewPos(x1, y1))
		mk.frame.Resize(fyne.NewSize(x2-x1, y2-y1))
		if mk.tag == nil {
			continue
		}
		t := fyne.MeasureText(mk.text.Text, mk.text.TextSize, mk.text.TextStyle)
		tag := fyne.NewSize(t.Width+2*tagPadding, t.Height)
		x := min(x1, at.X+size.Width-tag.Width)
		y := y1 - tag.Height
		if y < at.Y {
			y = y1
		}
		mk.tag.Move(fyne.NewPos(x, y))
		mk.tag.Resize(tag)
		mk.text.Move(fyne.NewPos(x+tagPadding, y))
		mk.text.Resize(t)
	}
}
