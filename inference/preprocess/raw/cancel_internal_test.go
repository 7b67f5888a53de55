package raw

import (
	"testing"

	"github.com/spotter-app/spotter/inference/preprocess/raw/rawtest"
)

// A cancelled flag stops the C side at its first check, whichever path it
// is on; Decode's own check of ctx before calling C cannot show that.
func TestCancelFlagStopsLibRaw(t *testing.T) {
	data, err := rawtest.DNG(rawtest.Gradient(64, 48), rawtest.DNGOptions{PreviewWidth: 32, PreviewHeight: 24})
	if err != nil {
		t.Fatal(err)
	}
	for _, minSide := range []int{16, -1} {
		cancel := int32(1)
		res := run(data, minSide, MaxPixels, &cancel)
		if res.status != statusCancelled {
			t.Errorf("minSide %d: status %d, want LibRaw's cancelled", minSide, res.status)
		}
		if res.image != nil {
			t.Errorf("minSide %d: an image despite the cancel", minSide)
		}
	}
}
