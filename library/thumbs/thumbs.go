// Package thumbs reads and writes the freedesktop.org thumbnail cache
// (the Thumbnail Managing Standard): $XDG_CACHE_HOME/thumbnails/normal for
// 128-pixel and large for 256-pixel thumbnails, each a PNG named by the MD5 of
// the photo's file:// URI and carrying Thumb::URI and Thumb::MTime text chunks.
// File managers make these; Spotter reuses theirs and writes ones they can
// reuse. Nothing depends on the cache for correctness: any failure just means
// no thumbnail.
package thumbs

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/image/draw"
)

// Size is a thumbnail size the standard names.
type Size int

// The sizes in the standard's folders: at most 128 and 256 pixels on the long
// side.
const (
	Normal Size = 128
	Large  Size = 256
)

func (s Size) dir() string {
	if s == Large {
		return "large"
	}
	return "normal"
}

// URI is the file:// URI of an absolute path, escaped exactly as GLib's
// g_filename_to_uri does: the thumbnail's name is the MD5 of these bytes, so
// one differently escaped character and GNOME's thumbnail is not found.
func URI(path string) string {
	const hexDigits = "0123456789ABCDEF"
	b := []byte("file://")
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || bytes.IndexByte([]byte("/-_.!~*'()&=:@+$,"), c) >= 0 {
			b = append(b, c)
		} else {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return string(b)
}

// Path is where the thumbnail of the photo at path (made absolute) lives.
func Path(path string, size Size) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	sum := md5.Sum([]byte(URI(abs)))
	return filepath.Join(dir, size.dir(), hex.EncodeToString(sum[:])+".png"), nil
}

// Read returns the cached thumbnail of the photo at path if there is one for
// exactly this photo: its Thumb::URI names path and its Thumb::MTime is the
// photo's modification time mtime (whole seconds), so a thumbnail of an older
// version of the photo is ignored.
func Read(path string, mtime time.Time, size Size) (image.Image, bool) {
	thumb, err := Path(path, size)
	if err != nil {
		return nil, false
	}
	data, err := os.ReadFile(thumb)
	if err != nil {
		return nil, false
	}
	text, err := textChunks(data)
	if err != nil {
		return nil, false
	}
	abs, _ := filepath.Abs(path)
	if text["Thumb::URI"] != URI(abs) || text["Thumb::MTime"] != strconv.FormatInt(mtime.Unix(), 10) {
		return nil, false
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, false
	}
	return img, true
}

// Write stores img, scaled down to fit size when larger, as the thumbnail of
// the photo at path whose modification time is mtime. The file appears whole
// or not at all (written beside it, then renamed), readable only by its
// owner, in folders only the owner may enter, as the standard asks.
func Write(path string, mtime time.Time, img image.Image, size Size) error {
	thumb, err := Path(path, size)
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(path)
	var buf bytes.Buffer
	if err := png.Encode(&buf, fit(img, int(size))); err != nil {
		return err
	}
	data, err := withText(buf.Bytes(), [][2]string{
		{"Thumb::URI", URI(abs)},
		{"Thumb::MTime", strconv.FormatInt(mtime.Unix(), 10)},
		{"Software", "Spotter"},
	})
	if err != nil {
		return err
	}
	dir := filepath.Dir(thumb)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".spotter-*.png")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), thumb)
}

// fit scales img down so its long side is at most max pixels.
func fit(img image.Image, max int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= max && h <= max {
		return img
	}
	if w >= h {
		w, h = max, (h*max+w/2)/w
	} else {
		w, h = (w*max+h/2)/h, max
	}
	dst := image.NewNRGBA(image.Rect(0, 0, max1(w), max1(h)))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

var errNotPNG = errors.New("not a PNG file")

// withText puts tEXt chunks right after IHDR, where readers that stop at the
// image data still see them. Go's encoder writes no text chunks of its own.
func withText(data []byte, pairs [][2]string) ([]byte, error) {
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	if len(data) < ihdrEnd || !bytes.Equal(data[:8], pngSignature) || string(data[12:16]) != "IHDR" {
		return nil, errNotPNG
	}
	out := append([]byte(nil), data[:ihdrEnd]...)
	for _, kv := range pairs {
		body := append(append([]byte(kv[0]), 0), kv[1]...)
		out = binary.BigEndian.AppendUint32(out, uint32(len(body)))
		start := len(out)
		out = append(out, "tEXt"...)
		out = append(out, body...)
		out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
	}
	return append(out, data[ihdrEnd:]...), nil
}

// textChunks reads a PNG's tEXt chunks, checking each one's CRC. Writers put
// them before or after the image data, so it reads on to IEND.
func textChunks(data []byte) (map[string]string, error) {
	if len(data) < 8 || !bytes.Equal(data[:8], pngSignature) {
		return nil, errNotPNG
	}
	text := map[string]string{}
	for p := 8; ; {
		if len(data)-p < 12 {
			return nil, io.ErrUnexpectedEOF
		}
		n := int(binary.BigEndian.Uint32(data[p:]))
		if n < 0 || n > len(data)-p-12 {
			return nil, io.ErrUnexpectedEOF
		}
		switch kind := string(data[p+4 : p+8]); kind {
		case "IEND":
			return text, nil
		case "tEXt":
			if crc32.ChecksumIEEE(data[p+4:p+8+n]) != binary.BigEndian.Uint32(data[p+8+n:]) {
				return nil, fmt.Errorf("PNG chunk %s is damaged", kind)
			}
			if k, v, ok := bytes.Cut(data[p+8:p+8+n], []byte{0}); ok {
				text[string(k)] = string(v)
			}
		}
		p += 12 + n
	}
}
