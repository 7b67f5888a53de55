// Package settings names what Spotter remembers between runs, its Fyne
// preferences, and reads them within the bounds the app applies. The
// window's Settings dialog writes them; the program's opener and the window
// read them. Neither needs the other to know the keys.
package settings

import (
	"runtime"
	"slices"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/names"
	"github.com/spotter-app/spotter/inference/text"
)

// Preference keys.
const (
	KeyModel       = "model"       // descriptor path; "" picks the first model found
	KeyLibrary     = "ortlib"      // ONNX Runtime library path; "" searches
	KeyThreads     = "threads"     // intra-op threads; 0 is the default
	KeyPredictions = "predictions" // how many predictions the window lists
	KeyThreshold   = "threshold"   // the confidence, 0 to 1, an everyday name needs; below it a photo is "not sure"
	KeyLayout      = "layout"      // the library as a "list" or a "grid"
	KeyBoxes       = "boxes"       // whether the preview marks the objects, faces and lines of text found
	KeyText        = "text"        // whether photos that look like text are read; on unless turned off
	KeyLanguages   = "languages"   // the Tesseract languages read, comma-separated ("eng,deu"); "" is English
	KeyIndexCores  = "indexcores"  // how many processors indexing the library folders may use; 0 is half of them
	KeyGraceDays   = "gracedays"   // days a deleted photo stays in the catalogue, marked missing; 0 is 30
	// KeyPicturesOffered is set once the window has offered the pictures
	// folder as a library folder, taken or not: it asks once.
	KeyPicturesOffered = "picturesoffered"
)

// Bounds of what the settings offer.
const (
	DefaultPredictions = 5
	MaxPredictions     = 10
	MinThreshold       = 0.05
	MaxThreshold       = 0.95
	DefaultGraceDays   = 30
)

// Values are what the Settings dialog chooses.
type Values struct {
	Model       string // descriptor path; "" picks the first model found
	Threads     int    // 0 is automatic
	Predictions int
	Threshold   float32
	Text        bool     // read the words in photos of text
	Languages   []string // Tesseract's codes, never empty
}

// Read is the settings in p, each within its bounds.
func Read(p fyne.Preferences) Values {
	return Values{Model: p.String(KeyModel), Threads: p.Int(KeyThreads), Predictions: Predictions(p), Threshold: Threshold(p),
		Text: p.BoolWithFallback(KeyText, true), Languages: Languages(p)}
}

// The library folders' dialog sets these two, not Settings.

// IndexCores is how many processors indexing may use: half of them unless
// set, and never more than there are.
func IndexCores(p fyne.Preferences) int {
	n := p.Int(KeyIndexCores)
	if n <= 0 {
		n = (runtime.NumCPU() + 1) / 2
	}
	return min(n, runtime.NumCPU())
}

// GraceDays is how many days a deleted photo stays in the catalogue.
func GraceDays(p fyne.Preferences) int {
	if n := p.Int(KeyGraceDays); n > 0 {
		return n
	}
	return DefaultGraceDays
}

// Write stores v in p.
func Write(p fyne.Preferences, v Values) {
	p.SetString(KeyModel, v.Model)
	p.SetInt(KeyThreads, v.Threads)
	p.SetInt(KeyPredictions, v.Predictions)
	p.SetFloat(KeyThreshold, float64(v.Threshold))
	p.SetBool(KeyText, v.Text)
	p.SetString(KeyLanguages, strings.Join(v.Languages, ","))
}

// Reading is o reading text as v says: not at all, or in v's languages.
// The opener passes every engine it opens through it, so a change in
// Settings applies at the next reload as a new model does.
func (v Values) Reading(o inference.Options) inference.Options {
	o.NoText, o.Languages = !v.Text, v.Languages
	return o
}

// Languages are the Tesseract languages to read, English when none is
// chosen. A hand-edited list may repeat one or leave gaps ("eng,,deu "):
// each language is asked for once, and a gap is no language.
func Languages(p fyne.Preferences) []string {
	var out []string
	for l := range strings.SplitSeq(p.String(KeyLanguages), ",") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return []string{text.DefaultLanguage}
	}
	return out
}

// Threshold is the confidence an everyday name needs to be stated.
func Threshold(p fyne.Preferences) float32 {
	t := p.FloatWithFallback(KeyThreshold, names.DefaultThreshold)
	return float32(min(max(t, MinThreshold), MaxThreshold))
}

// Predictions is how many ranked answers the window lists.
func Predictions(p fyne.Preferences) int {
	n := p.IntWithFallback(KeyPredictions, DefaultPredictions)
	return min(max(n, 1), MaxPredictions)
}
