package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"go.uber.org/goleak"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
)

// dropWindow keeps the drop callback, which the test driver's window
// ignores, so a test can drop files and also proves the window registered
// its handler.
type dropWindow struct {
	fyne.Window
	onDropped func(fyne.Position, []fyne.URI)
	closed    bool
}

// Close closes once: the test driver panics on a second Close.
func (d *dropWindow) Close() {
	if !d.closed {
		d.closed = true
		d.Window.Close()
	}
}

func (d *dropWindow) SetOnDropped(f func(fyne.Position, []fyne.URI)) {
	d.onDropped = f
	d.Window.SetOnDropped(f)
}

func (d *dropWindow) drop(t *testing.T, paths ...string) {
	t.Helper()
	if d.onDropped == nil {
		t.Fatal("the window registered no drop handler")
	}
	uris := make([]fyne.URI, len(paths))
	for i, p := range paths {
		uris[i] = storage.NewFileURI(p)
	}
	d.onDropped(fyne.NewPos(10, 10), uris)
}

// harness runs the window with the test goroutine as its UI thread: the
// worker's reports queue on posted and run only inside until, so widgets
// are never touched from two goroutines.
type harness struct {
	t      *testing.T
	win    *dropWindow
	w      *Window
	posted chan func()
}

// counting wraps the real classifier to count Close calls and, for the
// tests that need it, to hold or break a classification.
type counting struct {
	Classifier
	closes   atomic.Int32
	calls    atomic.Int32
	hold     chan struct{} // closed when the first Classify starts; it then waits for its context
	panicOn  int32         // panic on this call number (1-based); 0 never
	mu       sync.Mutex
	firstErr error
}

func (c *counting) Classify(ctx context.Context, p preprocess.Photo) (prediction.Result, error) {
	n := c.calls.Add(1)
	if n == c.panicOn {
		panic("boom")
	}
	if n == 1 && c.hold != nil {
		close(c.hold)
		<-ctx.Done()
	}
	res, err := c.Classifier.Classify(ctx, p)
	if n == 1 {
		c.mu.Lock()
		c.firstErr = err
		c.mu.Unlock()
	}
	return res, err
}

func (c *counting) Close() error {
	c.closes.Add(1)
	return c.Classifier.Close()
}

func realOpener(t *testing.T, wrap *counting) Opener {
	inferencetest.Library(t)
	desc := inferencetest.Descriptor(t)
	return func() (Classifier, error) {
		c, err := inference.Open(inference.Options{Descriptor: desc})
		if err != nil {
			return nil, err
		}
		wrap.Classifier = c
		return wrap, nil
	}
}

func start(t *testing.T, open Opener) *harness {
	t.Helper()
	test.NewTempApp(t)
	h := &harness{t: t, posted: make(chan func(), 1024)}
	h.win = &dropWindow{Window: test.NewWindow(nil)}
	before := goleak.IgnoreCurrent()
	h.w = New(h.win, open, Options{Post: func(f func()) { h.posted <- f }})
	t.Cleanup(func() {
		h.win.Close()
		h.w.Shutdown()
		// Nothing the window started may outlive it.
		goleak.VerifyNone(t, before)
	})
	h.until("the model is loaded", func() bool { return !h.w.loading })
	return h
}

func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case f := <-h.posted:
			f()
		case <-deadline:
			h.t.Fatalf("timed out waiting until %s", what)
		}
	}
}

func (h *harness) idle() bool { return h.w.current == 0 }

func (h *harness) busy() bool { return h.w.activity.Visible() }

func TestDropShowsIndicatorThenLabel(t *testing.T) {
	h := start(t, realOpener(t, &counting{}))
	if h.busy() {
		t.Fatal("the indicator runs with nothing to do")
	}
	h.win.drop(t, inferencetest.Photo(t, "dog.jpg"))
	if !h.busy() {
		t.Fatal("the indicator is not running after a drop")
	}
	if got := h.w.status.Text; !strings.Contains(got, "dog.jpg") {
		t.Errorf("status %q does not name the photo", got)
	}
	h.until("the answer arrives", h.idle)
	if h.busy() {
		t.Error("the indicator still runs after the answer")
	}
	if got := h.w.results.title.Text; got != "malamute" && got != "Eskimo dog" && got != "Siberian husky" {
		t.Errorf("top label %q, want a dog breed", got)
	}
	if !strings.HasSuffix(h.w.results.confidence.Text, "% confidence") {
		t.Errorf("confidence %q", h.w.results.confidence.Text)
	}
	for i, r := range h.w.results.rows {
		if r.name.Text == "" || r.pct.Text == "" {
			t.Errorf("top-5 row %d is empty", i)
		}
	}
	h.until("the preview shows", func() bool { return h.w.zone.preview.Image != nil })
	if b := h.w.zone.preview.Image.Bounds(); max(b.Dx(), b.Dy()) > previewSide {
		t.Errorf("preview is %v, larger than %d", b, previewSide)
	}
}

func TestSecondDropWins(t *testing.T) {
	clf := &counting{hold: make(chan struct{})}
	h := start(t, realOpener(t, clf))
	h.win.drop(t, inferencetest.Photo(t, "dog.jpg"))
	<-clf.hold // the dog is now in the classifier
	h.win.drop(t, inferencetest.Photo(t, "eagle.jpg"))
	h.until("the eagle's answer arrives", h.idle)
	// Let every report still on its way land: none may replace the eagle.
	h.win.Close()
	h.w.Shutdown()
	for len(h.posted) > 0 {
		(<-h.posted)()
	}
	if got := h.w.results.title.Text; got != "kite" && got != "bald eagle" {
		t.Errorf("top label %q after the second drop, want the eagle's", got)
	}
	clf.mu.Lock()
	defer clf.mu.Unlock()
	if !errors.Is(clf.firstErr, context.Canceled) {
		t.Errorf("the first classification ended with %v, want context.Canceled", clf.firstErr)
	}
}

func TestBadDropShowsErrorAndNextDropWorks(t *testing.T) {
	h := start(t, realOpener(t, &counting{}))
	notes := filepath.Join(t.TempDir(), "holiday notes.jpg")
	if err := os.WriteFile(notes, []byte("Day 1: the beach.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.win.drop(t, notes)
	h.until("the error arrives", h.idle)
	if !h.w.results.errBox.Visible() || !strings.Contains(h.w.results.errText.Text, "holiday notes.jpg is a text file") {
		t.Fatalf("error shown: %v %q", h.w.results.errBox.Visible(), h.w.results.errText.Text)
	}
	if h.busy() {
		t.Error("the indicator still runs after the error")
	}
	h.win.drop(t, inferencetest.Photo(t, "eagle.jpg"))
	h.until("the answer arrives", h.idle)
	if h.w.results.errBox.Visible() {
		t.Error("the old error is still shown")
	}
	if got := h.w.results.title.Text; got != "kite" && got != "bald eagle" {
		t.Errorf("top label %q", got)
	}
}

func TestLinkAndFolderDrops(t *testing.T) {
	h := start(t, realOpener(t, &counting{}))
	link, err := storage.ParseURI("https://example.com/cat.jpg")
	if err != nil {
		t.Fatal(err)
	}
	h.win.onDropped(fyne.NewPos(1, 1), []fyne.URI{link})
	if !h.idle() || !strings.Contains(h.w.results.errText.Text, "only reads local files") {
		t.Errorf("a link drop gave %q", h.w.results.errText.Text)
	}
	h.win.drop(t, t.TempDir())
	h.until("the folder is refused", h.idle)
	if !strings.Contains(h.w.results.errText.Text, "is a folder") {
		t.Errorf("a folder drop gave %q", h.w.results.errText.Text)
	}
}

func TestCloseCancelsAndWaits(t *testing.T) {
	clf := &counting{hold: make(chan struct{})}
	h := start(t, realOpener(t, clf))
	h.win.drop(t, inferencetest.Photo(t, "dog.jpg"))
	<-clf.hold
	h.win.Close()
	h.w.Shutdown()
	clf.mu.Lock()
	defer clf.mu.Unlock()
	if !errors.Is(clf.firstErr, context.Canceled) {
		t.Errorf("the running classification ended with %v, want context.Canceled", clf.firstErr)
	}
	if n := clf.closes.Load(); n != 1 {
		t.Errorf("the classifier was closed %d times, want once", n)
	}
}

func TestPanicIsReportedAndWindowKeepsWorking(t *testing.T) {
	h := start(t, realOpener(t, &counting{panicOn: 1}))
	h.win.drop(t, inferencetest.Photo(t, "dog.jpg"))
	h.until("the error arrives", h.idle)
	if !strings.Contains(h.w.results.errText.Text, "internal error") {
		t.Fatalf("a panic showed %q", h.w.results.errText.Text)
	}
	h.win.drop(t, inferencetest.Photo(t, "eagle.jpg"))
	h.until("the answer arrives", h.idle)
	if got := h.w.results.title.Text; got != "kite" && got != "bald eagle" {
		t.Errorf("after a panic the next drop gave %q", got)
	}
}

func TestLoadFailureIsShownAndRetried(t *testing.T) {
	real := realOpener(t, &counting{})
	var attempts atomic.Int32
	h := start(t, func() (Classifier, error) {
		if attempts.Add(1) == 1 {
			return nil, errors.New("The ONNX Runtime library was not found. Run `make runtime`")
		}
		return real()
	})
	if !strings.Contains(h.w.results.errText.Text, "make runtime") || h.busy() {
		t.Fatalf("a failed load showed %q (indicator %v)", h.w.results.errText.Text, h.busy())
	}
	h.win.drop(t, inferencetest.Photo(t, "eagle.jpg"))
	h.until("the answer arrives", h.idle)
	if got := h.w.results.title.Text; got != "kite" && got != "bald eagle" {
		t.Errorf("after the retry the drop gave %q (error %q)", got, h.w.results.errText.Text)
	}
}

// A representative set of bad drops, one after another in one window: each
// shows its own message, stops the indicator, and the next drop still works.
func TestBadDropsInARow(t *testing.T) {
	h := start(t, realOpener(t, &counting{}))
	dog := inferencetest.Photo(t, "dog.jpg")
	dogBytes, err := os.ReadFile(dog)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct{ path, want string }{
		{write("empty.jpg", nil), "empty.jpg is empty"},
		{write("half.jpg", dogBytes[:len(dogBytes)/3]), "half.jpg is cut off"},
		{write("report.pdf", []byte("%PDF-1.7\n")), "report.pdf is a PDF document"},
		{write("IMG_7.CR2", []byte("II*\x00junk")), "IMG_7.CR2 is a camera RAW photo (CR2)"},
		{dir, "is a folder"},
	}
	for _, tc := range cases {
		h.win.drop(t, tc.path)
		h.until("the message for "+tc.path, h.idle)
		if !strings.Contains(h.w.results.errText.Text, tc.want) {
			t.Errorf("drop of %s showed %q, want %q", filepath.Base(tc.path), h.w.results.errText.Text, tc.want)
		}
		if h.busy() {
			t.Errorf("the indicator still runs after %s", filepath.Base(tc.path))
		}
	}
	h.win.drop(t, dog)
	h.until("the dog's answer", h.idle)
	if h.w.results.errBox.Visible() || h.w.results.title.Text == "" {
		t.Errorf("after the bad drops a photo showed error %q, title %q", h.w.results.errText.Text, h.w.results.title.Text)
	}
}

// The real engine without its library: the window says what to do.
func TestMissingLibraryShownInWindow(t *testing.T) {
	desc := inferencetest.Descriptor(t)
	missing := filepath.Join(t.TempDir(), "libonnxruntime.so")
	h := start(t, func() (Classifier, error) {
		return inference.Open(inference.Options{Descriptor: desc, Library: missing})
	})
	if got := h.w.results.errText.Text; !strings.Contains(got, "ONNX Runtime library was not found") || !strings.Contains(got, "make runtime") {
		t.Errorf("the window shows %q", got)
	}
	if h.busy() {
		t.Error("the indicator runs with no model loaded")
	}
}
