package detect

import (
	"math"
	"testing"
)

func near(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-3 }

// One YOLOX row decoded by hand: cell (1, 2) of stride 8 in a 16×24 input,
// for a photo letterboxed at half size.
func TestYOLOXDecodesAndSuppresses(t *testing.T) {
	const classes = 2
	cells := 2*3 + 1 // stride 8 on 16×24, then stride 16 (1×1, rounded down)
	out := make([]float32, cells*(5+classes))
	row := func(i int, tx, ty, tw, th, obj, p0, p1 float32) {
		copy(out[i*(5+classes):], []float32{tx, ty, tw, th, obj, p0, p1})
	}
	// cell index 5 is gx=1, gy=2 at stride 8.
	row(5, 0.5, 0.5, float32(math.Log(2)), 0, 0.9, 0.1, 0.8)
	row(4, 1.4, 0.5, float32(math.Log(2)), 0, 0.8, 0.1, 0.8) // nearly the same box: suppressed
	row(0, 0, 0, 0, 0, 0.2, 1, 0)                            // below minScore
	l := Letterbox{Scale: 0.5, Width: 100, Height: 100}
	got := YOLOX(out, classes, 16, 24, []int{8, 16}, l, 0.3, 0.45)
	if len(got) != 1 {
		t.Fatalf("got %d objects, want 1: %+v", len(got), got)
	}
	o := got[0]
	// cx = 1.5·8 = 12, cy = 2.5·8 = 20, w = 16, h = 8, in the photo ×2.
	want := Box{8, 32, 40, 48}
	if o.Class != 1 || !near(o.Score, 0.72) || !near(o.Box[0], want[0]) || !near(o.Box[1], want[1]) || !near(o.Box[2], want[2]) || !near(o.Box[3], want[3]) {
		t.Errorf("got %+v, want class 1, score 0.72, box %v", o, want)
	}
}

func TestYuNetDecodes(t *testing.T) {
	lv := YuNetLevel{Stride: 8, Cls: []float32{0.81, 0.1}, Obj: []float32{1, 0.1}, Box: make([]float32, 8), Kpts: make([]float32, 20)}
	copy(lv.Box, []float32{0.5, 0.5, 0, 0})
	lv.Kpts[0], lv.Kpts[1] = 0.25, 0.75
	got := YuNet([]YuNetLevel{lv}, 16, Letterbox{Scale: 1, Width: 16, Height: 8}, 0.6, 0.3)
	if len(got) != 1 || !near(got[0].Score, 0.9) {
		t.Fatalf("got %+v, want one face of score 0.9", got)
	}
	f := got[0]
	if f.Box != (Box{0, 0, 8, 8}) || f.Landmarks[0] != [2]float32{2, 6} {
		t.Errorf("box %v landmarks %v", f.Box, f.Landmarks[0])
	}
}

func TestIoU(t *testing.T) {
	if got := IoU(Box{0, 0, 2, 2}, Box{1, 0, 3, 2}); !near(got, 1.0/3) {
		t.Errorf("IoU = %v, want 1/3", got)
	}
	if IoU(Box{0, 0, 1, 1}, Box{2, 2, 3, 3}) != 0 {
		t.Error("apart boxes overlap")
	}
}
