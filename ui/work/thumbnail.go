package work

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

// DefaultThumbnailSide is a thumbnail's longer side when none is asked for:
// the freedesktop cache's normal size, which it then serves as it is.
const DefaultThumbnailSide = int(thumbs.Normal)

// Thumbnail is a row's picture kept as a small JPEG (a few kilobytes)
// rather than as pixels, so thousands of rows stay cheap; the window
// decodes only the rows on screen.
type Thumbnail []byte

// NewThumbnail encodes img; nil if it cannot be.
func NewThumbnail(img image.Image) Thumbnail {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		slog.Warn("encoding a thumbnail", "err", err)
		return nil
	}
	return buf.Bytes()
}

// Image decodes the thumbnail; nil when there is none.
func (t Thumbnail) Image() image.Image {
	if len(t) == 0 {
		return nil
	}
	img, err := jpeg.Decode(bytes.NewReader(t))
	if err != nil {
		return nil
	}
	return img
}

// Thumbnails makes thumbnails for rows on screen that have none: photos
// answered from the catalogue or read from the library were never decoded.
// It works one photo at a time, the row last shown first, and lets go of
// requests for rows long scrolled past.
type Thumbnails struct {
	ctx    context.Context
	report func(func())
	side   int
	made   func(id uint64, t Thumbnail) // on the UI thread
	wg     sync.WaitGroup

	mu      sync.Mutex
	want    []thumbRequest // a stack
	running bool
}

type thumbRequest struct {
	id   uint64
	path string
}

// ThumbnailBacklog is how many requests are kept: about two screens of
// rows.
const ThumbnailBacklog = 32

// NewThumbnails makes thumbnails side pixels on their longer side (0 for
// DefaultThumbnailSide) with ctx, which should end when the window closes
// (Worker.Context), and hands each to made on the UI thread through report
// (Worker.Report).
func NewThumbnails(ctx context.Context, report func(func()), side int, made func(id uint64, t Thumbnail)) *Thumbnails {
	if side <= 0 {
		side = DefaultThumbnailSide
	}
	return &Thumbnails{ctx: ctx, report: report, side: side, made: made}
}

// Request asks for row id's thumbnail, made from the photo at path.
func (t *Thumbnails) Request(id uint64, path string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.want = append(t.want, thumbRequest{id, path})
	if len(t.want) > ThumbnailBacklog {
		t.want = t.want[len(t.want)-ThumbnailBacklog:]
	}
	if !t.running {
		t.running = true
		t.wg.Add(1)
		go t.run()
	}
}

func (t *Thumbnails) run() {
	defer t.wg.Done()
	background("making thumbnails")
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
		var thumb Thumbnail
		err := Protect("making a thumbnail", func() (err error) {
			thumb, err = rowThumbnail(t.ctx, r.path, t.side)
			return err
		})
		if err == nil && thumb != nil {
			t.report(func() { t.made(r.id, thumb) })
		}
	}
}

// Wait returns once the goroutine has ended; the context should have.
func (t *Thumbnails) Wait() { t.wg.Wait() }

// rowThumbnail makes a row's thumbnail from the freedesktop thumbnail cache
// when a file manager (or Spotter) made one for this version of the photo,
// else from the photo itself, whose thumbnail then goes into the cache for
// them. The cache is a shortcut only: when it cannot be read or written the
// photo is decoded, as without it.
func rowThumbnail(ctx context.Context, path string, side int) (Thumbnail, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	size := cacheSize(side)
	if img, ok := thumbs.Read(path, info.ModTime(), size); ok {
		return NewThumbnail(preprocess.Thumbnail(preprocess.Photo{Image: img}, side)), nil
	}
	p, err := preprocess.LoadAtLeast(ctx, path, int(size))
	if err != nil {
		return nil, err
	}
	return NewThumbnail(preprocess.Thumbnail(preprocess.Photo{Image: cacheThumbnail(path, info.ModTime(), p, size)}, side)), nil
}

// cacheSize is the cache's smallest size that holds a thumbnail of side
// pixels without enlarging it.
func cacheSize(side int) thumbs.Size {
	if side <= int(thumbs.Normal) {
		return thumbs.Normal
	}
	return thumbs.Large
}

// cacheThumbnail writes the photo's thumbnail to the freedesktop cache and
// returns it, upright and at most size pixels on a side.
func cacheThumbnail(path string, mtime time.Time, p preprocess.Photo, size thumbs.Size) image.Image {
	img := preprocess.Thumbnail(p, int(size))
	if err := thumbs.Write(path, mtime, img, size); err != nil {
		slog.Debug("the thumbnail cache cannot be written", "path", path, "err", err)
	}
	return img
}
