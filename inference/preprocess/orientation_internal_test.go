package preprocess

import (
	"encoding/binary"
	"testing"
)

// exifHead is an SOI marker, an APP1 EXIF segment with orientation o in the
// given byte order, and the start of a DQT segment.
func exifHead(order string, o uint16) []byte {
	var bo binary.ByteOrder = binary.LittleEndian
	if order == "MM" {
		bo = binary.BigEndian
	}
	tiff := make([]byte, 26)
	copy(tiff, order)
	bo.PutUint16(tiff[2:], 42)
	bo.PutUint32(tiff[4:], 8)
	bo.PutUint16(tiff[8:], 1)
	bo.PutUint16(tiff[10:], exifTagOrient)
	bo.PutUint16(tiff[12:], 3)
	bo.PutUint32(tiff[14:], 1)
	bo.PutUint16(tiff[18:], o)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	b := []byte{0xFF, 0xD8, 0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(b[4:], uint16(len(seg)+2))
	b = append(b, seg...)
	return append(b, 0xFF, 0xDB, 0x00, 0x43, 0x00)
}

func TestJPEGOrientation(t *testing.T) {
	for _, order := range []string{"II", "MM"} {
		for o := uint16(1); o <= 8; o++ {
			if got := jpegOrientation(exifHead(order, o)); got != Orientation(o) {
				t.Errorf("%s orientation %d read as %d", order, o, got)
			}
		}
	}
	for _, b := range [][]byte{nil, {0xFF}, {0xFF, 0xD8}, []byte("not a jpeg at all"), {0x89, 'P', 'N', 'G'}} {
		if got := jpegOrientation(b); got != Upright {
			t.Errorf("jpegOrientation(%q) = %d, want Upright", b, got)
		}
	}
}

// TestJPEGOrientationStopsAtScan: an APP1 after the start of scan is image
// data, not a header.
func TestJPEGOrientationStopsAtScan(t *testing.T) {
	full := exifHead("II", 6)
	b := append([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02}, full[2:]...)
	if got := jpegOrientation(b); got != Upright {
		t.Errorf("orientation after SOS read as %d, want Upright", got)
	}
}

// TestJPEGOrientationEveryPrefix: a file cut anywhere in its header never
// panics and never yields a value outside 1…8.
func TestJPEGOrientationEveryPrefix(t *testing.T) {
	for _, order := range []string{"II", "MM"} {
		full := exifHead(order, 6)
		for n := 0; n <= len(full); n++ {
			got := jpegOrientation(full[:n])
			if got != Upright && got != Rotate90CW {
				t.Fatalf("%s prefix %d: orientation %d", order, n, got)
			}
		}
	}
}

// TestTIFFOrientationNeverPanics feeds the TIFF parser every single-byte
// corruption of a valid block.
func TestTIFFOrientationNeverPanics(t *testing.T) {
	for _, order := range []string{"II", "MM"} {
		valid := exifHead(order, 8)[12:38]
		if got := tiffOrientation(valid); got != Rotate90CCW {
			t.Fatalf("%s: valid block read as %d", order, got)
		}
		for i := range valid {
			for _, v := range []byte{0x00, 0x01, 0x7F, 0x80, 0xFF} {
				b := append([]byte(nil), valid...)
				b[i] = v
				if got := tiffOrientation(b); got < Upright || got > Rotate90CCW {
					t.Fatalf("%s byte %d = %#x: orientation %d", order, i, v, got)
				}
			}
		}
	}
}
