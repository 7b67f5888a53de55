package settings

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/spotter-app/spotter/inference/names"
)

func TestReadWriteAndBounds(t *testing.T) {
	p := test.NewTempApp(t).Preferences()
	if v := Read(p); v != (Values{Predictions: DefaultPredictions, Threshold: names.DefaultThreshold}) {
		t.Errorf("fresh settings %+v", v)
	}
	want := Values{Model: "/m.json", Threads: 2, Predictions: 7, Threshold: 0.7}
	Write(p, want)
	if got := Read(p); got != want {
		t.Errorf("read back %+v, wrote %+v", got, want)
	}
	// Values from an older version or a hand-edited file are brought
	// within bounds rather than trusted.
	p.SetFloat(KeyThreshold, 3)
	p.SetInt(KeyPredictions, 0)
	if got := Read(p); got.Threshold != MaxThreshold || got.Predictions != 1 {
		t.Errorf("out-of-bounds values read as %+v", got)
	}
}
