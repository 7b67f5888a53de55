package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/preprocess/heif/heiftest"
	"github.com/spotter-app/spotter/inference/preprocess/raw/rawtest"
)

// phoneFolder fills dir as a phone's or camera's folder: three shared
// photos as JPEGs, and the same photos as a phone saves them (HEIC, AVIF)
// and as a camera records them (DNG, with and without the embedded preview
// that decides between LibRaw's fast path and a demosaic). It returns each
// new file's path with the path of the JPEG it was made from.
func phoneFolder(t *testing.T, dir string) map[string]string {
	t.Helper()
	jpegs := map[string]string{}
	for _, name := range []string{"dog.jpg", "eagle.jpg", "giraffe.jpg"} {
		jpegs[name] = inferencetest.WriteFile(t, dir, name, heiftest.Read(t, inferencetest.Photo(t, name)))
	}
	made := map[string]string{
		// Quality 90, as the preprocess tests use: heif-enc's default of 50
		// smudges the fur the dog breeds are told apart by.
		heiftest.HEIC(t, jpegs["dog.jpg"], dir, "IMG_0001.heic", "-q", "90"): jpegs["dog.jpg"],
		heiftest.AVIF(t, jpegs["eagle.jpg"], dir, "PXL_0002.avif"):           jpegs["eagle.jpg"],
	}
	giraffe := inferencetest.DecodeJPEG(t, jpegs["giraffe.jpg"])
	size := giraffe.Bounds().Size()
	for name, opts := range map[string]rawtest.DNGOptions{
		"DSC_0003.dng":         {},
		"DSC_0004 preview.dng": {PreviewWidth: size.X, PreviewHeight: size.Y},
	} {
		p := filepath.Join(dir, name)
		if err := rawtest.WriteDNG(p, giraffe, opts); err != nil {
			t.Fatal(err)
		}
		made[p] = jpegs["giraffe.jpg"]
	}
	return made
}

// sameTopLabels checks that every made photo got the top-1 label its JPEG
// original got; labels maps paths to top-1 labels.
func sameTopLabels(t *testing.T, made map[string]string, labels map[string]string) {
	t.Helper()
	for p, original := range made {
		got, want := labels[p], labels[original]
		switch {
		case want == "":
			t.Errorf("%s has no label", filepath.Base(original))
		case got == "":
			t.Errorf("%s has no label", filepath.Base(p))
		case got != want:
			t.Errorf("%s is %q, but its original %s is %q", filepath.Base(p), got, filepath.Base(original), want)
		default:
			t.Logf("%s: %s", filepath.Base(p), got)
		}
	}
}

// logValue matches one key=value of slog's text format, the value quoted
// when it holds spaces, quotes or '='.
var logValue = regexp.MustCompile(`(?:^| )([a-z_]+)=("(?:[^"\\]|\\.)*"|\S*)`)

// logFields parses a slog text line into its keys and values.
func logFields(t *testing.T, line string) map[string]string {
	t.Helper()
	fields := map[string]string{}
	for _, m := range logValue.FindAllStringSubmatch(line, -1) {
		v := m[2]
		if strings.HasPrefix(v, `"`) {
			var err error
			if v, err = strconv.Unquote(v); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
		}
		fields[m[1]] = v
	}
	return fields
}

// A person drops their camera folder on the window: the JPEGs, HEIC, AVIF
// and DNGs in it each get a row, and each photo is named as its JPEG
// original is, in the same run.
func TestWindowDropPhoneFolder(t *testing.T) {
	d := startDisplay(t)
	folder := filepath.Join(t.TempDir(), "DCIM")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	made := phoneFolder(t, folder)
	a := d.launch(t, buildSpotter(t))
	wid := strings.Fields(d.run(t, "xdotool", "search", "--sync", "--onlyvisible", "--name", "^Spotter$"))[0]
	a.waitLog(t, "model loaded")

	d.run(t, filepath.Join(d.xdnd, "xdndsend"), wid, "200", "150", folder)
	photos := len(made) + 3
	labels := map[string]string{}
	for _, line := range a.waitLines(t, "msg=classified", photos) {
		f := logFields(t, line)
		labels[f["path"]] = f["label"]
	}
	if len(labels) != photos {
		t.Errorf("%d rows for %d photos: %v", len(labels), photos, labels)
	}
	sameTopLabels(t, made, labels)
	a.noErrors(t)

	shot := filepath.Join(screenshotDir(t), "phone-folder.png")
	checkScreenshot(t, shot, func() { d.run(t, "import", "-window", wid, shot) })

	d.run(t, filepath.Join(d.xdnd, "wmdelete"), wid)
	a.waitExit(t, 2*time.Second)
}
