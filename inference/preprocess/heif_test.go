package preprocess_test

import (
	"context"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/preprocess"
	"github.com/spotter-app/spotter/inference/preprocess/heif/heiftest"
)

// picture is an upright photo shrunk to fit 48 pixels, so two decodes of
// one picture compare regardless of codec noise and decoded size.
func picture(p preprocess.Photo) *image.RGBA { return preprocess.Preview(p, 48) }

// pictureDiff is the mean absolute difference of two thumbnails over the
// colour channels, in levels of 255, and fails when they differ in shape.
func pictureDiff(t testing.TB, a, b *image.RGBA) float64 {
	t.Helper()
	if a.Bounds() != b.Bounds() {
		t.Fatalf("pictures of different shapes: %v and %v", a.Bounds(), b.Bounds())
	}
	var sum float64
	n := 0
	for i := range a.Pix {
		if i%4 == 3 {
			continue
		}
		sum += math.Abs(float64(a.Pix[i]) - float64(b.Pix[i]))
		n++
	}
	return sum / float64(n)
}

func load(t testing.TB, path string, minSide int) preprocess.Photo {
	t.Helper()
	p, err := preprocess.LoadAtLeast(context.Background(), path, minSide)
	if err != nil {
		t.Fatalf("LoadAtLeast(%s): %v", filepath.Base(path), err)
	}
	return p
}

// TestLoadHEIFAndJXLSamePictureAsJPEG: every kind of HEIC and AVIF a phone
// or an encoder writes decodes to the picture of the JPEG it was made from,
// turned exactly once by irot, never by the EXIF orientation inside it;
// JPEG XL likewise, turned by the orientation in its header.
func TestLoadHEIFAndJXLSamePictureAsJPEG(t *testing.T) {
	src := inferencetest.Photo(t, "dog.jpg") // 768×576
	kite := inferencetest.Photo(t, "kite.jpg")
	dir := t.TempDir()
	// The JPEG with EXIF orientation 6 (turn 90° clockwise): heif-enc
	// copies that EXIF block into the HEIC unchanged.
	exif6 := filepath.Join(dir, "exif6.jpg")
	if err := os.WriteFile(exif6, heiftest.Read(t, src), 0o644); err != nil {
		t.Fatal(err)
	}
	heiftest.Run(t, heiftest.Tool(t, "exiftool", "libimage-exiftool-perl"), "-q", "-overwrite_original", "-Orientation#=6", exif6)
	alphaPNG := heiftest.Convert(t, src, dir, "alpha.png", "-alpha", "set", "-channel", "A", "-fx", "0.25+0.5*i/w")
	rewrite := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	tests := []struct {
		name    string
		make    func() string
		format  string
		minSide int
		// like is the file whose Spotter decode this one must match,
		// turned by turn.
		like string
		turn preprocess.Orientation
		bits int // of the coded image, when it matters
	}{
		{"HEIC 8-bit", func() string { return heiftest.HEIC(t, src, dir, "8.heic", "-q", "90") }, "heif", 0, src, preprocess.Upright, 0},
		// 1352×900: shrunk by 2 as the JPEG is by its DCT scaling.
		{"HEIC shrunk for the crop", func() string { return heiftest.HEIC(t, kite, dir, "kite.heic", "-q", "90") }, "heif", 200, kite, preprocess.Upright, 0},
		{"HEIC 10-bit", func() string {
			return heiftest.HEIC(t, heiftest.PNG16(t, src, dir), dir, "10.heic", "-q", "90", "-b", "10")
		}, "heif", 0, src, preprocess.Upright, 10},
		{"HEIC with alpha", func() string { return heiftest.HEIC(t, alphaPNG, dir, "alpha.heic", "-q", "90") }, "heif", 0, alphaPNG, preprocess.Upright, 0},
		{"HEIC irot 90° anticlockwise", func() string {
			return rewrite("irot1.heic", heiftest.Rotate(t, heiftest.Read(t, heiftest.HEIC(t, src, dir, "plain.heic", "-q", "90")), 1))
		}, "heif", 0, src, preprocess.Rotate90CCW, 0},
		{"HEIC EXIF 6 without irot is not turned", func() string { return heiftest.HEIC(t, exif6, dir, "exif6.heic", "-q", "90") }, "heif", 0, src, preprocess.Upright, 0},
		{"HEIC irot 270° and EXIF 6, as a phone writes, turned once", func() string {
			return rewrite("phone.heic", heiftest.Rotate(t, heiftest.Read(t, heiftest.HEIC(t, exif6, dir, "exif6b.heic", "-q", "90")), 3))
		}, "heif", 0, src, preprocess.Rotate90CW, 0},
		// 3×3 tiles, the last row cropped: 768×768 of tiles for 768×576.
		{"HEIC grid of 256-pixel tiles", func() string { return rewrite("grid.heic", heiftest.Grid(t, src, t.TempDir(), 256)) }, "heif", 0, src, preprocess.Upright, 0},
		{"AVIF 8-bit", func() string { return heiftest.AVIF(t, src, dir, "8.avif") }, "avif", 0, src, preprocess.Upright, 0},
		{"AVIF 10-bit", func() string { return heiftest.AVIF(t, src, dir, "10.avif", "-d", "10") }, "avif", 0, src, preprocess.Upright, 10},
		{"AVIF 12-bit", func() string { return heiftest.AVIF(t, src, dir, "12.avif", "-d", "12") }, "avif", 0, src, preprocess.Upright, 12},
		{"AVIF with alpha", func() string { return heiftest.AVIF(t, alphaPNG, dir, "alpha.avif") }, "avif", 0, alphaPNG, preprocess.Upright, 0},
		{"AVIF irot 90° and EXIF 6, turned once", func() string { return heiftest.AVIF(t, exif6, dir, "irot.avif", "--irot", "1") }, "avif", 0, src, preprocess.Rotate90CCW, 0},
		{"AVIF 2×2 grid", func() string { return heiftest.AVIF(t, src, dir, "grid.avif", "-g", "2x2") }, "avif", 0, src, preprocess.Upright, 0},
		{"JPEG XL from a JPEG", func() string { return heiftest.JXL(t, src, dir, "dog.jxl") }, "jxl", 0, src, preprocess.Upright, 0},
		{"JPEG XL shrunk for the crop", func() string { return heiftest.JXL(t, kite, dir, "kite.jxl") }, "jxl", 200, kite, preprocess.Upright, 0},
		{"JPEG XL from a JPEG with EXIF 6, turned once", func() string { return heiftest.JXL(t, exif6, dir, "exif6.jxl") }, "jxl", 0, src, preprocess.Rotate90CW, 0},
		{"JPEG XL lossy with alpha", func() string { return heiftest.JXL(t, alphaPNG, dir, "alpha.jxl", "-d", "1") }, "jxl", 0, alphaPNG, preprocess.Upright, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.make()
			if tc.bits != 0 {
				if bits := heiftest.Bits(t, path); bits != tc.bits {
					t.Fatalf("the encoder wrote %d bits, not %d", bits, tc.bits)
				}
			}
			p := load(t, path, tc.minSide)
			if p.Format != tc.format || p.Orientation != preprocess.Upright {
				t.Errorf("Format %q, Orientation %d; want %q, upright (libheif turns the pixels)", p.Format, p.Orientation, tc.format)
			}
			want := load(t, tc.like, tc.minSide)
			want.Orientation = tc.turn
			wb, b := want.Image.Bounds(), p.Image.Bounds()
			if tc.turn.SwapsAxes() {
				wb = image.Rect(0, 0, wb.Dy(), wb.Dx())
			}
			if tc.minSide == 0 && b.Size() != wb.Size() {
				t.Fatalf("decoded %v, want %v", b.Size(), wb.Size())
			}
			// Shrunk by a whole factor to at least twice what the crop needs.
			if s := min(b.Dx(), b.Dy()); tc.minSide > 0 && (s < 2*tc.minSide || s >= 4*tc.minSide) {
				t.Fatalf("decoded %v for a crop that needs %d pixels", b.Size(), tc.minSide)
			}
			got, like := picture(p), picture(want)
			d := pictureDiff(t, got, like)
			t.Logf("%v, mean difference %.2f levels", b.Size(), d)
			if d > 2 {
				t.Errorf("mean difference from the original %.2f levels, want at most 2: not the same picture", d)
			}
			// What the model sees: transparency laid on grey as for the
			// PNG, the crop taken from the upright picture.
			desc := quant(t)
			if td := meanDiff(fill(t, desc.Input, desc.Crop, p), fill(t, desc.Input, desc.Crop, want)) * 255 / 2; td > 2 {
				t.Errorf("model input differs by %.2f levels on average from the original's, want at most 2", td)
			}
			if tc.like == alphaPNG && minAlpha(picture(p)) > 200 {
				t.Errorf("the transparency was lost")
			}
		})
	}
}

func meanDiff(a, b []float32) float64 {
	var sum float64
	for i := range a {
		sum += math.Abs(float64(a[i] - b[i]))
	}
	return sum / float64(len(a))
}

func minAlpha(img *image.RGBA) uint8 {
	m := uint8(255)
	for i := 3; i < len(img.Pix); i += 4 {
		m = min(m, img.Pix[i])
	}
	return m
}

// TestLoadHEIFAndJXLErrors: damaged and odd HEIF and JPEG XL files get a
// message that names the file, says what is wrong and what to do; none
// crashes or allocates what its header claims.
func TestLoadHEIFAndJXLErrors(t *testing.T) {
	src := inferencetest.Photo(t, "dog.jpg")
	dir := t.TempDir()
	heic := heiftest.Read(t, heiftest.HEIC(t, src, dir, "dog.heic"))
	avif := heiftest.Read(t, heiftest.AVIF(t, src, dir, "dog.avif"))
	withAlpha := heiftest.Read(t, heiftest.HEIC(t, heiftest.Convert(t, src, dir, "alpha.png", "-alpha", "set", "-channel", "A", "-fx", "i/w"), dir, "alpha.heic"))
	jxl := heiftest.Read(t, heiftest.JXL(t, src, dir, "dog.jxl"))
	damagedJXL := append([]byte(nil), jxl...)
	for i := 200; i < len(damagedJXL); i += 97 {
		damagedJXL[i] ^= 0x5a
	}
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"half.heic", heic[:len(heic)/2], []string{"half.heic is cut off"}},
		{"nearly all.heic", heic[:len(heic)-100], []string{"is cut off"}},
		{"header cut.heic", heic[:300], []string{"is cut off"}},
		{"half.avif", avif[:len(avif)/2], []string{"half.avif is cut off"}},
		{"no pitm.heic", heiftest.NoPrimary(t, heic), []string{"a HEIC photo", "main picture is missing"}},
		{"pitm to nothing.avif", heiftest.PrimaryMissing(t, avif), []string{"an AVIF image", "main picture is missing"}},
		{"depth.heic", heiftest.DepthOnly(t, withAlpha), []string{"depth.heic holds only a depth map", "Drop the photo"}},
		{"huge.heic", heiftest.ClaimSize(t, heic, 20000, 10000), []string{"huge.heic is 20000×10000 pixels (200 megapixels)", "up to 100 megapixels"}},
		{"half.jxl", jxl[:len(jxl)/2], []string{"half.jxl is cut off"}},
		{"header only.jxl", jxl[:20], []string{"is cut off"}},
		{"damaged.jxl", damagedJXL, []string{"damaged.jxl is a JPEG XL image", "damaged"}},
		{"noise.heic", append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), randomBytes(512)...), []string{"noise.heic is a HEIC photo", "damaged"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := inferencetest.StatusMB(t, "VmHWM:")
			p, err := loadBytes(t, tc.name, tc.data)
			if err == nil {
				t.Fatalf("decoded %v", p.Image.Bounds())
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q does not say %q", err, w)
				}
			}
			// 200 megapixels would take 800 MB.
			if grew := inferencetest.StatusMB(t, "VmHWM:") - before; grew > 100 {
				t.Errorf("peak memory grew by %.0f MB", grew)
			}
		})
	}
}
