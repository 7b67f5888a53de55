package sidecar

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// runExiftool runs the real client: what it reads back is what photo apps will see.
func runExiftool(t *testing.T, args ...string) []byte {
	t.Helper()
	path, err := exec.LookPath("exiftool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("exiftool is missing: install libimage-exiftool-perl")
		}
		t.Skip("exiftool is missing: install libimage-exiftool-perl to run this test")
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("exiftool %v: %v\n%s", args, err, out)
	}
	return out
}

// exiftool returns the tags exiftool reads, named with their group (XMP-dc:Subject).
func exiftool(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out := runExiftool(t, append([]string{"-j", "-G1"}, args...)...)
	var tags []map[string]any
	if err := json.Unmarshal(out, &tags); err != nil || len(tags) != 1 {
		t.Fatalf("exiftool %v printed %s (%v)", args, out, err)
	}
	delete(tags[0], "SourceFile")
	return tags[0]
}

// xmpTags returns every XMP tag exiftool reads in file and its verdict on the XMP
// (-validate), with any warnings.
func xmpTags(t *testing.T, file string) (tags map[string]any, validation string) {
	t.Helper()
	tags = exiftool(t, "-XMP:all", "-validate", "-warning", "-a", file)
	validation = fmt.Sprintf("%v %v", tags["ExifTool:Validate"], tags["ExifTool:Warning"])
	delete(tags, "ExifTool:Validate")
	delete(tags, "ExifTool:Warning")
	return tags, validation
}

// tagList reads a list tag, which exiftool prints as a plain value when it holds one item.
func tagList(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		var s []string
		for _, x := range v {
			s = append(s, fmt.Sprint(x))
		}
		return s
	default:
		return []string{fmt.Sprint(v)}
	}
}

func keywordsTags(t *testing.T, sidecar string) (subjects, hierarchies []string) {
	t.Helper()
	tags := exiftool(t, "-XMP-dc:Subject", "-XMP-lr:HierarchicalSubject", sidecar)
	return tagList(tags["XMP-dc:Subject"]), tagList(tags["XMP-lr:HierarchicalSubject"])
}

func TestExiftoolReadsANewSidecar(t *testing.T) {
	photo := newPhoto(t)
	c, err := Write(photo, catKeywords)
	if err != nil {
		t.Fatal(err)
	}
	if _, v := xmpTags(t, c.Sidecar); v != "OK <nil>" {
		t.Errorf("exiftool -validate: %s", v)
	}
	subjects, hierarchies := keywordsTags(t, c.Sidecar)
	sameStrings(t, "exiftool's Subject", subjects, catKeywords.Subjects)
	sameStrings(t, "exiftool's HierarchicalSubject", hierarchies, catKeywords.Hierarchies)
	tags := exiftool(t, "-XMP-spotter:all", c.Sidecar)
	if tags["XMP-spotter:Class"] != catKeywords.Class || tags["XMP-spotter:Classifier"] != catKeywords.Model ||
		tags["XMP-spotter:CreatedSidecar"] != true || fmt.Sprint(tags["XMP-spotter:Probability"]) != "0.47" {
		t.Errorf("exiftool reads Spotter's record as %v", tags)
	}
}

// Every fixture, through Write and Remove: exiftool finds the keywords added, and every other
// XMP tag it read before with the same value.
func TestExiftoolReadsMergedSidecars(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.file, func(t *testing.T) {
			photo, sidecar, _ := withSidecar(t, f.file, "photo.jpg.xmp")
			before, valid := xmpTags(t, sidecar)
			if _, err := Write(photo, catKeywords); err != nil {
				t.Fatal(err)
			}
			after, v := xmpTags(t, sidecar)
			if v != valid {
				t.Errorf("exiftool -validate says %s after Write, %s before", v, valid)
			}
			sameStrings(t, "Subject", tagList(after["XMP-dc:Subject"]), append(slices.Clone(f.subjects), f.addedSubjects...))
			sameStrings(t, "HierarchicalSubject", tagList(after["XMP-lr:HierarchicalSubject"]), append(slices.Clone(f.hierarchies), "animal|cat"))
			digiKamLists := []string{"XMP-digiKam:TagsList", "XMP-microsoft:LastKeywordXMP"}
			for _, tag := range digiKamLists {
				if v, ok := before[tag]; ok {
					sameStrings(t, tag, tagList(after[tag]), append(tagList(v), "animal/cat"))
				}
			}
			for tag, v := range before {
				if tag == "XMP-dc:Subject" || tag == "XMP-lr:HierarchicalSubject" || slices.Contains(digiKamLists, tag) {
					continue
				}
				if fmt.Sprint(after[tag]) != fmt.Sprint(v) {
					t.Errorf("%s was %v, is %v after Write", tag, v, after[tag])
				}
			}
			if _, err := Remove(photo); err != nil {
				t.Fatal(err)
			}
			if again, _ := xmpTags(t, sidecar); !maps.EqualFunc(again, before, func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
				t.Errorf("after Remove exiftool reads %v, before %v", again, before)
			}
		})
	}
}

// The case the issue names: a sidecar exiftool made with a person's keyword and a rating keeps
// both through tag and remove.
func TestExiftoolSidecarKeepsKeywordAndRating(t *testing.T) {
	photo := newPhoto(t)
	sidecar := photo + ".xmp"
	runExiftool(t, "-o", sidecar, "-XMP-dc:Subject=holiday", "-XMP:Rating=4")
	if _, err := Write(photo, catKeywords); err != nil {
		t.Fatal(err)
	}
	tags := exiftool(t, "-XMP-dc:Subject", "-XMP:Rating", sidecar)
	sameStrings(t, "Subject after Write", tagList(tags["XMP-dc:Subject"]), []string{"holiday", "cat", "animal"})
	if fmt.Sprint(tags["XMP-xmp:Rating"]) != "4" {
		t.Errorf("Rating after Write = %v", tags["XMP-xmp:Rating"])
	}
	c, err := Remove(photo)
	if err != nil || c.Delete {
		t.Fatalf("Remove = %+v, %v", c, err)
	}
	tags = exiftool(t, "-XMP-dc:Subject", "-XMP:Rating", sidecar)
	sameStrings(t, "Subject after Remove", tagList(tags["XMP-dc:Subject"]), []string{"holiday"})
	if fmt.Sprint(tags["XMP-xmp:Rating"]) != "4" {
		t.Errorf("Rating after Remove = %v", tags["XMP-xmp:Rating"])
	}
}

// exiftool rewrites a sidecar Spotter made in its own layout (one Description per namespace,
// single quotes); Spotter still finds its record there and takes away only its own.
func TestSidecarRewrittenByExiftool(t *testing.T) {
	photo := newPhoto(t)
	c, err := Write(photo, catKeywords)
	if err != nil {
		t.Fatal(err)
	}
	runExiftool(t, "-overwrite_original", "-XMP:Rating=3", "-XMP-dc:Subject+=Mittens", c.Sidecar)
	info := read(t, photo)
	if info.Spotter == nil || !info.Created {
		t.Fatalf("Spotter's record not found after exiftool rewrote the file: %+v", info)
	}
	if _, err := Write(photo, dogKeywords); err != nil {
		t.Fatal(err)
	}
	subjects, hierarchies := keywordsTags(t, c.Sidecar)
	sameStrings(t, "Subject", subjects, []string{"animal", "Mittens", "dog"})
	sameStrings(t, "HierarchicalSubject", hierarchies, []string{"animal|dog"})
	c, err = Remove(photo)
	if err != nil || c.Delete {
		t.Fatalf("Remove = %+v, %v; the person's rating and keyword are in the file", c, err)
	}
	tags, v := xmpTags(t, c.Sidecar)
	delete(tags, "XMP-x:XMPToolkit") // exiftool's own mark, with its version
	want := map[string]any{"XMP-dc:Subject": "Mittens", "XMP-xmp:Rating": float64(3)}
	if !maps.Equal(tags, want) {
		t.Errorf("after Remove exiftool reads %v, want %v", tags, want)
	}
	if v != "OK <nil>" {
		t.Errorf("exiftool -validate: %s", v)
	}
}

func TestExiftoolReadsLightroomSidecar(t *testing.T) {
	photo, sidecar, _ := withSidecar(t, "lightroom.xmp", "photo.xmp")
	if _, err := Write(photo, dogKeywords); err != nil {
		t.Fatal(err)
	}
	subjects, _ := keywordsTags(t, filepath.Join(filepath.Dir(photo), "photo.xmp"))
	sameStrings(t, "Subject", subjects, []string{"Paris", "cat", "dog", "animal"})
	if _, err := os.Lstat(sidecar); err != nil {
		t.Fatal(err)
	}
}

// Faces are written as unnamed MWG face regions that exiftool reads, rewritten whole when they
// change, and taken away by Remove; a sidecar with someone else's regions (named faces) keeps
// them, and Spotter adds none beside them.
func TestExiftoolReadsFaceRegions(t *testing.T) {
	photo := newPhoto(t)
	k := catKeywords
	k.Dimensions = [2]int{640, 480}
	k.Faces = []Region{{X: 0.5, Y: 0.25, W: 0.125, H: 0.25}, {X: 0.1, Y: 0.9, W: 0.05, H: 0.0625}}
	c, err := Write(photo, k)
	if err != nil || c.Faces != 2 {
		t.Fatalf("Write = %+v, %v", c, err)
	}
	if _, v := xmpTags(t, c.Sidecar); v != "OK <nil>" {
		t.Errorf("exiftool -validate: %s", v)
	}
	regions := func() map[string]any {
		t.Helper()
		return exiftool(t, "-XMP-mwg-rs:all", c.Sidecar)
	}
	tags := regions()
	want := map[string]string{
		"XMP-mwg-rs:RegionType": "[Face Face]", "XMP-mwg-rs:RegionAreaX": "[0.5 0.1]", "XMP-mwg-rs:RegionAreaY": "[0.25 0.9]",
		"XMP-mwg-rs:RegionAreaW": "[0.125 0.05]", "XMP-mwg-rs:RegionAreaH": "[0.25 0.0625]", "XMP-mwg-rs:RegionAreaUnit": "[normalized normalized]",
		"XMP-mwg-rs:RegionAppliedToDimensionsW": "640", "XMP-mwg-rs:RegionAppliedToDimensionsH": "480",
	}
	for tag, v := range want {
		if fmt.Sprint(tags[tag]) != v {
			t.Errorf("%s = %v; want %s (all: %v)", tag, tags[tag], v, tags)
		}
	}
	if _, named := tags["XMP-mwg-rs:RegionName"]; named {
		t.Errorf("Spotter named a face: %v", tags)
	}
	if c, err := Write(photo, k); err != nil || c.Changed || c.Faces != 0 {
		t.Errorf("the same faces again: %+v, %v; want nothing changed", c, err)
	}
	k.Faces = k.Faces[:1]
	if c, err := Write(photo, k); err != nil || !c.Changed || c.Faces != 1 {
		t.Errorf("one face fewer: %+v, %v", c, err)
	}
	if got := fmt.Sprint(regions()["XMP-mwg-rs:RegionAreaX"]); got != "0.5" {
		t.Errorf("after one face went, the regions' x are %s", got)
	}
	if c, err := Remove(photo); err != nil || !c.Delete || c.Faces != 1 {
		t.Errorf("Remove = %+v, %v; want the sidecar Spotter made gone", c, err)
	}

	// A person's named face stays, and Spotter's faces are not mixed in.
	runExiftool(t, "-o", c.Sidecar, "-XMP-mwg-rs:RegionName=Ann", "-XMP-mwg-rs:RegionType=Face",
		"-XMP-mwg-rs:RegionAreaX=0.3", "-XMP-mwg-rs:RegionAreaY=0.3", "-XMP-mwg-rs:RegionAreaW=0.1", "-XMP-mwg-rs:RegionAreaH=0.1",
		"-XMP-mwg-rs:RegionAreaUnit=normalized")
	before := regions()
	if c, err := Write(photo, k); err != nil || c.Faces != 0 {
		t.Fatalf("Write beside a named face = %+v, %v", c, err)
	}
	if after := regions(); !maps.EqualFunc(after, before, func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
		t.Errorf("the person's regions %v became %v", before, after)
	}
	if _, err := Remove(photo); err != nil {
		t.Fatal(err)
	}
	if after := regions(); fmt.Sprint(after["XMP-mwg-rs:RegionName"]) != "Ann" {
		t.Errorf("after Remove the person's regions are %v", after)
	}
}
