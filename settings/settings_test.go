package settings

import (
	"reflect"
	"runtime"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/spotter-app/spotter/inference"
	"github.com/spotter-app/spotter/inference/names"
)

func TestReadWriteAndBounds(t *testing.T) {
	p := test.NewTempApp(t).Preferences()
	fresh := Values{Predictions: DefaultPredictions, Threshold: names.DefaultThreshold, Text: true, Languages: []string{"eng"}}
	if v := Read(p); !reflect.DeepEqual(v, fresh) {
		t.Errorf("fresh settings %+v", v)
	}
	want := Values{Model: "/m.json", Threads: 2, Predictions: 7, Threshold: 0.7, Languages: []string{"deu", "fra"}}
	Write(p, want)
	if got := Read(p); !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v, wrote %+v", got, want)
	}
	if got := p.String(KeyLanguages); got != "deu,fra" {
		t.Errorf("languages stored as %q", got)
	}
	// Values from an older version or a hand-edited file are brought
	// within bounds rather than trusted.
	p.SetFloat(KeyThreshold, 3)
	p.SetInt(KeyPredictions, 0)
	p.SetString(KeyLanguages, " deu,,eng,deu ")
	if got := Read(p); got.Threshold != MaxThreshold || got.Predictions != 1 || !slices.Equal(got.Languages, []string{"deu", "eng"}) {
		t.Errorf("out-of-bounds values read as %+v", got)
	}
	if got := IndexCores(p); got != (runtime.NumCPU()+1)/2 {
		t.Errorf("index cores unset read as %d", got)
	}
	p.SetInt(KeyIndexCores, 1000)
	if got := IndexCores(p); got != runtime.NumCPU() {
		t.Errorf("index cores 1000 read as %d", got)
	}
	if got := GraceDays(p); got != DefaultGraceDays {
		t.Errorf("grace days unset read as %d", got)
	}
	p.SetString(KeyLanguages, " , ")
	if got := Languages(p); !slices.Equal(got, []string{"eng"}) {
		t.Errorf("no language read as %q", got)
	}
}

// The engine reads text unless it was turned off, in the languages chosen;
// what else the opener chose is kept.
func TestReading(t *testing.T) {
	p := test.NewTempApp(t).Preferences()
	base := inference.Options{Descriptor: "/m.json", Threads: 3}
	if got := Read(p).Reading(base); got.NoText || !slices.Equal(got.Languages, []string{"eng"}) || got.Descriptor != "/m.json" || got.Threads != 3 {
		t.Errorf("fresh settings open %+v", got)
	}
	v := Read(p)
	v.Text, v.Languages = false, []string{"deu"}
	Write(p, v)
	if got := Read(p).Reading(base); !got.NoText || !slices.Equal(got.Languages, []string{"deu"}) {
		t.Errorf("text off, in German, opens %+v", got)
	}
}
