package text

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultLanguage is what Spotter reads when no language is chosen: the
// package carries its model.
const DefaultLanguage = "eng"

// dataDirs are the folders Tesseract's language models are looked for in,
// in order: the package's own (share/spotter/tessdata beside bin/), the
// folder $TESSDATA_PREFIX names, then where Debian and Fedora install
// tesseract-ocr-LANG.
func dataDirs() []string {
	var dirs []string
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			dirs = append(dirs, filepath.Join(filepath.Dir(exe), "..", "share", "spotter", "tessdata"))
		}
	}
	if p := os.Getenv("TESSDATA_PREFIX"); p != "" {
		dirs = append(dirs, p, filepath.Join(p, "tessdata"))
	}
	return append(dirs, "/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata")
}

// languagesIn lists the languages whose models are in dir ("eng", "deu"),
// without Tesseract's orientation model, which reads no words.
func languagesIn(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.traineddata"))
	var out []string
	for _, f := range files {
		if l := strings.TrimSuffix(filepath.Base(f), ".traineddata"); l != "osd" {
			out = append(out, l)
		}
	}
	return out
}

// Installed lists every language Spotter can read, sorted, for Settings.
func Installed() []string {
	var all []string
	for _, d := range dataDirs() {
		all = append(all, languagesIn(d)...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// dataDir returns the first folder that holds every one of langs, as
// Tesseract reads all of a request's languages from one folder.
func dataDir(langs []string) (string, error) {
	for _, d := range dataDirs() {
		have := languagesIn(d)
		if !slices.ContainsFunc(langs, func(l string) bool { return !slices.Contains(have, l) }) {
			return d, nil
		}
	}
	for _, l := range langs {
		if !slices.Contains(Installed(), l) {
			return "", fmt.Errorf("Text in the language %q cannot be read: its Tesseract model is not installed. Install it (on Debian or Ubuntu: sudo apt install tesseract-ocr-%s) or choose another language in Settings", l, l)
		}
	}
	return "", fmt.Errorf("Text in %s cannot be read together: their Tesseract models are installed in different folders. Install them all with apt (tesseract-ocr-LANG) or choose fewer in Settings", strings.Join(langs, " and "))
}

// ModelFiles are the language models a Reader of langs reads with, English
// when langs is empty: what tells its text apart in the catalogue.
func ModelFiles(langs []string) ([]string, error) {
	if len(langs) == 0 {
		langs = []string{DefaultLanguage}
	}
	dir, err := dataDir(langs)
	if err != nil {
		return nil, err
	}
	files := make([]string, len(langs))
	for i, l := range langs {
		files[i] = filepath.Join(dir, l+".traineddata")
	}
	return files, nil
}
