package thumbs

import (
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tool finds an external program, required under CI.
func tool(t *testing.T, name, pkg string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: apt-get install %s", name, pkg)
		}
		t.Skipf("%s is missing: apt-get install %s", name, pkg)
	}
	return p
}

// gradient is an image whose pixels say where they are.
func gradient(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return img
}

func TestPathFollowsTheStandard(t *testing.T) {
	root := cache(t)
	// The standard's own example.
	got, err := Path("/home/jens/photos/me.png", Normal)
	if want := filepath.Join(root, "normal", "c6ee772d9e49320e97ec29a7eb5b1697.png"); err != nil || got != want {
		t.Errorf("Path = %q, %v; want %q", got, err, want)
	}
	if got, _ := Path("/home/jens/photos/me.png", Large); filepath.Dir(got) != filepath.Join(root, "large") {
		t.Errorf("a large thumbnail in %q", got)
	}
}

// TestURIMatchesGLib compares with what GNOME's own tool says the URI is: the
// MD5 of any other spelling names another file.
func TestURIMatchesGLib(t *testing.T) {
	gio := tool(t, "gio", "libglib2.0-bin")
	dir := t.TempDir()
	names := []string{
		"plain.jpg", "a b!$&'()*+,;=:@[]^`{|}~%#?\"<>.jpg", "ünïcödé 写真.jpg", "bad\xff.jpg", "new\nline.jpg",
	}
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(gio, "info", "-a", "standard::name", p).Output()
		if err != nil {
			t.Fatalf("gio info %q: %v", p, err)
		}
		var want string
		for _, line := range strings.Split(string(out), "\n") {
			if u, ok := strings.CutPrefix(line, "uri: "); ok {
				want = u
			}
		}
		if got := URI(p); got != want {
			t.Errorf("URI(%q) = %q; gio says %q", p, got, want)
		}
	}
}

func TestWriteAndReadBack(t *testing.T) {
	root := cache(t)
	photo := filepath.Join(t.TempDir(), "dog.jpg")
	mtime := time.Unix(1700000000, 123456789)
	src := gradient(640, 480)
	if err := Write(photo, mtime, src, Large); err != nil {
		t.Fatal(err)
	}
	img, ok := Read(photo, mtime, Large)
	if !ok {
		t.Fatal("the thumbnail just written was not read back")
	}
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 192 {
		t.Errorf("thumbnail is %v; want 256x192", b)
	}
	// The middle of the thumbnail shows the middle of the photo.
	r, g, _, _ := img.At(128, 96).RGBA()
	if r>>8 < 120 || r>>8 > 136 || g>>8 < 120 || g>>8 > 136 {
		t.Errorf("the middle pixel is %d,%d; want about 128,128", r>>8, g>>8)
	}
	if _, ok := Read(photo, mtime, Normal); ok {
		t.Error("a normal thumbnail was found where only a large one was written")
	}
	thumb, _ := Path(photo, Large)
	fi, err := os.Stat(thumb)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("thumbnail mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	for _, d := range []string{root, filepath.Join(root, "large")} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s mode %v, %v; want 0700", d, fi.Mode().Perm(), err)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(root, "large", ".spotter-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	// A small image is kept as it is.
	if err := Write(photo, mtime, gradient(100, 50), Normal); err != nil {
		t.Fatal(err)
	}
	if img, ok := Read(photo, mtime, Normal); !ok || img.Bounds().Dx() != 100 || img.Bounds().Dy() != 50 {
		t.Errorf("small thumbnail: %v", ok)
	}
}

func TestStaleOrForeignThumbnailIsIgnored(t *testing.T) {
	cache(t)
	dir := t.TempDir()
	photo := filepath.Join(dir, "a.jpg")
	mtime := time.Unix(1700000000, 0)
	if err := Write(photo, mtime, gradient(300, 200), Normal); err != nil {
		t.Fatal(err)
	}
	if _, ok := Read(photo, mtime.Add(time.Second), Normal); ok {
		t.Error("a thumbnail of an older version of the photo was used")
	}
	if _, ok := Read(photo, mtime.Add(time.Millisecond), Normal); !ok {
		t.Error("MTime is whole seconds: a thumbnail of the same second was ignored")
	}
	// Another photo's thumbnail under this photo's name.
	other := filepath.Join(dir, "b.jpg")
	if err := Write(other, mtime, gradient(300, 200), Normal); err != nil {
		t.Fatal(err)
	}
	from, _ := Path(other, Normal)
	to, _ := Path(photo, Normal)
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
	if _, ok := Read(photo, mtime, Normal); ok {
		t.Error("a thumbnail whose Thumb::URI names another photo was used")
	}
	// A damaged file.
	if err := os.WriteFile(to, []byte("\x89PNG\r\n\x1a\ngarbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := Read(photo, mtime, Normal); ok {
		t.Error("a damaged thumbnail was used")
	}
}

// TestImageMagickSeesTheChunks has another PNG reader list the text chunks.
func TestImageMagickSeesTheChunks(t *testing.T) {
	identify := tool(t, "identify", "imagemagick")
	cache(t)
	photo := filepath.Join(t.TempDir(), "eagle.jpg")
	mtime := time.Unix(1712345678, 0)
	if err := Write(photo, mtime, gradient(512, 512), Normal); err != nil {
		t.Fatal(err)
	}
	thumb, _ := Path(photo, Normal)
	out, err := exec.Command(identify, "-verbose", thumb).CombinedOutput()
	if err != nil {
		t.Fatalf("identify: %v\n%s", err, out)
	}
	for _, want := range []string{"Thumb::URI: " + URI(photo), "Thumb::MTime: 1712345678", "Geometry: 128x128+0+0", "Format: PNG"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("identify -verbose lacks %q:\n%s", want, out)
		}
	}
}

// TestReadsImageMagickThumbnails reads a thumbnail another program wrote (its
// text chunks come after the image data).
func TestReadsImageMagickThumbnails(t *testing.T) {
	convert := tool(t, "convert", "imagemagick")
	cache(t)
	photo := filepath.Join(t.TempDir(), "kite.jpg")
	mtime := time.Unix(1600000000, 0)
	thumb, _ := Path(photo, Normal)
	if err := os.MkdirAll(filepath.Dir(thumb), 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(convert, "-size", "200x100", "gradient:red-blue", "-thumbnail", "128x128",
		"-set", "Thumb::URI", URI(photo), "-set", "Thumb::MTime", strconv.FormatInt(mtime.Unix(), 10), thumb).CombinedOutput()
	if err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
	img, ok := Read(photo, mtime, Normal)
	if !ok {
		t.Fatal("ImageMagick's thumbnail was not read")
	}
	if b := img.Bounds(); b.Dx() != 128 || b.Dy() != 64 {
		t.Errorf("bounds %v; want 128x64", b)
	}
}
