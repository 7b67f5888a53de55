package preprocess

import "testing"

func TestSniff(t *testing.T) {
	tests := []struct {
		name, head, want string
	}{
		{"PDF", "%PDF-1.7\n%\xe2\xe3\xcf\xd3", "a PDF document"},
		{"Photoshop", "8BPS\x00\x01\x00\x00", "a Photoshop document (format not supported)"},
		{"ZIP", "PK\x03\x04\x14\x00", "a ZIP archive"},
		{"SVG", "<svg xmlns=\"http://www.w3.org/2000/svg\">", "an SVG drawing (format not supported)"},
		{"SVG with space", "\n\n  <svg>", "an SVG drawing (format not supported)"},
		{"SVG with XML declaration", "<?xml version=\"1.0\"?>\n<svg>", "an SVG drawing (format not supported)"},
		{"XML that is not SVG", "<?xml version=\"1.0\"?>\n<plist>", "a text file"},
		{"text", "Hello\tworld\r\n", "a text file"},
		{"UTF-8 text", "Zażółć gęślą jaźń", "a text file"},
		{"UTF-8 cut at the end", "caf\xc3", "a text file"},
		{"JPEG", "\xff\xd8\xff\xe0\x00\x10JFIF", ""},
		{"PNG", "\x89PNG\r\n\x1a\n", ""},
		{"control bytes", "abc\x00def", ""},
		{"invalid UTF-8 in the middle", "ab\xffcd", ""},
		{"empty", "", ""},
		{"short PDF prefix is just text", "%P", "a text file"},
		{"short binary", "\x00\x01", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := sniff([]byte(tc.head)); got != tc.want {
				t.Errorf("sniff(%q) = %q, want %q", tc.head, got, tc.want)
			}
		})
	}
}

// TestHEIFFormat: HEIF and AVIF files are known by their ftyp brands, the
// major one or any compatible one, and are images Spotter decodes.
func TestHEIFFormat(t *testing.T) {
	tests := []struct {
		name, head, want string
	}{
		{"HEIC heic", "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "heif"},
		{"HEIC heix", "\x00\x00\x00\x10ftypheix\x00\x00\x00\x00", "heif"},
		{"HEVC sequence", "\x00\x00\x00\x10ftyphevc\x00\x00\x00\x00", "heif"},
		{"HEIF heim", "\x00\x00\x00\x10ftypheim\x00\x00\x00\x00", "heif"},
		{"HEIF heis", "\x00\x00\x00\x10ftypheis\x00\x00\x00\x00", "heif"},
		{"HEIF mif1", "\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heicmiaf", "heif"},
		{"HEIF msf1", "\x00\x00\x00\x10ftypmsf1\x00\x00\x00\x00", "heif"},
		{"AVIF", "\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "avif"},
		{"AVIF sequence", "\x00\x00\x00\x10ftypavis\x00\x00\x00\x00", "avif"},
		{"mif1 with AVIF among the compatible brands", "\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1miafavif", "avif"},
		{"unknown major brand, HEIC compatible", "\x00\x00\x00\x18ftypabcd\x00\x00\x00\x00heic", "heif"},
		{"a compatible brand past the box's end does not count", "\x00\x00\x00\x10ftypisom\x00\x00\x00\x00heic", ""},
		{"MP4 video", "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", ""},
		{"short", "\x00\x00\x00\x18ftyphei", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := heifFormat([]byte(tc.head)); got != tc.want {
				t.Errorf("heifFormat(%q) = %q, want %q", tc.head, got, tc.want)
			}
			if tc.want != "" && !LooksLikeImage([]byte(tc.head)) {
				t.Errorf("LooksLikeImage(%q) = false", tc.head)
			}
			if got := sniff([]byte(tc.head)); tc.want != "" && got != "" {
				t.Errorf("sniff(%q) = %q: a decodable format must not be named as one Spotter cannot read", tc.head, got)
			}
		})
	}
}

func TestJXLFormat(t *testing.T) {
	for head, want := range map[string]string{
		"\xff\x0a\xfa\x7f":                         "jxl",
		"\x00\x00\x00\x0cJXL \x0d\x0a\x87\x0a\x00": "jxl",
		"\x00\x00\x00\x0cJXL \x0d\x0a":             "",
		"\xff\xd8\xff":                             "",
		"\xff":                                     "",
	} {
		if got := jxlFormat([]byte(head)); got != want {
			t.Errorf("jxlFormat(%q) = %q, want %q", head, got, want)
		}
		if want != "" && (!LooksLikeImage([]byte(head)) || sniff([]byte(head)) != "") {
			t.Errorf("%q is not taken for an image Spotter decodes", head)
		}
	}
}
