package ui

import (
	"context"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/library/thumbs"
)

// A row's thumbnail comes from the freedesktop cache when it holds one for
// this version of the photo, and otherwise is made from the photo and left
// in the cache for file managers.
func TestRowThumbnailUsesTheCache(t *testing.T) {
	data, err := os.ReadFile(inferencetest.Photo(t, "dog.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "dog.jpg")
	if err := os.WriteFile(photo, data, 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(photo)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := thumbs.Read(photo, info.ModTime(), thumbs.Normal); ok {
		t.Fatal("a thumbnail before any was made")
	}
	made, err := rowThumbnail(context.Background(), photo)
	if err != nil || made.image() == nil {
		t.Fatalf("rowThumbnail: %v", err)
	}
	if _, ok := thumbs.Read(photo, info.ModTime(), thumbs.Normal); !ok {
		t.Fatal("the thumbnail was not left in the freedesktop cache")
	}

	// A file manager's thumbnail (here plain red) is used as it is.
	red := image.NewRGBA(image.Rect(0, 0, 128, 96))
	for i := range red.Pix {
		if i%4 == 0 || i%4 == 3 {
			red.Pix[i] = 255
		}
	}
	if err := thumbs.Write(photo, info.ModTime(), red, thumbs.Normal); err != nil {
		t.Fatal(err)
	}
	got, err := rowThumbnail(context.Background(), photo)
	if err != nil {
		t.Fatal(err)
	}
	img := got.image()
	c := color.RGBAModel.Convert(img.At(img.Bounds().Dx()/2, img.Bounds().Dy()/2)).(color.RGBA)
	if c.R < 200 || c.G > 60 || c.B > 60 {
		t.Errorf("the cached thumbnail was not used: the middle is %v", c)
	}
}
