package raw

import (
	"context"
	"testing"

	"github.com/spotter-app/spotter/inference/helper"
	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/preprocess/raw/rawtest"
)

// FuzzDecode feeds LibRaw, the C attack surface, through Decode: no input
// may crash the caller, hang or leak (LibRaw itself does crash, in its
// helper: testdata holds such inputs), and a picture comes with a valid
// orientation. The seeds are small DNGs so that mutations reach
// their IFDs, preview and sensor data alike.
func FuzzDecode(f *testing.F) {
	src := rawtest.Gradient(64, 48)
	for _, opts := range []rawtest.DNGOptions{
		{},
		{PreviewWidth: 32, PreviewHeight: 24, Orientation: 6},
	} {
		data, err := rawtest.DNG(src, opts)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, 16)
		f.Add(data, 40)
	}
	f.Fuzz(func(t *testing.T, data []byte, minSide int) {
		// A small limit: a mutated size must not make one input take
		// seconds and a gigabyte.
		before := helper.Crashes()
		img, orientation, err := decodeBytes(context.Background(), data, minSide, 1<<20, decodeJPEG)
		inferencetest.KeepCrasher(t, before, data, minSide)
		if err != nil {
			return
		}
		if orientation < 1 || orientation > 8 {
			t.Errorf("orientation %d", orientation)
		}
		if img.Bounds().Empty() {
			t.Error("an empty picture without an error")
		}
	})
}
