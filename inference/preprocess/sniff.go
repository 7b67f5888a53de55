package preprocess

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// notSupported marks the image formats sniff recognises but Spotter cannot
// decode; LooksLikeImage keys on it, so the two cannot drift apart.
const notSupported = " (format not supported)"

// sniff names formats people commonly drop that Spotter cannot decode, from
// their first bytes. It returns "" when it does not recognise them.
func sniff(head []byte) string {
	has := func(off int, magic string) bool {
		return len(head) >= off+len(magic) && string(head[off:off+len(magic)]) == magic
	}
	switch {
	case has(0, "%PDF"):
		return "a PDF document"
	case has(0, "8BPS"):
		return "a Photoshop document" + notSupported
	case has(0, "PK\x03\x04"):
		return "a ZIP archive"
	case looksLikeSVG(head):
		return "an SVG drawing" + notSupported
	case looksLikeText(head):
		return "a text file"
	}
	return ""
}

func looksLikeSVG(head []byte) bool {
	h := bytes.TrimSpace(head)
	return bytes.HasPrefix(h, []byte("<svg")) || (bytes.HasPrefix(h, []byte("<?xml")) && bytes.Contains(head, []byte("<svg")))
}

// looksLikeText accepts valid UTF-8 with no control bytes except white
// space. The check is on a short head, so a multi-byte rune cut at its end
// is allowed.
func looksLikeText(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	for len(head) > 0 {
		r, size := utf8.DecodeRune(head)
		if r == utf8.RuneError && size <= 1 {
			return len(head) < utf8.UTFMax && !utf8.FullRune(head)
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
		head = head[size:]
	}
	return true
}

// decodable are the first bytes of the formats Spotter decodes.
var decodable = [][]byte{
	[]byte("\xff\xd8\xff"), []byte("\x89PNG\r\n\x1a\n"), []byte("GIF87a"), []byte("GIF89a"),
	[]byte("BM"), []byte("II*\x00"), []byte("MM\x00*"),
}

// LooksLikeImage reports whether a file's first bytes are those of an
// image: one Spotter decodes, or one it recognises but does not support
// (those still deserve a row that says so).
func LooksLikeImage(head []byte) bool {
	for _, m := range decodable {
		if bytes.HasPrefix(head, m) {
			return true
		}
	}
	if len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP" {
		return true
	}
	if heifFormat(head) != "" || jxlFormat(head) != "" || rawSignature(head) {
		return true
	}
	return strings.HasSuffix(sniff(head), notSupported)
}
