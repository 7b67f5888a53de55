package inference

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spotter-app/spotter/inference/detect"
	"github.com/spotter-app/spotter/inference/everyday"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/inference/prediction"
)

// openSet opens the default model set: the classifier with the object and
// face detectors beside it.
func openSet(t *testing.T) *Classifier {
	t.Helper()
	inferencetest.Library(t)
	c, err := Open(Options{Descriptor: inferencetest.Descriptor(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	inferencetest.Need(t, len(c.Models()) == 3, "the object and face detectors (make model)")
	return c
}

func see(t *testing.T, c *Classifier, path string) prediction.Result {
	t.Helper()
	d := pipeline.One(context.Background(), c, path, pipeline.Options{})
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	return d.Result
}

func sharedFile(t *testing.T, dir, name string) string {
	p := filepath.Join(inferencetest.Root(t), "..", "shared", dir, name)
	_, err := os.Stat(p)
	inferencetest.Need(t, err == nil, p)
	return p
}

func box(t *testing.T, r prediction.Result, label string) prediction.Box {
	t.Helper()
	for _, o := range r.Objects {
		if o.Label == label {
			return o.Box
		}
	}
	t.Fatalf("no %s among %+v", label, r.Objects)
	return prediction.Box{}
}

// person.jpg: a person, a dog and a horse, each boxed where the model's
// README puts them, and never the classifier's "llama".
func TestPersonDogHorse(t *testing.T) {
	c := openSet(t)
	r := see(t, c, inferencetest.Photo(t, "person.jpg"))
	if got := r.Words(); !slices.Equal(got, []string{"person", "dog", "horse"}) || r.Title != "person, dog, horse" || r.People != 1 {
		t.Errorf("keywords %q, title %q, people %d", got, r.Title, r.People)
	}
	if r.Everyday.Name != "llama" {
		t.Logf("the classifier alone now says %q", r.Everyday.Name)
	}
	if r.Size != [2]int{640, 424} {
		t.Errorf("size %v, want 640×424", r.Size)
	}
	// The README's scores: person 0.88, dog 0.87, horse 0.87.
	for label, want := range map[string]float32{"person": 0.88, "dog": 0.87, "horse": 0.87} {
		for _, o := range r.Objects {
			if o.Label == label && (o.Score < want-0.02 || o.Score > want+0.02) {
				t.Errorf("%s scores %.3f, the model's README %.2f", label, o.Score, want)
			}
		}
	}
	if b := box(t, r, "horse"); b[0] < 320 || b[2] > 640 || b[1] > 200 {
		t.Errorf("the horse's box %v is not on the right half of the photo", b)
	}
}

// The detections match the model's README on the shared photos: the same
// objects, scores within 0.02 (score ≥ 0.35, after suppression across
// classes, which takes the cat off dog.jpg's dog and the cow off a horse).
func TestDetectionsMatchTheREADME(t *testing.T) {
	c := openSet(t)
	for name, want := range map[string]map[string][]float32{
		"dog.jpg":     {"dog": {0.83}, "car": {0.81}, "bicycle": {0.81}},
		"eagle.jpg":   {"bird": {0.94}},
		"giraffe.jpg": {"giraffe": {0.93}, "zebra": {0.65}},
		"horses.jpg":  {"horse": {0.82, 0.65, 0.58}},
		"person.jpg":  {"person": {0.88}, "dog": {0.87}, "horse": {0.87}},
	} {
		r := see(t, c, inferencetest.Photo(t, name))
		got := map[string][]float32{}
		for _, o := range r.Objects {
			got[o.Label] = append(got[o.Label], o.Score)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %v, the README %v", name, got, want)
			continue
		}
		for label, scores := range want {
			if len(got[label]) != len(scores) {
				t.Errorf("%s: %s %v, the README %v", name, label, got[label], scores)
				continue
			}
			for i, s := range scores {
				if d := got[label][i] - s; d > 0.02 || d < -0.02 {
					t.Errorf("%s: %s scores %.3f, the README %.2f", name, label, got[label][i], s)
				}
			}
		}
	}
}

// kite.jpg: the people on the beach are counted, the kites named.
func TestKiteCountsPeople(t *testing.T) {
	r := see(t, openSet(t), inferencetest.Photo(t, "kite.jpg"))
	if r.People < 4 || !slices.Contains(r.Words(), "people") || !slices.Contains(r.Words(), "kite") {
		t.Errorf("people %d, keywords %q", r.People, r.Words())
	}
}

// four-people.jpg has four faces; grace_hopper.jpg is a portrait.
func TestFaces(t *testing.T) {
	c := openSet(t)
	r := see(t, c, sharedFile(t, "faces", "four-people.jpg"))
	if len(r.Faces) != 4 || r.People != 4 || r.Title != "4 people" {
		t.Errorf("four-people.jpg: %d faces, %d people, title %q; want 4, 4, \"4 people\"", len(r.Faces), r.People, r.Title)
	}
	for _, f := range r.Faces {
		if f.Score < 0.9 || f.Box[2] <= f.Box[0] || f.Landmarks[0][0] < f.Box[0] || f.Landmarks[0][0] > f.Box[2] {
			t.Errorf("face %+v: a weak score, or an eye outside its box", f)
		}
	}
	if r := see(t, c, sharedFile(t, "faces", "grace_hopper.jpg")); !slices.Contains(r.Words(), "portrait") || len(r.Faces) != 1 {
		t.Errorf("grace_hopper.jpg: keywords %q, %d faces", r.Words(), len(r.Faces))
	}
}

// A photo stored on its side with an EXIF orientation gets its boxes on
// the upright picture: the same boxes as the upright file's.
func TestBoxesOnTheUprightPhoto(t *testing.T) {
	c := openSet(t)
	upright := inferencetest.Photo(t, "person.jpg")
	turned := filepath.Join(t.TempDir(), "turned.jpg")
	// Stored turned 90° clockwise; orientation 8 turns it back.
	if out, err := exec.Command("convert", upright, "-rotate", "90", turned).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
	if out, err := exec.Command("exiftool", "-q", "-overwrite_original", "-Orientation#=8", turned).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v\n%s", err, out)
	}
	a, b := see(t, c, upright), see(t, c, turned)
	if b.Size != a.Size {
		t.Fatalf("size %v, upright %v", b.Size, a.Size)
	}
	for _, label := range []string{"person", "dog", "horse"} {
		if iou := detect.IoU(detect.Box(box(t, a, label)), detect.Box(box(t, b, label))); iou < 0.9 {
			t.Errorf("%s: IoU %.2f between the turned photo's box and the upright one's", label, iou)
		}
	}
}

// The everyday-dev set holds Spotter to issue 16's targets: a wrong keyword
// on at most 5 % of photos, people named on at least 90 % of those with
// people, counts right on at least 80 %, a right keyword on at least 80 % of
// those that are not documents.
func TestEverydayTargets(t *testing.T) {
	c := openSet(t)
	dir := filepath.Join(inferencetest.Root(t), "..", "shared", "everyday-dev")
	photos, err := everyday.Load(dir)
	inferencetest.Need(t, err == nil && len(photos) > 0, "../shared/everyday-dev")
	printed, err := everyday.LoadText(dir)
	inferencetest.Need(t, err == nil, "../shared/everyday-dev/TEXT.tsv")
	verdicts := make([]everyday.Verdict, len(photos))
	for i, p := range photos {
		r := see(t, c, filepath.Join(dir, p.File))
		verdicts[i] = everyday.Judge(p, everyday.Said{Keywords: r.Words(), People: r.People})
		if len(verdicts[i].Wrong) > 0 {
			t.Logf("%s: wrong %q", p.File, verdicts[i].Wrong)
		}
		// Each readable page is found by a word printed in it.
		if words, ok := printed[p.File]; ok && len(everyday.Found(r.Text(), words)) == 0 {
			t.Errorf("%s: none of %q read in %q", p.File, words, r.Text())
		}
	}
	s := everyday.Score(photos, verdicts)
	t.Logf("%+v", s)
	if s.WrongKeyword > 0.05 || s.PeopleNamed < 0.9 || s.CountRight < 0.8 || s.RightKeyword < 0.8 {
		t.Errorf("wrong keyword on %.1f %% (≤ 5), people named on %.1f %% (≥ 90), counts right on %.1f %% (≥ 80), right keyword on %.1f %% (≥ 80)",
			100*s.WrongKeyword, 100*s.PeopleNamed, 100*s.CountRight, 100*s.RightKeyword)
	}
	if named := s.DocumentsNamed * float64(s.Documents); named < float64(s.Documents)-1.5 || s.CalledDocument > 0 {
		t.Errorf("%.0f of %d documents and screenshots named (all but one at least); %d photos without text called a document or screenshot (none)",
			named, s.Documents, s.CalledDocument)
	}
}
