package rawtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDNGIsValid has ExifTool, which knows the TIFF and DNG rules well,
// check the files: a writer that only LibRaw accepts could hide its own
// mistakes behind LibRaw's tolerance.
func TestDNGIsValid(t *testing.T) {
	exiftool, err := exec.LookPath("exiftool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("exiftool is missing (apt-get install libimage-exiftool-perl)")
		}
		t.Skip("exiftool is missing")
	}
	for name, opts := range map[string]DNGOptions{
		"plain":   {Orientation: 6},
		"preview": {Width: 200, Height: 150, PreviewWidth: 160, PreviewHeight: 120, Make: "Canon", Model: "EOS R5"},
	} {
		path := filepath.Join(t.TempDir(), name+".dng")
		if err := WriteDNG(path, Gradient(101, 77), opts); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(exiftool, "-validate", "-warning", "-error", "-a", "-s", "-FileType", "-Orientation", "-Make", "-PreviewImageLength", path).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: exiftool: %v\n%s", name, err, out)
		}
		got := string(out)
		t.Logf("%s:\n%s", name, got)
		if !strings.Contains(got, "Validate                        : OK") {
			t.Errorf("%s: exiftool finds faults:\n%s", name, got)
		}
		if !strings.Contains(got, "FileType                        : DNG") {
			t.Errorf("%s: exiftool does not see a DNG:\n%s", name, got)
		}
	}
}
