package ui

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/spotter-app/spotter/inference/preprocess"
	"github.com/spotter-app/spotter/library/thumbs"
)

// thumbnail is a list row's picture kept as a small JPEG (a few kilobytes)
// rather than as pixels, so thousands of rows stay cheap; the list decodes
// only the rows on screen.
type thumbnail []byte

func newThumbnail(img image.Image) thumbnail {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		slog.Warn("encoding a thumbnail", "err", err)
		return nil
	}
	return buf.Bytes()
}

// image decodes the thumbnail; nil when there is none.
func (t thumbnail) image() image.Image {
	if len(t) == 0 {
		return nil
	}
	img, err := jpeg.Decode(bytes.NewReader(t))
	if err != nil {
		return nil
	}
	return img
}

// thumbnailer makes thumbnails for rows on screen that have none: photos
// answered from the catalogue or read from the library were never decoded.
// It works one photo at a time, the row last shown first, and lets go of
// requests for rows long scrolled past.
type thumbnailer struct {
	ctx    context.Context
	report func(func())
	made   func(id uint64, t thumbnail) // on the UI thread
	wg     sync.WaitGroup

	mu      sync.Mutex
	want    []thumbRequest // a stack
	running bool
}

type thumbRequest struct {
	id   uint64
	path string
}

// thumbBacklog is how many requests are kept: about two screens of rows.
const thumbBacklog = 32

func newThumbnailer(ctx context.Context, report func(func()), made func(uint64, thumbnail)) *thumbnailer {
	return &thumbnailer{ctx: ctx, report: report, made: made}
}

func (t *thumbnailer) request(id uint64, path string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.want = append(t.want, thumbRequest{id, path})
	if len(t.want) > thumbBacklog {
		t.want = t.want[len(t.want)-thumbBacklog:]
	}
	if !t.running {
		t.running = true
		t.wg.Add(1)
		go t.run()
	}
}

func (t *thumbnailer) run() {
	defer t.wg.Done()
	for {
		t.mu.Lock()
		if len(t.want) == 0 || t.ctx.Err() != nil {
			t.running = false
			t.mu.Unlock()
			return
		}
		r := t.want[len(t.want)-1]
		t.want = t.want[:len(t.want)-1]
		t.mu.Unlock()
		var thumb thumbnail
		err := protect("making a thumbnail", func() (err error) {
			thumb, err = rowThumbnail(t.ctx, r.path)
			return err
		})
		if err == nil && thumb != nil {
			t.report(func() { t.made(r.id, thumb) })
		}
	}
}

// rowThumbnail makes a row's thumbnail from the freedesktop thumbnail cache
// when a file manager (or Spotter) made one for this version of the photo,
// else from the photo itself, whose thumbnail then goes into the cache for
// them. The cache is a shortcut only: when it cannot be read or written the
// photo is decoded, as without it.
func rowThumbnail(ctx context.Context, path string) (thumbnail, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if img, ok := thumbs.Read(path, info.ModTime(), thumbs.Normal); ok {
		return newThumbnail(preprocess.Thumbnail(preprocess.Photo{Image: img}, thumbSide)), nil
	}
	p, err := preprocess.LoadAtLeast(ctx, path, int(thumbs.Normal))
	if err != nil {
		return nil, err
	}
	return newThumbnail(preprocess.Thumbnail(preprocess.Photo{Image: cacheThumbnail(path, info.ModTime(), p)}, thumbSide)), nil
}

// cacheThumbnail writes the photo's thumbnail to the freedesktop cache and
// returns it, upright and at most thumbs.Normal pixels on a side.
func cacheThumbnail(path string, mtime time.Time, p preprocess.Photo) image.Image {
	img := preprocess.Thumbnail(p, int(thumbs.Normal))
	if err := thumbs.Write(path, mtime, img, thumbs.Normal); err != nil {
		slog.Debug("the thumbnail cache cannot be written", "path", path, "err", err)
	}
	return img
}

// wait returns once the goroutine has ended; the context should have.
func (t *thumbnailer) wait() { t.wg.Wait() }
