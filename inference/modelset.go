package inference

import (
	"cmp"
	"context"
	"fmt"
	"image"

	"github.com/spotter-app/spotter/inference/detect"
	"github.com/spotter-app/spotter/inference/fuse"
	"github.com/spotter-app/spotter/inference/model"
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
	c.fit = preprocess.NewLetterbox(objects.Input, objects.Letterbox)
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

// warmDetectors runs each detector once on its empty input: ONNX Runtime
// plans and allocates on a session's first run, which would otherwise fall
// on the person's first photo.
func (c *Classifier) warmDetectors() error {
	if c.objects == nil {
		return nil
	}
	lb := detect.Letterbox{Scale: 1, Width: c.objects.desc.Input.Width, Height: c.objects.desc.Input.Height}
	if _, err := c.objects.detect(context.Background(), c.objects.in.buf, lb); err != nil {
		return fmt.Errorf("ONNX Runtime cannot run the object detector %s: %v", c.objects.desc.ModelPath(), err)
	}
	if c.faces != nil {
		if _, err := c.faces.detect(context.Background(), c.faceIn, lb); err != nil {
			return fmt.Errorf("ONNX Runtime cannot run the face detector %s: %v", c.faces.desc.ModelPath(), err)
		}
	}
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
	// The two resizes read the same pixels and write apart, so they run at
	// once: a photo on its own is ready sooner, and a folder's preparers
	// keep both cores busy either way. Each Fill recovers its own panics.
	var boxErr error
	boxed := make(chan struct{})
	go func() {
		defer close(boxed)
		_, boxErr = s.box.Fill(p, dst[s.crop.Len():s.crop.Len()+s.box.Len()])
	}()
	err := s.crop.Fill(p, dst[:s.crop.Len()])
	<-boxed
	if err = cmp.Or(err, boxErr); err != nil {
		return err
	}
	size := p.Size()
	dst[len(dst)-2], dst[len(dst)-1] = float32(size.X), float32(size.Y)
	return nil
}

// detectAll runs the detectors on each input's letterbox (after the
// classifier's part), on the goroutine that calls it; a panic there is an
// error, as the worker's guard would make it on its own goroutine.
func (c *Classifier) detectAll(ctx context.Context, inputs [][]float32) (seen []fuse.Seen, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("Spotter hit an internal error while finding objects (%v). Try another photo, and please report this", p)
		}
	}()
	seen = make([]fuse.Seen, len(inputs))
	for i, input := range inputs {
		if seen[i], err = c.detect(ctx, input[c.inSize:]); err != nil {
			return nil, err
		}
	}
	return seen, nil
}

// detect runs the detectors on one photo's letterboxed input, followed by
// its size: objects on every photo, faces where a person was seen.
func (c *Classifier) detect(ctx context.Context, input []float32) (fuse.Seen, error) {
	size := image.Pt(int(input[len(input)-2]), int(input[len(input)-1]))
	input = input[:len(input)-2]
	in := c.objects.desc.Input
	fit := c.fit.FitOf(size)
	lb := detect.Letterbox{Scale: fit.Scale, Width: size.X, Height: size.Y}
	objs, err := c.objects.detect(ctx, input, lb)
	if err != nil {
		return fuse.Seen{}, err
	}
	seen := fuse.Seen{Objects: objs, Labels: c.objects.labels, Names: c.objects.names, Size: size}
	if c.faces != nil && fuse.WantsFaces(objs, c.objects.labels) {
		preprocess.Repad(input, c.faceIn, in.Width, in.Height, fit, float32(c.faces.desc.Letterbox.Pad))
		if seen.Faces, err = c.faces.detect(ctx, c.faceIn, lb); err != nil {
			return fuse.Seen{}, err
		}
	}
	return seen, nil
}
