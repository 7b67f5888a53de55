package preprocess

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math/rand/v2"
	"testing"
)

// pngWithFilters encodes random w×h pixels of bpp bytes (1 grey, 2
// grey+alpha, 3 RGB, 4 RGBA) as an 8-bit PNG, cycling through the five row
// filters so every one is undone by the decoder under test. Go's encoder
// cannot write grey+alpha and picks its filters itself, hence our own.
func pngWithFilters(t testing.TB, w, h, bpp int, seed uint64) []byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	n := w * bpp
	prev := make([]byte, n)
	var raw bytes.Buffer
	for y := range h {
		cur := make([]byte, n)
		for i := range cur {
			// Smooth rows with noise, like a photo, between rows of pure
			// noise, which reach every branch of the Paeth predictor.
			cur[i] = byte(i*3 + y + rng.IntN(24))
			if y%2 == 1 {
				cur[i] = byte(rng.IntN(256))
			}
		}
		if bpp == 2 || bpp == 4 {
			for x := 0; x < w; x += 7 {
				cur[x*bpp+bpp-1] = []byte{0, 255}[x%2]
			}
		}
		typ := byte(y / 2 % 5)
		row := []byte{typ}
		for i := range cur {
			var a, b, c byte
			if i >= bpp {
				a, c = cur[i-bpp], prev[i-bpp]
			}
			b = prev[i]
			var pred byte
			switch typ {
			case 1:
				pred = a
			case 2:
				pred = b
			case 3:
				pred = byte((int(a) + int(b)) / 2)
			case 4:
				pred = paethRef(a, b, c)
			}
			row = append(row, cur[i]-pred)
		}
		raw.Write(row)
		prev = cur
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw.Bytes())
	zw.Close()

	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, map[int]byte{1: 0, 2: 4, 3: 2, 4: 6}[bpp], 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	idat := z.Bytes()
	out = appendChunk(out, "IHDR", ihdr)
	// Split the data over two chunks, as encoders do for large images.
	out = appendChunk(out, "IDAT", idat[:len(idat)/2])
	out = appendChunk(out, "IDAT", idat[len(idat)/2:])
	return appendChunk(out, "IEND", nil)
}

func appendChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(append(b, typ...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

// paethRef is the PNG specification's predictor, written as it is there.
func paethRef(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// reference decodes with image/png and converts to premultiplied RGBA.
func reference(t testing.TB, data []byte) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("image/png: %v", err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, image.Point{}, draw.Src)
	return rgba
}

// onBothPaths runs f with the filters undone on one thread and on two.
func onBothPaths(t *testing.T, f func(t *testing.T)) {
	defer func(saved int) { pngParallelBytes = saved }(pngParallelBytes)
	for _, path := range []struct {
		name      string
		threshold int
	}{{"one thread", 1 << 30}, {"two threads", 0}} {
		pngParallelBytes = path.threshold
		t.Run(path.name, f)
	}
}

// At full size the fast path must give image/png's pixels (within the one
// step of rounding in premultiplying), for every colour type and filter.
func TestPNGFastMatchesImagePNG(t *testing.T) { onBothPaths(t, matchesImagePNG) }

func matchesImagePNG(t *testing.T) {
	for bpp := 1; bpp <= 4; bpp++ {
		// 3000 pixels wide: rows longer than one chunk of the wavefront.
		for _, size := range [][2]int{{1, 1}, {2, 7}, {61, 33}, {3000, 9}} {
			data := pngWithFilters(t, size[0], size[1], bpp, uint64(bpp*100+size[0]))
			got, err := decodePNGFast(context.Background(), data, 0)
			if err != nil {
				t.Fatalf("bpp %d %v: %v", bpp, size, err)
			}
			want := reference(t, data)
			if got.Bounds() != want.Bounds() {
				t.Fatalf("bpp %d: bounds %v, want %v", bpp, got.Bounds(), want.Bounds())
			}
			for i := range got.Pix {
				if d := abs(int(got.Pix[i]) - int(want.Pix[i])); d > 1 {
					t.Fatalf("bpp %d %v: byte %d is %d, image/png gives %d", bpp, size, i, got.Pix[i], want.Pix[i])
				}
			}
		}
	}
}

// Shrinking averages each k×k block (the partial blocks at the right and
// bottom edges over the pixels they have), weighting colour by alpha.
func TestPNGFastShrinks(t *testing.T) { onBothPaths(t, shrinks) }

func shrinks(t *testing.T) {
	for bpp := 1; bpp <= 4; bpp++ {
		data := pngWithFilters(t, 103, 70, bpp, uint64(bpp))
		got, err := decodePNGFast(context.Background(), data, 10) // k = 70/(2×10) = 3
		if err != nil {
			t.Fatal(err)
		}
		full := reference(t, data)
		if got.Bounds().Dx() != 35 || got.Bounds().Dy() != 24 {
			t.Fatalf("bpp %d: shrunk to %v, want 35×24", bpp, got.Bounds())
		}
		for oy := range 24 {
			for ox := range 35 {
				var sum [4]int
				n := 0
				for y := oy * 3; y < min(oy*3+3, 70); y++ {
					for x := ox * 3; x < min(ox*3+3, 103); x++ {
						for c := range 4 {
							sum[c] += int(full.Pix[full.PixOffset(x, y)+c])
						}
						n++
					}
				}
				for c := range 4 {
					want := (sum[c] + n/2) / n
					if d := abs(int(got.Pix[got.PixOffset(ox, oy)+c]) - want); d > 1 {
						t.Fatalf("bpp %d: pixel (%d,%d) channel %d is %d, the block average is %d",
							bpp, ox, oy, c, got.Pix[got.PixOffset(ox, oy)+c], want)
					}
				}
			}
		}
	}
}

// What the fast path leaves to image/png, and what it refuses itself.
func TestPNGFastVariants(t *testing.T) { onBothPaths(t, variants) }

func variants(t *testing.T) {
	good := pngWithFilters(t, 16, 16, 3, 9)
	paletted := image.NewPaletted(image.Rect(0, 0, 4, 4), []color.Color{color.Black, color.White})
	var pal, deep bytes.Buffer
	png.Encode(&pal, paletted)
	png.Encode(&deep, image.NewRGBA64(image.Rect(0, 0, 4, 4)))

	// The same header, and a first row whose filter byte is 9.
	var raw bytes.Buffer
	zw := zlib.NewWriter(&raw)
	zw.Write(append([]byte{9}, make([]byte, 16*3)...))
	zw.Write(bytes.Repeat(append([]byte{0}, make([]byte, 16*3)...), 15))
	zw.Close()
	ihdr := good[16:29]
	badFilter := appendChunk(appendChunk(appendChunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr), "IDAT", raw.Bytes()), "IEND", nil)

	for name, tc := range map[string]struct {
		data []byte
		want error // nil: any error but errPNGOther
	}{
		"paletted": {pal.Bytes(), errPNGOther},
		"16-bit":   {deep.Bytes(), errPNGOther},
		"cut":      {good[:len(good)-20], io.ErrUnexpectedEOF},
		"no IEND":  {good[:len(good)-12], io.ErrUnexpectedEOF},
		"filter 9": {badFilter, nil},
	} {
		_, err := decodePNGFast(context.Background(), tc.data, 0)
		switch {
		case tc.want != nil && !errors.Is(err, tc.want):
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		case tc.want == nil && (err == nil || errors.Is(err, errPNGOther)):
			t.Errorf("%s: %v, want an error", name, err)
		}
	}
}
