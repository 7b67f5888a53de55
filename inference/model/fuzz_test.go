package model

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: any bytes either fail with a message or give a descriptor
// whose paths stay in its folder and whose numbers are usable.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"mobilenet_v2_1.0_224_quant.json", "mobilenetv2-12.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "models", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"model":"../../etc/passwd"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		for _, p := range []string{d.Model, d.Labels, d.License} {
			if p != "" && !filepath.IsLocal(filepath.FromSlash(p)) {
				t.Fatalf("accepted path %q outside the folder", p)
			}
		}
		if d.Input.Width < 1 || d.Input.Height < 1 || d.Input.Width > maxInputSide || d.Input.Height > maxInputSide {
			t.Fatalf("accepted size %d×%d", d.Input.Width, d.Input.Height)
		}
		if !(d.Crop.Fraction > 0 && d.Crop.Fraction <= 1) {
			t.Fatalf("accepted crop fraction %v", d.Crop.Fraction)
		}
		for _, s := range d.Input.Std {
			if !(s > 0) {
				t.Fatalf("accepted std %v", d.Input.Std)
			}
		}
	})
}
