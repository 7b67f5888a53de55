package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/library/catalog"
)

func runTag(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = tag(append([]string{"--model", inferencetest.Descriptor(t)}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// exifKeywords reads a sidecar as other photo apps would, through exiftool.
func exifKeywords(t *testing.T, sidecar string) (subjects, hierarchies []string) {
	t.Helper()
	out, err := exec.Command("exiftool", "-j", "-XMP-dc:Subject", "-XMP-lr:HierarchicalSubject", sidecar).Output()
	if err != nil {
		t.Fatalf("exiftool %s: %v", sidecar, err)
	}
	var recs []map[string]any
	if err := json.Unmarshal(out, &recs); err != nil || len(recs) != 1 {
		t.Fatalf("exiftool said %s (%v)", out, err)
	}
	list := func(v any) []string {
		switch v := v.(type) {
		case string:
			return []string{v}
		case []any:
			var s []string
			for _, x := range v {
				s = append(s, x.(string))
			}
			return s
		}
		return nil
	}
	return list(recs[0]["Subject"]), list(recs[0]["HierarchicalSubject"])
}

func TestTagWritesReviewsAndRemoves(t *testing.T) {
	inferencetest.Library(t)
	_, err := exec.LookPath("exiftool")
	inferencetest.Need(t, err == nil, "exiftool (apt-get install libimage-exiftool-perl)")
	db := filepath.Join(t.TempDir(), "catalog.db")
	dir, paths := copyPhotos(t, "dog.jpg", "eagle.jpg")
	dog, eagle := paths[0], paths[1]
	before, err := os.ReadFile(dog)
	if err != nil {
		t.Fatal(err)
	}
	// The person's own sidecar for the eagle, made by exiftool.
	if out, err := exec.Command("exiftool", "-q", "-o", eagle+".xmp", "-XMP-dc:Subject=holiday", "-XMP:Rating=4", eagle).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v\n%s", err, out)
	}

	code, out, errs := runTag(t, "--catalog", db, "--dry-run", dir)
	if code != 0 || !strings.Contains(out, dog+": would add") || !strings.Contains(out, "dog") {
		t.Errorf("--dry-run: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if _, err := os.Stat(dog + ".xmp"); err == nil {
		t.Error("--dry-run wrote a sidecar")
	}

	code, out, errs = runTag(t, "--catalog", db, dir)
	if code != 0 || errs != "" {
		t.Fatalf("tag: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// What the model set is sure of, each word under its own path.
	subjects, hier := exifKeywords(t, dog+".xmp")
	if !slices.Equal(subjects, []string{"dog", "car", "bicycle"}) || !slices.Equal(hier, []string{"animal|dog", "vehicle|car", "vehicle|bicycle"}) {
		t.Errorf("dog's sidecar: subjects %q, hierarchy %q", subjects, hier)
	}
	subjects, hier = exifKeywords(t, eagle+".xmp")
	if !slices.Equal(subjects, []string{"holiday", "bird"}) || !slices.Equal(hier, []string{"animal|bird"}) {
		t.Errorf("eagle's sidecar lost the person's keyword or lacks Spotter's: %q, %q", subjects, hier)
	}
	if rating, err := exec.Command("exiftool", "-s3", "-XMP:Rating", eagle+".xmp").Output(); err != nil || strings.TrimSpace(string(rating)) != "4" {
		t.Errorf("the rating is gone: %q (%v)", rating, err)
	}

	// A keyword rejected in review is not written again.
	cat, err := catalog.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.SetReview(dog, "car", catalog.Rejected); err != nil {
		t.Fatal(err)
	}
	if err := cat.Close(); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runTag(t, "--catalog", db, dog); code != 0 {
		t.Fatalf("tag again: exit %d, %q %q", code, out, errs)
	}
	if subjects, hier := exifKeywords(t, dog+".xmp"); !slices.Equal(subjects, []string{"dog", "bicycle"}) ||
		!slices.Equal(hier, []string{"animal|dog", "vehicle|bicycle"}) {
		t.Errorf("after rejecting car: %q, %q", subjects, hier)
	}

	code, out, errs = runTag(t, "--catalog", db, "--remove", dir)
	if code != 0 {
		t.Fatalf("--remove: exit %d, %q %q", code, out, errs)
	}
	if _, err := os.Stat(dog + ".xmp"); !os.IsNotExist(err) {
		t.Errorf("the sidecar Spotter made is still there: %v", err)
	}
	subjects, hier = exifKeywords(t, eagle+".xmp")
	if !slices.Equal(subjects, []string{"holiday"}) || hier != nil {
		t.Errorf("after --remove the eagle's sidecar says %q, %q; want the person's keyword alone", subjects, hier)
	}
	if after, err := os.ReadFile(dog); err != nil || !bytes.Equal(before, after) {
		t.Error("the photo itself changed")
	}
}

// Several hierarchies per photo, people's among them, read back by
// exiftool as other photo apps would, and taken away exactly.
func TestTagPeopleAndAnimals(t *testing.T) {
	inferencetest.Library(t)
	_, err := exec.LookPath("exiftool")
	inferencetest.Need(t, err == nil, "exiftool (apt-get install libimage-exiftool-perl)")
	dir, paths := copyPhotos(t, "person.jpg", "kite.jpg")
	person, kite := paths[0], paths[1]
	if code, out, errs := runTag(t, "--no-catalog", dir); code != 0 || errs != "" ||
		!strings.Contains(out, person+": added person, dog, horse, people|person, animal|dog, animal|horse to "+person+".xmp (new)") {
		t.Fatalf("tag: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	subjects, hier := exifKeywords(t, person+".xmp")
	if !slices.Equal(subjects, []string{"person", "dog", "horse"}) || !slices.Equal(hier, []string{"people|person", "animal|dog", "animal|horse"}) {
		t.Errorf("person.jpg's sidecar: subjects %q, hierarchy %q", subjects, hier)
	}
	subjects, hier = exifKeywords(t, kite+".xmp")
	if !slices.Contains(subjects, "people") || !slices.Contains(hier, "people") || !slices.Contains(hier, "people|group") || slices.Contains(subjects, "person") {
		t.Errorf("kite.jpg's sidecar: subjects %q, hierarchy %q; want people", subjects, hier)
	}
	// The person's own hierarchy beside Spotter's stays when Spotter's go.
	if out, err := exec.Command("exiftool", "-q", "-overwrite_original", "-XMP-lr:HierarchicalSubject+=places|beach", kite+".xmp").CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v\n%s", err, out)
	}
	if code, out, errs := runTag(t, "--remove", dir); code != 0 {
		t.Fatalf("--remove: exit %d, %q %q", code, out, errs)
	}
	if _, err := os.Stat(person + ".xmp"); !os.IsNotExist(err) {
		t.Errorf("the sidecar Spotter made is still there: %v", err)
	}
	if subjects, hier := exifKeywords(t, kite+".xmp"); subjects != nil || !slices.Equal(hier, []string{"places|beach"}) {
		t.Errorf("after --remove kite.jpg's sidecar says %q, %q; want the person's hierarchy alone", subjects, hier)
	}
}

func TestTagNotSureWritesNothing(t *testing.T) {
	inferencetest.Library(t)
	dir := t.TempDir()
	card := writeCard(t, dir, magentaCard)
	code, out, _ := runTag(t, "--no-catalog", card)
	if code != 0 || out != card+": not sure: no keywords\n" {
		t.Errorf("a plain card: exit %d, %q", code, out)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.xmp")); len(left) > 0 {
		t.Errorf("a photo Spotter is not sure of got a sidecar: %q", left)
	}
	if code, _, _ := runTag(t, "--threshold", "2", "x.jpg"); code != 2 {
		t.Errorf("threshold 2: exit %d, want 2", code)
	}
}

// A face the model set found is written as an unnamed MWG face region
// exiftool reads, inside the photo, and goes with --remove.
func TestTagFaceRegions(t *testing.T) {
	inferencetest.Library(t)
	_, err := exec.LookPath("exiftool")
	inferencetest.Need(t, err == nil, "exiftool (apt-get install libimage-exiftool-perl)")
	src := filepath.Join(inferencetest.Root(t), "..", "shared", "everyday-dev", "people-portrait-woman-hat.jpg")
	data, err := os.ReadFile(src)
	inferencetest.Need(t, err == nil, src)
	photo := filepath.Join(t.TempDir(), "portrait.jpg")
	if err := os.WriteFile(photo, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runTag(t, "--no-catalog", photo); code != 0 || !strings.Contains(out, "people|portrait, 1 face to ") {
		t.Fatalf("tag: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	out, err := exec.Command("exiftool", "-j", "-n", "-XMP-mwg-rs:all", photo+".xmp").Output()
	if err != nil {
		t.Fatal(err)
	}
	var recs []struct {
		RegionType                                         any
		RegionAreaX, RegionAreaY, RegionAreaW, RegionAreaH float64
		RegionAreaUnit                                     string
		RegionAppliedToDimensionsW                         int
	}
	if err := json.Unmarshal(out, &recs); err != nil || len(recs) != 1 {
		t.Fatalf("exiftool said %s (%v)", out, err)
	}
	r := recs[0]
	inside := func(centre, size float64) bool { return size > 0.02 && centre-size/2 >= 0 && centre+size/2 <= 1 }
	if r.RegionType != "Face" || r.RegionAreaUnit != "normalized" || !inside(r.RegionAreaX, r.RegionAreaW) || !inside(r.RegionAreaY, r.RegionAreaH) ||
		r.RegionAppliedToDimensionsW <= 0 {
		t.Errorf("exiftool reads the face region as %+v", r)
	}
	if code, out, errs := runTag(t, "--remove", photo); code != 0 || !strings.Contains(out, "1 face from") {
		t.Fatalf("--remove: exit %d, %q %q", code, out, errs)
	}
	if _, err := os.Stat(photo + ".xmp"); !os.IsNotExist(err) {
		t.Errorf("the sidecar Spotter made is still there: %v", err)
	}
}
