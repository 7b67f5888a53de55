package work_test

import (
	"os"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/ortlib"
	"github.com/spotter-app/spotter/ui/work"
)

// realOpener opens the real engine and model, as cmd/spotter does. Without
// them the test is skipped, or fails under CI=true.
func realOpener(t *testing.T) work.Opener {
	desc := inferencetest.Descriptor(t)
	inferencetest.Library(t)
	return func() (work.Classifier, work.EngineInfo, error) {
		c, err := inference.Open(inference.Options{Descriptor: desc})
		if err != nil {
			return nil, work.EngineInfo{}, err
		}
		var names, licences []string
		for _, d := range c.Models() {
			names, licences = append(names, d.Name), append(licences, d.LicensePath())
		}
		return c, work.Describe(ortlib.Version(), names, licences), nil
	}
}

// Through the worker, the real model calls the dog a dog, the loaded event
// describes the engine for the About box, and the photo's preview follows
// the size asked.
func TestRealEngineSaysDog(t *testing.T) {
	h := start(t, realOpener(t), work.Options{})
	h.w.Add(inferencetest.Photo(t, "dog.jpg"))
	h.until("the dog is answered", func() bool { return len(h.loaded) == 1 && h.done() })
	if l := h.loaded[0]; l.Err != nil || l.Engine.Runtime == "" || len(l.Engine.Licences) != 3 || !strings.Contains(l.Engine.Model, " + ") {
		t.Errorf("loaded: %+v; want the three models of the set, each with its licence", l)
	}
	for _, l := range h.loaded[0].Engine.Licences {
		if _, err := os.Stat(l.Path); err != nil {
			t.Errorf("%s: its licence %v", l.Model, err)
		}
	}
	f, _ := h.last(h.queued()[0].ID)
	if f.Err != nil || f.Result.Everyday.Name != "dog" {
		t.Fatalf("dog.jpg: everyday %+v, top %+v, err %v", f.Result.Everyday, f.Result.Top(), f.Err)
	}
	if b := f.Thumbnail.Image().Bounds(); max(b.Dx(), b.Dy()) != work.DefaultThumbnailSide {
		t.Errorf("thumbnail %v, want %d on its longer side", b, work.DefaultThumbnailSide)
	}
	h.w.Preview(f.ID, f.Path, 300)
	h.until("the preview is made", func() bool { return len(h.previews) == 1 })
	if b := h.previews[0].img.Bounds(); max(b.Dx(), b.Dy()) != 300 {
		t.Errorf("preview %v, want 300 on its longer side", b)
	}
}

// Several photos dropped together, run in batches of what is ready, each
// get their own answer, in order.
func TestRealEngineAnswersEachPhoto(t *testing.T) {
	h := start(t, realOpener(t), work.Options{})
	dog, eagle := inferencetest.Photo(t, "dog.jpg"), inferencetest.Photo(t, "eagle.jpg")
	want := []string{"dog", "bird", "dog", "bird", "dog", "bird"}
	h.w.Add(dog, eagle, dog, eagle, dog, eagle)
	h.until("every photo is answered", func() bool { return len(h.queued()) == len(want) && h.done() })
	for i, q := range h.queued() {
		if f, _ := h.last(q.ID); f.Err != nil || f.Result.Everyday.Name != want[i] {
			t.Errorf("photo %d (%s): everyday %+v, err %v; want %s", i, q.Path, f.Result.Everyday, f.Err, want[i])
		}
	}
}
