package preprocess

import "testing"

func TestSniff(t *testing.T) {
	tests := []struct {
		name, head, want string
	}{
		{"PDF", "%PDF-1.7\n%\xe2\xe3\xcf\xd3", "a PDF document"},
		{"HEIC heic", "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "a HEIC photo (format not supported)"},
		{"HEIC heix", "\x00\x00\x00\x18ftypheix", "a HEIC photo (format not supported)"},
		{"HEIC hevc", "\x00\x00\x00\x18ftyphevc", "a HEIC photo (format not supported)"},
		{"HEIF mif1", "\x00\x00\x00\x1cftypmif1", "a HEIC photo (format not supported)"},
		{"HEIF msf1", "\x00\x00\x00\x1cftypmsf1", "a HEIC photo (format not supported)"},
		{"AVIF", "\x00\x00\x00\x1cftypavif", "an AVIF image (format not supported)"},
		{"AVIF sequence", "\x00\x00\x00\x1cftypavis", "an AVIF image (format not supported)"},
		{"Canon CR3", "\x00\x00\x00\x18ftypcrx ", "a Canon CR3 RAW photo (format not supported)"},
		{"Fujifilm RAF", "FUJIFILMCCD-RAW 0201", "a Fujifilm RAF RAW photo (format not supported)"},
		{"Olympus ORF", "IIRO\x08\x00\x00\x00", "a camera RAW photo (format not supported)"},
		{"Olympus ORF S", "IIRS\x08\x00\x00\x00", "a camera RAW photo (format not supported)"},
		{"Panasonic RW2", "IIU\x00\x08\x00\x00\x00", "a camera RAW photo (format not supported)"},
		{"JPEG XL codestream", "\xff\x0a\xfa\x7f", "a JPEG XL image (format not supported)"},
		{"JPEG XL container", "\x00\x00\x00\x0cJXL \x0d\x0a\x87\x0a", "a JPEG XL image (format not supported)"},
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
