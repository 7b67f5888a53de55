package inference

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nfnt/resize"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/prediction"
	"github.com/spotter-app/spotter/inference/preprocess"
)

// TestEveryInputAPersonDrops drives each kind of file people drop through
// the real engine. Bad files must give their specific message; good ones,
// however encoded, must still be recognised as the dog they show. After
// every file the engine must still classify the next photo.
func TestEveryInputAPersonDrops(t *testing.T) {
	c := openTest(t)
	dogPath := inferencetest.Photo(t, "dog.jpg")
	dogBytes, err := os.ReadFile(dogPath)
	if err != nil {
		t.Fatal(err)
	}
	dog, err := jpeg.Decode(bytes.NewReader(dogBytes))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string { return inferencetest.WriteFile(t, dir, name, data) }

	bad := []struct {
		name string
		make func() string
		want string
	}{
		{"0-byte file", func() string { return write("empty.jpg", nil) }, "empty.jpg is empty (0 bytes)"},
		{"truncated JPEG", func() string { return write("half.jpg", dogBytes[:len(dogBytes)/2]) }, "half.jpg is cut off"},
		{"truncated PNG", func() string { p := encode(t, "png", dog); return write("half.png", p[:len(p)/2]) }, "half.png is cut off"},
		{"random bytes named .jpg", func() string { return write("noise.jpg", randomBytes(4096)) }, "noise.jpg is not an image Spotter can read"},
		{"text file", func() string { return write("notes.txt", []byte("Buy milk.\nCall Anna.\n")) }, "notes.txt is a text file"},
		{"PDF", func() string { return write("scan.pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")) }, "scan.pdf is a PDF document"},
		{"HEIC", func() string {
			return write("IMG_1.HEIC", append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), randomBytes(512)...))
		}, "IMG_1.HEIC is a HEIC photo"},
		{"AVIF", func() string {
			return write("pic.avif", append([]byte("\x00\x00\x00\x1cftypavif"), randomBytes(512)...))
		}, "pic.avif is an AVIF image"},
		{"camera RAW", func() string { return write("DSC_0001.NEF", append([]byte("MM\x00*"), randomBytes(512)...)) }, "DSC_0001.NEF is not a camera RAW photo"},
		{"header claims 100000×100000", func() string { return write("huge.png", hugePNGHeader(100000, 100000)) }, "huge.png is 100000×100000 pixels (10000 megapixels); Spotter reads photos up to 100 megapixels"},
		{"file gone before the work", func() string { p := write("gone.jpg", dogBytes); os.Remove(p); return p }, "gone.jpg is no longer there"},
		{"folder", func() string { p := filepath.Join(dir, "Holiday 2024"); os.Mkdir(p, 0o755); return p }, "Holiday 2024 is a folder"},
		{"symlink loop", func() string { p := filepath.Join(dir, "loop.jpg"); os.Symlink(p, p); return p }, "loop.jpg is a symbolic link that leads back to itself"},
		{"odd name", func() string { return write(`my "best" dög's photo.jpg`, nil) }, `my "best" dög's photo.jpg is empty`},
		{"web address", func() string { return "https://example.com/cat.jpg" }, "https://example.com/cat.jpg is a web address"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := classify(context.Background(), c, tc.make())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a message containing %q", err, tc.want)
			}
			if _, err := classify(context.Background(), c, dogPath); err != nil {
				t.Errorf("the next photo failed: %v", err)
			}
		})
	}

	translucent := image.NewNRGBA(dog.Bounds())
	draw.Draw(translucent, translucent.Bounds(), dog, image.Point{}, draw.Src)
	for i := 3; i < len(translucent.Pix); i += 4 {
		translucent.Pix[i] = 200
	}
	deep := image.NewNRGBA64(dog.Bounds())
	draw.Draw(deep, deep.Bounds(), dog, image.Point{}, draw.Src)
	paletted := image.NewPaletted(dog.Bounds(), palette.WebSafe)
	draw.FloydSteinberg.Draw(paletted, paletted.Bounds(), dog, image.Point{})
	big := resize.Resize(6000, 4500, dog, resize.Bilinear) // 27 megapixels

	good := []struct {
		name string
		make func() string
	}{
		{"16-bit PNG", func() string { return write("deep.png", encode(t, "png", deep)) }},
		{"paletted PNG", func() string { return write("paletted.png", encode(t, "png", paletted)) }},
		{"PNG with transparency", func() string { return write("translucent.png", encode(t, "png", translucent)) }},
		{"animated GIF", func() string { return write("anim.gif", animatedGIF(t, paletted)) }},
		{"27-megapixel JPEG", func() string { return write("big.jpg", encode(t, "jpeg", big)) }},
		{"name with quotes and accents", func() string { return write(`my "best" dög's photo.jpg`, dogBytes) }},
		{"CMYK JPEG", func() string { return convert(t, dogPath, filepath.Join(dir, "cmyk.jpg"), "-colorspace", "CMYK") }},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			res, err := classify(context.Background(), c, tc.make())
			if err != nil {
				t.Fatal(err)
			}
			if !anyDog(res.Predictions[:3]) {
				t.Errorf("top-3 %q has no dog breed", labels(res.Predictions[:3]))
			}
		})
	}

	t.Run("grayscale JPEG", func(t *testing.T) {
		gray := image.NewGray(dog.Bounds())
		draw.Draw(gray, gray.Bounds(), dog, image.Point{}, draw.Src)
		res, err := classify(context.Background(), c, write("gray.jpg", encode(t, "jpeg", gray)))
		if err != nil {
			t.Fatal(err)
		}
		// Without colour the model sees a wolf-like dog; any canine will do.
		if !anyDog(res.Predictions[:5]) && !strings.Contains(strings.Join(labels(res.Predictions), ";"), "wolf") {
			t.Errorf("top-5 %q has no canine", labels(res.Predictions))
		}
	})
}

// Every EXIF orientation of a sideways-stored photo must be classified
// upright: the pixels are stored turned, the tag says how to undo it.
func TestEXIFOrientationsClassifiedUpright(t *testing.T) {
	c := openTest(t)
	f, err := os.Open(inferencetest.Photo(t, "dog.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dog, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	upright := image.NewRGBA(dog.Bounds())
	draw.Draw(upright, upright.Bounds(), dog, image.Point{}, draw.Src)
	dir := t.TempDir()
	for o := preprocess.Upright; o <= preprocess.Rotate90CCW; o++ {
		stored := storeAs(upright, o)
		// Showing the stored pixels with tag o must give back the upright
		// photo: check the test's own geometry first.
		if back := o.Apply(stored); !bytes.Equal(back.Pix, upright.Pix) {
			t.Fatalf("orientation %d: the stored image does not turn back upright", o)
		}
		path := filepath.Join(dir, "o"+string(rune('0'+o))+".jpg")
		if err := os.WriteFile(path, withOrientation(t, encode(t, "jpeg", stored), o), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := classify(context.Background(), c, path)
		if err != nil {
			t.Fatal(err)
		}
		if !anyDog(res.Predictions[:3]) {
			t.Errorf("orientation %d: top-3 %q has no dog breed", o, labels(res.Predictions[:3]))
		}
	}
}

func TestLabelsOfWrongLengthRefused(t *testing.T) {
	inferencetest.Library(t)
	p := writeDescriptor(t, func(s string) string {
		return strings.Replace(s, "mobilenet_v2_1.0_224_quant/labels.txt", "short-labels.txt", 1)
	})
	all, err := os.ReadFile(filepath.Join(filepath.Dir(inferencetest.Descriptor(t)), "mobilenet_v2_1.0_224_quant", "labels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(all), "\n")
	if err := os.WriteFile(filepath.Join(filepath.Dir(p), "short-labels.txt"), []byte(strings.Join(lines[:999], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Open(Options{Descriptor: p})
	if err == nil || !strings.Contains(err.Error(), "with 999 labels") {
		t.Fatalf("got %v, want a message about 999 labels", err)
	}
}

var dogBreeds = []string{"malamute", "Eskimo dog", "Siberian husky", "German shepherd", "Norwegian elkhound", "dogsled"}

func anyDog(preds []prediction.Prediction) bool {
	for _, p := range preds {
		for _, b := range dogBreeds {
			if strings.HasPrefix(p.Label, b) {
				return true
			}
		}
	}
	return false
}

// storeAs returns the pixels a camera would store for an upright scene
// when it writes orientation tag o.
func storeAs(upright *image.RGBA, o preprocess.Orientation) *image.RGBA {
	// Each orientation's inverse: 6 and 8 undo each other, the rest undo
	// themselves.
	inverse := map[preprocess.Orientation]preprocess.Orientation{6: 8, 8: 6}
	if inv, ok := inverse[o]; ok {
		return inv.Apply(upright)
	}
	return o.Apply(upright)
}

func withOrientation(t *testing.T, jpg []byte, o preprocess.Orientation) []byte {
	t.Helper()
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01")
	tiff = append(tiff, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, byte(o), 0x00, 0x00)
	tiff = append(tiff, 0, 0, 0, 0)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	seg = append(seg, payload...)
	return append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
}

func encode(t *testing.T, format string, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func animatedGIF(t *testing.T, first *image.Paletted) []byte {
	t.Helper()
	noise := image.NewPaletted(first.Bounds(), first.Palette)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(r.IntN(len(first.Palette)))
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{first, noise}, Delay: []int{50, 50}}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(7, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[0], b[1] = 0x13, 0x37 // not any format's magic
	return b
}

// hugePNGHeader is a valid PNG signature and IHDR claiming w×h pixels, with
// no pixel data: decoding must refuse it from the header alone.
func hugePNGHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32([]byte("IHDR"), w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	out := append([]byte("\x89PNG\r\n\x1a\n"), 0, 0, 0, 13)
	out = append(out, ihdr...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(ihdr))
}

// convert makes a variant with ImageMagick, which can write what Go's
// encoders cannot (CMYK JPEG).
func convert(t *testing.T, src, dst string, args ...string) string {
	t.Helper()
	_, err := exec.LookPath("convert")
	inferencetest.Need(t, err == nil, "ImageMagick's convert (apt-get install imagemagick)")
	out, err := exec.Command("convert", append(append([]string{src}, args...), dst)...).CombinedOutput()
	if err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
	return dst
}
