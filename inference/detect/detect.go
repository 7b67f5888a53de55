// Package detect decodes the raw outputs of object and face detectors into
// boxes in the photo's own pixels, as each model's README states, and
// suppresses overlapping boxes. It knows nothing of ONNX Runtime: it reads
// float32 slices, so it is tested without a session.
package detect

import (
	"math"
	"slices"
)

// Box is x1, y1, x2, y2 in the upright photo's pixels.
type Box [4]float32

// Area is the box's area; zero for an empty box.
func (b Box) Area() float32 {
	return max(b[2]-b[0], 0) * max(b[3]-b[1], 0)
}

// IoU is the area two boxes share over the area they cover together.
func IoU(a, b Box) float32 {
	ix := min(a[2], b[2]) - max(a[0], b[0])
	iy := min(a[3], b[3]) - max(a[1], b[1])
	if ix <= 0 || iy <= 0 {
		return 0
	}
	inter := ix * iy
	return inter / (a.Area() + b.Area() - inter)
}

// Object is one detection: a class index into the model's labels.
type Object struct {
	Class int
	Score float32
	Box   Box
}

// Face is one face with its five landmarks: the eyes, the nose tip and the
// corners of the mouth, as (x, y) in the photo's pixels.
type Face struct {
	Score     float32
	Box       Box
	Landmarks [5][2]float32
}

// Letterbox is how a photo was laid into a detector's input: scaled by
// Scale, at the top-left corner. Width and Height are the upright photo's
// full size, which boxes are clipped to.
type Letterbox struct {
	Scale         float64
	Width, Height int
}

// toPhoto maps a coordinate of the input back into the photo.
func (l Letterbox) toPhoto(v float64) float32 { return float32(v / l.Scale) }

func (l Letterbox) clip(b Box) Box {
	w, h := float32(l.Width), float32(l.Height)
	return Box{clamp(b[0], 0, w), clamp(b[1], 0, h), clamp(b[2], 0, w), clamp(b[3], 0, h)}
}

func clamp(v, lo, hi float32) float32 { return min(max(v, lo), hi) }

// YOLOX decodes YOLOX's output: one row per grid cell, the finest stride
// first, each level row by row; a row is tx, ty, tw, th, objectness and a
// score per class (the last two through a sigmoid already). It keeps
// detections of score ≥ minScore, suppresses boxes of a class that overlap
// a better one by more than iou, and returns the rest, best first.
func YOLOX(out []float32, classes int, inW, inH int, strides []int, l Letterbox, minScore, iou float32) []Object {
	row := 5 + classes
	var found []Object
	cell := 0
	for _, s := range strides {
		gw, gh := inW/s, inH/s
		for gy := 0; gy < gh; gy++ {
			for gx := 0; gx < gw; gx++ {
				r := out[cell*row : (cell+1)*row]
				cell++
				obj := r[4]
				if obj < minScore {
					continue // score = obj·p ≤ obj
				}
				best := 0
				for c := 1; c < classes; c++ {
					if r[5+c] > r[5+best] {
						best = c
					}
				}
				score := obj * r[5+best]
				if score < minScore || score != score {
					continue
				}
				fs := float64(s)
				cx := (float64(r[0]) + float64(gx)) * fs
				cy := (float64(r[1]) + float64(gy)) * fs
				w := math.Exp(float64(r[2])) * fs
				h := math.Exp(float64(r[3])) * fs
				b := l.clip(Box{l.toPhoto(cx - w/2), l.toPhoto(cy - h/2), l.toPhoto(cx + w/2), l.toPhoto(cy + h/2)})
				if b.Area() > 0 {
					found = append(found, Object{Class: best, Score: score, Box: b})
				}
			}
		}
	}
	return suppressObjects(found, iou)
}

// suppressObjects is greedy non-maximum suppression within each class.
func suppressObjects(objs []Object, iou float32) []Object {
	slices.SortStableFunc(objs, func(a, b Object) int { return cmpScore(a.Score, b.Score) })
	var kept []Object
next:
	for _, o := range objs {
		for _, k := range kept {
			if k.Class == o.Class && IoU(k.Box, o.Box) > iou {
				continue next
			}
		}
		kept = append(kept, o)
	}
	return kept
}

// cmpScore orders higher scores first.
func cmpScore(a, b float32) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// YuNetLevel is one stride's outputs of a YuNet face detector, one entry
// (or 4 or 10 values) per cell, cells row by row.
type YuNetLevel struct {
	Stride              int
	Cls, Obj, Box, Kpts []float32
}

// YuNet decodes a YuNet face detector's outputs for an input of inW
// pixels across: score = √(cls·obj), boxes and landmarks from each cell's
// offsets. It keeps faces of score ≥ minScore, suppresses overlaps above
// iou, and returns the rest, best first.
func YuNet(levels []YuNetLevel, inW int, l Letterbox, minScore, iou float32) []Face {
	var found []Face
	for _, lv := range levels {
		cols := inW / lv.Stride
		fs := float64(lv.Stride)
		for i := range lv.Cls {
			score := float32(math.Sqrt(float64(clamp(lv.Cls[i], 0, 1) * clamp(lv.Obj[i], 0, 1))))
			if score < minScore || score != score {
				continue
			}
			c, r := float64(i%cols), float64(i/cols)
			bb := lv.Box[4*i : 4*i+4]
			cx := (c + float64(bb[0])) * fs
			cy := (r + float64(bb[1])) * fs
			w := math.Exp(float64(bb[2])) * fs
			h := math.Exp(float64(bb[3])) * fs
			f := Face{Score: score, Box: l.clip(Box{l.toPhoto(cx - w/2), l.toPhoto(cy - h/2), l.toPhoto(cx + w/2), l.toPhoto(cy + h/2)})}
			if f.Box.Area() == 0 {
				continue
			}
			kp := lv.Kpts[10*i : 10*i+10]
			for n := range f.Landmarks {
				f.Landmarks[n] = [2]float32{l.toPhoto((float64(kp[2*n]) + c) * fs), l.toPhoto((float64(kp[2*n+1]) + r) * fs)}
			}
			found = append(found, f)
		}
	}
	slices.SortStableFunc(found, func(a, b Face) int { return cmpScore(a.Score, b.Score) })
	var kept []Face
next:
	for _, f := range found {
		for _, k := range kept {
			if IoU(k.Box, f.Box) > iou {
				continue next
			}
		}
		kept = append(kept, f)
	}
	return kept
}
