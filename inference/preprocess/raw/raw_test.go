package raw_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"golang.org/x/image/draw"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/preprocess/raw"
	"github.com/spotter-app/spotter/inference/preprocess/raw/rawtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const dogPath = "/work/shared/photos/dog.jpg"

func makeDNG(t testing.TB, src image.Image, opts rawtest.DNGOptions) []byte {
	t.Helper()
	data, err := rawtest.DNG(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// meanDiff is the mean absolute difference of the two pictures' colour
// channels (0–255) after both are shrunk to 16×16, which leaves what a
// classifier sees of the scene and drops demosaic and JPEG detail.
func meanDiff(a, b image.Image) float64 {
	small := func(img image.Image) *image.RGBA {
		s := image.NewRGBA(image.Rect(0, 0, 16, 16))
		draw.ApproxBiLinear.Scale(s, s.Bounds(), img, img.Bounds(), draw.Src, nil)
		return s
	}
	sa, sb := small(a), small(b)
	var sum float64
	for i := range sa.Pix {
		if i%4 == 3 {
			continue
		}
		d := float64(sa.Pix[i]) - float64(sb.Pix[i])
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return sum / (16 * 16 * 3)
}

func TestDecodeDemosaic(t *testing.T) {
	dog := inferencetest.DecodeJPEG(t, dogPath)
	data := makeDNG(t, dog, rawtest.DNGOptions{})
	img, orientation, err := raw.Decode(context.Background(), data, 224)
	if err != nil {
		t.Fatal(err)
	}
	if orientation != 1 {
		t.Errorf("orientation %d, want 1 for a DNG without the tag", orientation)
	}
	// Half size: each RGGB quad becomes one pixel.
	if got, want := img.Bounds().Size(), image.Pt(768/2, 576/2); got != want {
		t.Errorf("size %v, want %v", got, want)
	}
	d := meanDiff(img, dog)
	t.Logf("mean difference from the photo: %.1f of 255", d)
	if d > 8 {
		t.Errorf("the demosaiced picture differs from the photo by %.1f of 255 on average; want at most 8", d)
	}
}

// previewDNG is the dog photo as a 1024×768 sensor (a 512×384 half-size
// demosaic) with a 640×480 preview, so the size says which path was taken.
func previewDNG(t testing.TB, orientation int) (image.Image, []byte) {
	dog := inferencetest.DecodeJPEG(t, dogPath)
	return dog, makeDNG(t, dog, rawtest.DNGOptions{
		Width: 1024, Height: 768, PreviewWidth: 640, PreviewHeight: 480, Orientation: orientation,
	})
}

func TestDecodePreviewOrDemosaic(t *testing.T) {
	dog, data := previewDNG(t, 0)
	for _, tc := range []struct {
		minSide int
		want    image.Point
	}{
		{224, image.Pt(640, 480)}, // the preview is enough
		{480, image.Pt(640, 480)},
		{481, image.Pt(512, 384)}, // it is not: the sensor data decides
		{2000, image.Pt(512, 384)},
	} {
		img, _, err := raw.Decode(context.Background(), data, tc.minSide)
		if err != nil {
			t.Fatalf("minSide %d: %v", tc.minSide, err)
		}
		if got := img.Bounds().Size(); got != tc.want {
			t.Errorf("minSide %d: size %v, want %v", tc.minSide, got, tc.want)
		}
		if d := meanDiff(img, dog); d > 8 {
			t.Errorf("minSide %d: the picture differs from the photo by %.1f of 255 on average; want at most 8", tc.minSide, d)
		}
	}
}

func TestDecodeOrientation(t *testing.T) {
	for _, o := range []int{1, 3, 6, 8} {
		_, data := previewDNG(t, o)
		for _, minSide := range []int{224, 1000} {
			img, got, err := raw.Decode(context.Background(), data, minSide)
			if err != nil {
				t.Fatal(err)
			}
			if got != o {
				t.Errorf("Orientation tag %d, minSide %d: orientation %d", o, minSide, got)
			}
			// The caller turns the picture: it comes as stored.
			if b := img.Bounds(); b.Dx() < b.Dy() {
				t.Errorf("Orientation tag %d, minSide %d: picture %v is already turned", o, minSide, b.Size())
			}
		}
	}
}

func TestDecodeWith(t *testing.T) {
	dog, data := previewDNG(t, 0)
	var calls []int
	decodeJPEG := func(b []byte, minSide int) (image.Image, error) {
		calls = append(calls, minSide)
		return jpeg.Decode(bytes.NewReader(b))
	}
	img, _, err := raw.DecodeWith(context.Background(), data, 300, decodeJPEG)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0] != 300 || img.Bounds().Size() != image.Pt(640, 480) {
		t.Errorf("preview: decoder called with %v, picture %v; want [300] and the 640×480 preview", calls, img.Bounds().Size())
	}
	if d := meanDiff(img, dog); d > 8 {
		t.Errorf("preview differs from the photo by %.1f", d)
	}

	calls = nil
	img, _, err = raw.DecodeWith(context.Background(), data, 481, decodeJPEG)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 0 || img.Bounds().Size() != image.Pt(512, 384) {
		t.Errorf("preview too small: decoder called with %v, picture %v; want no call and the 512×384 demosaic", calls, img.Bounds().Size())
	}

	// A preview its decoder refuses leaves the sensor data.
	img, _, err = raw.DecodeWith(context.Background(), data, 300, func([]byte, int) (image.Image, error) {
		return nil, errors.New("damaged")
	})
	if err != nil || img.Bounds().Size() != image.Pt(512, 384) {
		t.Errorf("preview refused: got %v, %v; want the 512×384 demosaic", img, err)
	}
}

// setTag overwrites the first LONG value of tag in the IFD at off of a
// little-endian TIFF.
func setTag(t *testing.T, data []byte, off int, tag uint16, v uint32) {
	n := int(binary.LittleEndian.Uint16(data[off:]))
	for i := range n {
		e := data[off+2+12*i:]
		if binary.LittleEndian.Uint16(e) == tag {
			binary.LittleEndian.PutUint32(e[8:], v)
			return
		}
	}
	t.Fatalf("no tag %d", tag)
}

func TestDecodeTooBig(t *testing.T) {
	data := makeDNG(t, inferencetest.DecodeJPEG(t, dogPath), rawtest.DNGOptions{})
	// A 12000×9000 sensor in the header, which LibRaw must not unpack:
	// the data is not there.
	setTag(t, data, 8, 256, 12000)
	setTag(t, data, 8, 257, 9000)
	_, _, err := raw.Decode(context.Background(), data, 224)
	if err == nil || !strings.Contains(err.Error(), "12000×9000") || !strings.Contains(err.Error(), "up to 100 megapixels") {
		t.Errorf("got %v, want a refusal of the 108-megapixel sensor", err)
	}
	t.Log(err)
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

// TestDecodeConcurrently decodes both paths on four goroutines at once, as
// the pipeline does, and expects each picture to be the one decoded alone.
func TestDecodeConcurrently(t *testing.T) {
	_, data := previewDNG(t, 0)
	want := map[int]image.Image{}
	for _, minSide := range []int{224, 1000} {
		img, _, err := raw.Decode(context.Background(), data, minSide)
		if err != nil {
			t.Fatal(err)
		}
		want[minSide] = img
	}
	errs := make(chan error, 8)
	for i := range 8 {
		minSide := []int{224, 1000}[i%2]
		go func() {
			img, _, err := raw.Decode(context.Background(), data, minSide)
			if err == nil && !samePixels(img, want[minSide]) {
				err = fmt.Errorf("minSide %d: a different picture", minSide)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// DecodeFile reads the file where it is, and gives what Decode gives.
func TestDecodeFile(t *testing.T) {
	_, data := previewDNG(t, 6)
	path := filepath.Join(t.TempDir(), "dog.dng")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, minSide := range []int{224, 2000} {
		want, wantO, err := raw.Decode(context.Background(), data, minSide)
		if err != nil {
			t.Fatal(err)
		}
		got, gotO, err := raw.DecodeFile(context.Background(), f, minSide, func(b []byte, _ int) (image.Image, error) {
			return jpeg.Decode(bytes.NewReader(b))
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.Bounds() != want.Bounds() || gotO != wantO || meanDiff(got, want) > 0 {
			t.Errorf("minSide %d: DecodeFile gave %v turned %d, Decode %v turned %d (mean difference %.2f)",
				minSide, got.Bounds(), gotO, want.Bounds(), wantO, meanDiff(got, want))
		}
	}
}

// notRAW are files a RAW decoder meets under RAW names: none is one.
func notRAW(t *testing.T) map[string][]byte {
	jpg, err := os.ReadFile(dogPath)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 1<<16)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	files := map[string][]byte{
		"a JPEG":             jpg,
		"a text file":        []byte("These are not the pixels you are looking for.\n"),
		"random bytes":       random,
		"a TIFF header only": {'I', 'I', 42, 0, 8, 0, 0, 0},
	}
	// A plain TIFF, written by ImageMagick as other programs write them.
	convert, err := exec.LookPath("convert")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ImageMagick's convert is missing (apt-get install imagemagick)")
		}
		t.Log("skipping the plain TIFF: ImageMagick's convert is missing")
		return files
	}
	for _, compress := range []string{"None", "LZW"} {
		path := filepath.Join(t.TempDir(), "plain.tif")
		if out, err := exec.Command(convert, dogPath, "-compress", compress, path).CombinedOutput(); err != nil {
			t.Fatalf("convert: %v\n%s", err, out)
		}
		tif, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files["a plain TIFF ("+compress+")"] = tif
	}
	return files
}

func TestNotRAW(t *testing.T) {
	for name, data := range notRAW(t) {
		img, _, err := raw.Decode(context.Background(), data, 224)
		if err == nil {
			t.Errorf("Decode(%s) gave a %v picture, want an error", name, img.Bounds().Size())
			continue
		}
		if !raw.NotRAW(err) {
			t.Errorf("Decode(%s): %q is not taken as LibRaw's \"not a RAW\"", name, err)
		}
		t.Logf("%s: %v", name, err)
		if !saysWhatToDo(err) {
			t.Errorf("Decode(%s): %q does not say what to do", name, err)
		}
	}
}

// saysWhatToDo is whether a message ends with advice.
func saysWhatToDo(err error) bool {
	msg := err.Error()
	for _, advice := range []string{"xport it as JPEG", "export a JPEG", "try again", "Rename it"} {
		if strings.Contains(msg, advice) {
			return true
		}
	}
	return false
}

func TestDecodeCutOff(t *testing.T) {
	_, data := previewDNG(t, 0)
	// Into the sensor data, into the preview, and into the header.
	for _, n := range []int{len(data) - 1000, len(data) / 2, len(data) / 100, 300, 100} {
		img, _, err := raw.Decode(context.Background(), data[:n], 2000)
		if err == nil {
			t.Errorf("%d of %d bytes: got a %v picture, want an error", n, len(data), img.Bounds().Size())
			continue
		}
		t.Logf("%d bytes: %v", n, err)
		if !saysWhatToDo(err) {
			t.Errorf("%d of %d bytes: %q does not say what to do", n, len(data), err)
		}
	}
	_, _, err := raw.Decode(context.Background(), data[:len(data)-1000], 2000)
	if err == nil || !strings.HasPrefix(err.Error(), "is cut off") {
		t.Errorf("cut off in the sensor data: got %v, want \"is cut off…\"", err)
	}
	if raw.NotRAW(err) {
		t.Error("a cut-off DNG is taken as no RAW at all, so it would be tried as a TIFF")
	}
}

// fuzzInput is the data of a crasher the fuzz test saved under testdata.
func fuzzInput(t *testing.T, name string) []byte {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("testdata/fuzz/FuzzDecode", name))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(text), "\n")
	literal, ok := strings.CutPrefix(lines[1], "[]byte(")
	if !ok {
		t.Fatalf("%s: no []byte on its second line", name)
	}
	data, err := strconv.Unquote(strings.TrimSuffix(literal, ")"))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(data)
}

// A TIFF on which LibRaw 0.20.2 writes over its own memory and crashes:
// the crash is the helper's, the caller gets a message, and the next photo
// is read by a new helper.
func TestLibRawCrashIsReported(t *testing.T) {
	crasher := fuzzInput(t, "7fe66dc1191ff074")
	_, good := previewDNG(t, 0)
	for round := range 3 {
		_, _, err := raw.Decode(context.Background(), crasher, 224)
		if err == nil || !strings.Contains(err.Error(), "crash") || !saysWhatToDo(err) {
			t.Fatalf("round %d: got %v, want a message that LibRaw crashed and what to do", round, err)
		}
		if !raw.NotRAW(err) {
			t.Errorf("round %d: a crash is not taken as a file LibRaw does not know, so a TIFF is not tried as a TIFF", round)
		}
		if _, _, err := raw.Decode(context.Background(), good, 224); err != nil {
			t.Fatalf("round %d: the next photo: %v", round, err)
		}
	}
}

// Cancelling stops LibRaw in the middle of a demosaic (by killing its
// helper), and the next photo is read as usual.
func TestDecodeCancelledMidway(t *testing.T) {
	dog := inferencetest.DecodeJPEG(t, dogPath)
	data := makeDNG(t, dog, rawtest.DNGOptions{Width: 6000, Height: 4000})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	img, _, err := raw.Decode(ctx, data, 2000)
	if err == nil {
		t.Fatalf("a 24-megapixel demosaic finished in %v, before the cancel; want it cancelled", time.Since(start))
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: got %v (%v), want context.Canceled", err, img)
	}
	t.Logf("cancelled after %v", time.Since(start))
	if _, _, err := raw.Decode(context.Background(), data[:len(data)/8], 224); err == nil {
		t.Error("an eighth of a DNG decoded")
	}
	_, good := previewDNG(t, 0)
	if _, _, err := raw.Decode(context.Background(), good, 224); err != nil {
		t.Fatalf("after a cancel: %v", err)
	}
}

func TestDecodeCancelled(t *testing.T) {
	_, data := previewDNG(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := raw.Decode(ctx, data, 2000); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
}

// TestDecodeFreesLibRaw decodes both ways, and fails on a cut-off file,
// many times: LibRaw's memory is C memory, which Go's collector does not
// see, so a missed free shows only as growth of the helper process; a
// helper started for each request would show as growth too.
func TestDecodeFreesLibRaw(t *testing.T) {
	if testing.Short() {
		t.Skip("a soak")
	}
	_, data := previewDNG(t, 0)
	round := func(n int) {
		for range n {
			for _, minSide := range []int{224, 2000} {
				if _, _, err := raw.Decode(context.Background(), data, minSide); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := raw.Decode(context.Background(), data[:len(data)/2], 2000); err == nil {
				t.Fatal("a cut-off file decoded")
			}
		}
		runtime.GC()
	}
	round(20) // the allocators reach their working size
	before := inferencetest.ResidentMB(t, raw.HelperPIDs()...)
	round(100)
	grown := inferencetest.ResidentMB(t, raw.HelperPIDs()...) - before
	t.Logf("RSS grew by %.1f MB over 100 rounds", grown)
	// A lost LibRaw object (750 kB) or demosaiced picture (590 kB) on any
	// of a round's paths would add at least 59 MB.
	if grown > 20 {
		t.Errorf("RSS grew by %.1f MB over 100 rounds of decoding; LibRaw's memory is not freed", grown)
	}
}
