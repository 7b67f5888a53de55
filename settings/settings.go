// Package settings names what Spotter remembers between runs, its Fyne
// preferences, and reads them within the bounds the app applies. The
// window's Settings dialog writes them; the program's opener and the window
// read them. Neither needs the other to know the keys.
package settings

import (
	"fyne.io/fyne/v2"

	"github.com/spotter-app/spotter/inference/names"
)

// Preference keys.
const (
	KeyModel       = "model"       // descriptor path; "" picks the first model found
	KeyLibrary     = "ortlib"      // ONNX Runtime library path; "" searches
	KeyThreads     = "threads"     // intra-op threads; 0 is the default
	KeyPredictions = "predictions" // how many predictions the window lists
	KeyThreshold   = "threshold"   // the confidence, 0 to 1, an everyday name needs; below it a photo is "not sure"
	KeyLayout      = "layout"      // the library as a "list" or a "grid"
	KeyBoxes       = "boxes"       // whether the preview marks the objects and faces found
)

// Bounds of what the settings offer.
const (
	DefaultPredictions = 5
	MaxPredictions     = 10
	MinThreshold       = 0.05
	MaxThreshold       = 0.95
)

// Values are what the Settings dialog chooses.
type Values struct {
	Model       string // descriptor path; "" picks the first model found
	Threads     int    // 0 is automatic
	Predictions int
	Threshold   float32
}

// Read is the settings in p, each within its bounds.
func Read(p fyne.Preferences) Values {
	return Values{Model: p.String(KeyModel), Threads: p.Int(KeyThreads), Predictions: Predictions(p), Threshold: Threshold(p)}
}

// Write stores v in p.
func Write(p fyne.Preferences, v Values) {
	p.SetString(KeyModel, v.Model)
	p.SetInt(KeyThreads, v.Threads)
	p.SetInt(KeyPredictions, v.Predictions)
	p.SetFloat(KeyThreshold, float64(v.Threshold))
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
