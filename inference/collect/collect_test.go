package collect

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWalkFindsPhotosInFolders(t *testing.T) {
	root := t.TempDir()
	jpeg := []byte("\xff\xd8\xff\xe0 a JPEG as far as sniffing goes")
	png := []byte("\x89PNG\r\n\x1a\n and the rest")
	files := map[string][]byte{
		"b.jpg":                  jpeg,
		"a/scan":                 png, // no extension: found by content
		"a/z/deep.PNG":           png,
		"a/notes.txt":            []byte("not a photo"),
		"a/broken.jpg":           []byte("text that claims to be a JPEG"), // kept: its name says photo
		"a/IMG_1.heic":           []byte("\x00\x00\x00\x18ftypheic"),
		"a/.hidden.jpg":          jpeg,
		".thumbnails/small.jpg":  jpeg,
		"c/sidecar.xmp":          []byte("<x:xmpmeta/>"),
		"c/photo without ext 2":  []byte("\x00\x00\x00\x1cftypavif"),
		"c/DSC_0001.NEF":         []byte("MM\x00*raw"),
		"empty/.keep":            nil,
		"a/z/y/x/w/v/far.webp":   []byte("RIFF\x00\x00\x00\x00WEBPVP8 "),
		"a/z/y/x/w/v/other.json": []byte("{}"),
	}
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A link back up the tree must not make the walk go round for ever.
	if err := os.Symlink(root, filepath.Join(root, "a", "z", "loop")); err != nil {
		t.Fatal(err)
	}
	named := filepath.Join(root, "a", "notes.txt") // named directly: always kept
	var got []string
	if err := Walk(context.Background(), []string{root, named}, func(p string) {
		rel, _ := filepath.Rel(root, p)
		got = append(got, filepath.ToSlash(rel))
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a/IMG_1.heic", "a/broken.jpg", "a/scan", "a/z/deep.PNG", "a/z/y/x/w/v/far.webp",
		"b.jpg", "c/DSC_0001.NEF", "c/photo without ext 2", "a/notes.txt",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Walk found\n%q\nwant\n%q", got, want)
	}
}

func TestWalkStopsWhenCancelled(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a", "b", "c"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Walk(ctx, []string{root}, func(string) {}); err == nil {
		t.Error("a cancelled walk reported success")
	}
}

func TestWalkNamesFoldersWithoutPhotos(t *testing.T) {
	root := t.TempDir()
	empty := filepath.Join(root, "empty")
	textOnly := filepath.Join(root, "notes")
	photos := filepath.Join(root, "photos")
	for name, data := range map[string]string{
		"notes/a.txt":       "not a photo",
		"notes/.hidden.jpg": "\xff\xd8\xff hidden, so not found",
		"photos/b.jpg":      "\xff\xd8\xff",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	var found []string
	err := Walk(context.Background(), []string{empty, photos, textOnly}, func(p string) { found = append(found, p) })
	var none *NoPhotosError
	if !errors.As(err, &none) || !slices.Equal(none.Folders, []string{empty, textOnly}) {
		t.Fatalf("Walk returned %v; want a NoPhotosError naming %s and %s", err, empty, textOnly)
	}
	if !slices.Equal(found, []string{filepath.Join(photos, "b.jpg")}) {
		t.Errorf("found %q", found)
	}
	if msg := err.Error(); !strings.Contains(msg, "holds no photos") || !strings.Contains(msg, empty) {
		t.Errorf("message %q does not name the folder", msg)
	}
	if err := Walk(context.Background(), []string{photos}, func(string) {}); err != nil {
		t.Errorf("a folder with a photo: %v", err)
	}
}
