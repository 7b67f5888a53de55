package work

import (
	"context"
	"image"
	"sync"
	"time"

	"github.com/spotter-app/spotter/inference/preprocess"
)

// The sides a preview is made at, in pixels, whatever the window asks: a
// tiny window still gets a photo worth looking at, and a huge one no
// texture larger than graphics drivers commonly take.
const (
	MinPreviewSide = 256
	MaxPreviewSide = 4096
)

// Previewer decodes the selected photo for the large preview, one at a
// time: a new request ends the one before.
type Previewer struct {
	ctx    context.Context
	report func(func())
	shown  func(id uint64, img image.Image) // on the UI thread
	wg     sync.WaitGroup

	mu  sync.Mutex
	end context.CancelFunc // the preview being made
}

func newPreviewer(ctx context.Context, report func(func()), shown func(uint64, image.Image)) *Previewer {
	return &Previewer{ctx: ctx, report: report, shown: shown}
}

// previewSettle is how long a preview waits for the next one to be asked
// for before it is made; the thumbnail stands in meanwhile.
const previewSettle = 80 * time.Millisecond

// Preview decodes photo id at path to fit side pixels (the space the
// preview has on screen, in device pixels), replacing any preview still
// being made. The image is reported only if no other preview was asked for
// meanwhile, so the last one asked for is the last one shown.
func (p *Previewer) Preview(id uint64, path string, side int) {
	side = min(max(side, MinPreviewSide), MaxPreviewSide)
	p.mu.Lock()
	if p.end != nil {
		p.end()
	}
	ctx, end := context.WithCancel(p.ctx)
	p.end = end
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer end()
		background("making the preview")
		// A person paging through photos with a key held asks for a new
		// preview every few tens of milliseconds: each waits a moment, so
		// those passed over are never decoded. Decoding every one kept both
		// processors busy and the window's frames waiting (make bench, "UI
		// fluidity", scroll).
		select {
		case <-time.After(previewSettle):
		case <-ctx.Done():
			return
		}
		var img image.Image
		err := Protect("making the preview", func() error {
			photo, err := preprocess.LoadAtLeast(ctx, path, side)
			if err == nil {
				img = preprocess.Preview(photo, side)
			}
			return err
		})
		if err != nil {
			return
		}
		// Checked and reported under the lock Preview ends it with: once
		// another preview is asked for, this one can no longer be shown
		// after it.
		p.mu.Lock()
		defer p.mu.Unlock()
		if ctx.Err() == nil {
			p.report(func() { p.shown(id, img) })
		}
	}()
}

// wait returns once every preview has ended; the context should have.
func (p *Previewer) wait() { p.wg.Wait() }
