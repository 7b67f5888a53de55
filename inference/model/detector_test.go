package model

import (
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
)

func loadShipped(t *testing.T, name string) *Descriptor {
	t.Helper()
	d, err := Load("../../models/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The shipped detectors' descriptors match the models' real inputs and
// outputs, as the READMEs give them.
func TestCheckIODetectors(t *testing.T) {
	yolox := loadShipped(t, "yolox_nano_coco.json")
	if yolox.KindOrDefault() != ObjectDetector || yolox.Cells() != 3549 {
		t.Fatalf("kind %q, %d cells; want an object detector of 3549 cells", yolox.Kind, yolox.Cells())
	}
	in := []Tensor{{"images", []int64{1, 3, 416, 416}, true}}
	if err := yolox.CheckIO(in, []Tensor{{"output", []int64{1, 3549, 85}, true}}, 80); err != nil {
		t.Errorf("YOLOX-Nano: %v", err)
	}
	err := yolox.CheckIO(in, []Tensor{{"output", []int64{1, 3549, 85}, true}}, 79)
	if err == nil || !strings.Contains(err.Error(), "79 labels") {
		t.Errorf("79 labels for 80 classes: %v", err)
	}

	yunet := loadShipped(t, "yunet_s_face.json")
	var outs []Tensor
	for _, s := range []int{8, 16, 32} {
		names, widths := YuNetOutputs(s)
		for i, n := range names {
			outs = append(outs, Tensor{n, []int64{-1, -1, widths[i]}, true})
		}
	}
	dyn := []Tensor{{"input", []int64{-1, 3, -1, -1}, true}}
	if err := yunet.CheckIO(dyn, outs, 0); err != nil {
		t.Errorf("YuNet-s: %v", err)
	}
	if err := yunet.CheckIO(dyn, outs[:11], 0); err == nil || !strings.Contains(err.Error(), "kps_32") {
		t.Errorf("without kps_32: %v", err)
	}
}

func TestParseDetectorProblems(t *testing.T) {
	for _, c := range []struct{ json, want string }{
		{`{"kind":"object_detector","model":"m.onnx","labels":"l.txt","input":{"name":"i","layout":"NCHW","width":416,"height":416,"channels":"BGR","mean":[0,0,0],"std":[1,1,1]},"output":{"name":"o","strides":[7],"min_score":0.3,"nms_iou":0.45}}`,
			`"output.strides": 7`},
		{`{"kind":"object_detector","model":"m.onnx","labels":"l.txt","input":{"name":"i","layout":"NCHW","width":416,"height":416,"channels":"BGR","mean":[0,0,0],"std":[1,1,1]},"output":{"name":"o","strides":[8]}}`,
			`"output.min_score"`},
		{`{"kind":"face_detector","model":"m.onnx","input":{"name":"i","layout":"NCHW","width":416,"height":416,"channels":"BGR","mean":[0,0,0],"std":[128,128,128]},"output":{"strides":[8],"min_score":0.6,"nms_iou":0.3}}`,
			`raw 0…255 values`},
		{`{"kind":"segmenter","model":"m.onnx","labels":"l","input":{"name":"i","layout":"NCHW","width":4,"height":4,"channels":"BGR","mean":[0,0,0],"std":[1,1,1]},"output":{"strides":[4],"min_score":0.6,"nms_iou":0.3}}`,
			`"kind" must be`},
	} {
		_, err := Parse([]byte(c.json))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse = %v, want a problem naming %s", err, c.want)
		}
	}
}

// A folder's detectors are a classifier's companions; Find never picks one
// as the classifier.
func TestCompanions(t *testing.T) {
	clf := loadShipped(t, "mobilenet_v2_1.0_224_quant.json")
	objects, faces := Companions(clf)
	inferencetest.Need(t, objects != nil && faces != nil, "the detectors' model files in models/ (make model)")
	if objects.KindOrDefault() != ObjectDetector || faces.KindOrDefault() != FaceDetector {
		t.Errorf("companions %s and %s", objects.Kind, faces.Kind)
	}
	for _, d := range usable("../../models") {
		if d.KindOrDefault() != Classifier {
			t.Errorf("usable lists %s, a %s", d.Path, d.Kind)
		}
	}
}
