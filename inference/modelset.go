package inference

import (
	"context"
	"fmt"
	"image"
	"time"

	"github.com/spotter-app/spotter/inference/detect"
	"github.com/spotter-app/spotter/inference/fuse"
	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
)

// openDetectors opens the detectors whose descriptors are beside the
// classifier's. A face detector needs the object detector's input size: it
// reads the same letterboxed pixels, padded its own way.
func (c *Classifier) openDetectors(threads int) (err error) {
	objects, faces := model.Companions(c.desc)
	if objects == nil {
		return nil
	}
	if c.objects, err = openObjectDetector(objects, threads); err != nil {
		return err
	}
	if faces == nil {
		return nil
	}
	if faces.Input.Width != objects.Input.Width || faces.Input.Height != objects.Input.Height {
		return fmt.Errorf("The face detector %s takes %d×%d pixels and the object detector %s %d×%d: give both the same input size in their descriptors, so one resize serves both",
			faces.Path, faces.Input.Width, faces.Input.Height, objects.Path, objects.Input.Width, objects.Input.Height)
	}
	if c.faces, err = openFaceDetector(faces, threads); err != nil {
		return err
	}
	c.faceIn = make([]float32, 3*faces.Input.Width*faces.Input.Height)
	return nil
}

// setInput prepares one decode of a photo for the whole model set: the
// classifier's crop, then the detectors' letterbox, then the upright
// photo's width and height, from which the letterbox's fit is worked out
// again when the boxes are mapped back.
type setInput struct {
	crop *preprocess.Tensor
	box  *preprocess.Letterbox
}

func (s *setInput) MinSide() int { return max(s.crop.MinSide(), s.box.MinSide()) }

func (s *setInput) Len() int { return s.crop.Len() + s.box.Len() + 2 }

func (s *setInput) Fill(p preprocess.Photo, dst []float32) error {
	if len(dst) != s.Len() {
		return fmt.Errorf("tensor buffer holds %d values, the model set needs %d", len(dst), s.Len())
	}
	if err := s.crop.Fill(p, dst[:s.crop.Len()]); err != nil {
		return err
	}
	if _, err := s.box.Fill(p, dst[s.crop.Len():s.crop.Len()+s.box.Len()]); err != nil {
		return err
	}
	size := p.Size()
	dst[len(dst)-2], dst[len(dst)-1] = float32(size.X), float32(size.Y)
	return nil
}

// detect runs the detectors on one photo's letterboxed input (followed by
// its size) and fuses what they saw with the classifier's answer in res
// and its probabilities.
func (c *Classifier) detect(ctx context.Context, input, probs []float32, res *prediction.Result) error {
	start := time.Now()
	size := image.Pt(int(input[len(input)-2]), int(input[len(input)-1]))
	input = input[:len(input)-2]
	in := c.objects.desc.Input
	fit := preprocess.NewLetterbox(in, c.objects.desc.Letterbox).FitOf(size)
	lb := detect.Letterbox{Scale: fit.Scale, Width: size.X, Height: size.Y}
	objs, err := c.objects.detect(ctx, input, lb)
	if err != nil {
		return err
	}
	seen := fuse.Seen{
		Objects: objs, Labels: c.objects.labels, Names: c.objects.names, Detected: true,
		Size: size,
	}
	if c.names != nil {
		seen.Sums = c.names.Sums(probs)
	}
	if c.faces != nil && fuse.WantsFaces(objs, c.objects.labels) {
		preprocess.Repad(input, c.faceIn, in.Width, in.Height, fit, float32(c.faces.desc.Letterbox.Pad))
		if seen.Faces, err = c.faces.detect(ctx, c.faceIn, lb); err != nil {
			return err
		}
	}
	fuse.Fuse(seen, res)
	res.Timing.Inference += time.Since(start)
	return nil
}
