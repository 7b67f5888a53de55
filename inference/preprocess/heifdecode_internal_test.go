package preprocess

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/preprocess/heif/heiftest"
)

// endsAfter is a context that ends after its Err has been asked n times,
// so a test can end it exactly between two steps of a decode.
type endsAfter struct {
	context.Context
	n     int32
	asked *atomic.Int32
}

func (c endsAfter) Err() error {
	if c.asked.Add(1) > c.n {
		return context.Canceled
	}
	return nil
}

// TestCodecDecodeStopsWhenCancelled: libheif and libjxl cannot be stopped
// inside a decode, so the context is checked before and after it; a
// context that ends during the decode stops the work before the shrink.
func TestCodecDecodeStopsWhenCancelled(t *testing.T) {
	src := inferencetest.Photo(t, "dog.jpg")
	dir := t.TempDir()
	heic := heiftest.Read(t, heiftest.HEIC(t, src, dir, "dog.heic"))
	jxl := heiftest.Read(t, heiftest.JXL(t, src, dir, "dog.jxl"))
	for _, tc := range []struct {
		name   string
		decode func(context.Context) error
		steps  int32
	}{
		{"HEIC ended before", func(ctx context.Context) error { _, _, err := decodeHEIF(ctx, heic, MaxPixels, 0); return err }, 0},
		{"HEIC ended during", func(ctx context.Context) error { _, _, err := decodeHEIF(ctx, heic, MaxPixels, 0); return err }, 1},
		{"JPEG XL ended during", func(ctx context.Context) error { _, err := decodeJXL(ctx, jxl, MaxPixels, 0); return err }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := endsAfter{context.Background(), tc.steps, new(atomic.Int32)}
			if err := tc.decode(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("got %v, want context.Canceled", err)
			}
			if got := ctx.asked.Load(); got != tc.steps+1 {
				t.Errorf("the context was asked %d times, want %d: work went on after it ended", got, tc.steps+1)
			}
		})
	}
}
