package preprocess

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/image/bmp"

	"github.com/spotter-app/spotter/inference/helper"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/preprocess/heif/heiftest"
)

// fuzzMaxPixels keeps each fuzz iteration small; the real limit only
// changes how large a valid image may be, not which code runs.
const fuzzMaxPixels = 1 << 20

// FuzzDecodeAndFill feeds arbitrary bytes through decoding, orientation,
// crop, resize and normalisation. Nothing may panic, hang or allocate past
// the pixel limit; a failure must be an error with a message.
func FuzzDecodeAndFill(f *testing.F) {
	for _, seed := range append(seedImages(f), codecSeeds(f)...) {
		f.Add(seed, uint8(0))
		f.Add(seed, uint8(7)) // decoded at a reduced scale
	}
	in := model.Input{Name: "input", Layout: model.NCHW, Width: 32, Height: 24, Channels: "RGB",
		Mean: [3]float32{128, 128, 128}, Std: [3]float32{128, 128, 128}}
	crops := []model.Crop{{Mode: model.CropEachSide, Fraction: 0.875}, {Mode: model.CropSquare, Fraction: 1}}
	f.Fuzz(func(t *testing.T, data []byte, minSide uint8) {
		before := helper.Crashes()
		p, err := decode(context.Background(), bytes.NewReader(data), "fuzz.jpg", fuzzMaxPixels, int(minSide))
		inferencetest.KeepCrasher(t, before, data, minSide)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		b := p.Image.Bounds()
		if int64(b.Dx())*int64(b.Dy()) > fuzzMaxPixels {
			t.Fatalf("decoded %v, past the limit", b)
		}
		for _, crop := range crops {
			tensor := NewTensor(in, crop)
			dst := make([]float32, tensor.Len())
			if err := tensor.Fill(p, dst); err != nil {
				t.Fatal(err)
			}
			for i, v := range dst {
				if v != v || v < -1.01 || v > 1.01 {
					t.Fatalf("value %d is %v, outside the normalised range", i, v)
				}
			}
		}
		// A detector's letterbox of the same decode: raw values, padded.
		lb := NewLetterbox(model.Input{Name: "images", Layout: model.NCHW, Width: 32, Height: 32, Channels: "BGR", Std: [3]float32{1, 1, 1}},
			model.Letterbox{Pad: 114})
		boxed := make([]float32, lb.Len())
		fit, err := lb.Fill(p, boxed)
		if err != nil {
			t.Fatal(err)
		}
		if fit.Width < 1 || fit.Width > 32 || fit.Height < 1 || fit.Height > 32 {
			t.Fatalf("the photo lands on %d×%d of a 32×32 input", fit.Width, fit.Height)
		}
		for i, v := range boxed {
			if v != v || v < 0 || v > 255 {
				t.Fatalf("letterbox value %d is %v, outside 0…255", i, v)
			}
		}
		if prev := Preview(p, 16); prev.Bounds().Dx() > 16 && prev.Bounds().Dy() > 16 {
			t.Fatalf("preview %v larger than asked", prev.Bounds())
		}
	})
}

// seedImages are small valid files of every decoded format plus the
// damaged shapes people drop, so the fuzzer starts inside each decoder.
func seedImages(tb testing.TB) [][]byte {
	img := image.NewNRGBA(image.Rect(0, 0, 9, 7))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 37)
	}
	var seeds [][]byte
	add := func(enc func(*bytes.Buffer) error) {
		var buf bytes.Buffer
		if err := enc(&buf); err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, buf.Bytes())
	}
	add(func(b *bytes.Buffer) error { return png.Encode(b, img) })
	add(func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) })
	add(func(b *bytes.Buffer) error { return gif.Encode(b, img, nil) })
	add(func(b *bytes.Buffer) error { return bmp.Encode(b, img) })
	add(func(b *bytes.Buffer) error {
		gray := image.NewGray16(image.Rect(0, 0, 5, 5))
		gray.SetGray16(2, 2, color.Gray16{Y: 0xffff})
		return png.Encode(b, gray)
	})
	jpg := seeds[1]
	exif := []byte("\xff\xe1\x00\x22Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00")
	seeds = append(seeds,
		append(append(append([]byte{}, jpg[:2]...), exif...), jpg[2:]...), // rotated JPEG
		jpg[:len(jpg)/2],                   // truncated JPEG
		seeds[0][:len(seeds[0])-20],        // truncated PNG
		[]byte("%PDF-1.4\n"),               // PDF
		[]byte("hello, world\n"),           // text
		[]byte("\x00\x00\x00\x18ftypheic"), // HEIC
		[]byte{},
	)
	return seeds
}

// codecSeeds are small HEIC, AVIF and JPEG XL files, so the fuzzer starts
// inside libheif, libjxl and their codecs, the C code most exposed to
// hostile files. Without heif-enc, avifenc and cjxl they are left out,
// except under CI where they are required.
func codecSeeds(f *testing.F) [][]byte {
	for _, tool := range []string{"heif-enc", "avifenc", "cjxl"} {
		if _, err := exec.LookPath(tool); err != nil && os.Getenv("CI") != "true" {
			f.Logf("%s is missing: fuzzing without HEIF and JPEG XL seeds", tool)
			return nil
		}
	}
	dir := f.TempDir()
	write := func(name string, img image.Image) string {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			f.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			f.Fatal(err)
		}
		return p
	}
	small := image.NewNRGBA(image.Rect(0, 0, 128, 128)) // avifenc grid cells are 64×64 at least
	deep := image.NewRGBA64(small.Bounds())
	for i := range small.Pix {
		small.Pix[i] = byte(i * 37)
		deep.Pix[2*i], deep.Pix[2*i+1] = byte(i*37), byte(i*11)
		if i%4 == 3 {
			deep.Pix[2*i], deep.Pix[2*i+1] = 0xff, 0xff
		}
	}
	opaque, alpha, wide := write("opaque.png", image.NewRGBA(small.Bounds())), write("alpha.png", small), write("deep.png", deep)
	files := []string{
		heiftest.HEIC(f, opaque, dir, "8.heic"),
		heiftest.HEIC(f, alpha, dir, "alpha.heic"),
		heiftest.HEIC(f, wide, dir, "10.heic", "-b", "10"),
		heiftest.AVIF(f, alpha, dir, "alpha.avif"),
		heiftest.AVIF(f, wide, dir, "irot.avif", "-d", "10", "--irot", "1", "--imir", "0"),
		heiftest.AVIF(f, opaque, dir, "grid.avif", "-g", "2x2"),
		heiftest.JXL(f, opaque, dir, "lossless.jxl", "-d", "0"),
		heiftest.JXL(f, alpha, dir, "alpha.jxl", "-d", "2"),
	}
	var seeds [][]byte
	for _, p := range files {
		data := heiftest.Read(f, p)
		seeds = append(seeds, data, data[:len(data)*2/3])
	}
	return seeds
}
