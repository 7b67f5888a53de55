package sidecar

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var exiv2Line = regexp.MustCompile(`^(\S+)\s+(\S+)\s+\d+(?:  (.*))?$`)

// exiv2 returns the XMP properties exiv2 reads in file, lists split into their items, and what
// it warned about. exiv2 is the library darktable and digiKam read sidecars with, so what its
// command-line tool prints is what they see.
func exiv2(t *testing.T, file string) (props map[string][]string, warnings string) {
	t.Helper()
	path, err := exec.LookPath("exiv2")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("exiv2 is missing: install the exiv2 package")
		}
		t.Skip("exiv2 is missing: install the exiv2 package to run this test")
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(path, "-px", file)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("exiv2 -px %s: %v\n%s", file, err, stderr.Bytes())
	}
	props = map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		m := exiv2Line.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("exiv2 printed %q", line)
		}
		if m[2] == "XmpBag" || m[2] == "XmpSeq" {
			props[m[1]] = strings.Split(m[3], ", ")
		} else {
			props[m[1]] = []string{m[3]}
		}
	}
	return props, stderr.String()
}

func TestExiv2ReadsSidecars(t *testing.T) {
	cases := append([]string{""}, "exiftool.xmp", "darktable.xmp", "darktable-tagged.xmp", "digikam.xmp", "lightroom.xmp")
	for _, fixture := range cases {
		name := fixture
		if name == "" {
			name = "new sidecar"
		}
		t.Run(name, func(t *testing.T) {
			var photo, sidecar string
			before, warned := map[string][]string{}, ""
			if fixture == "" {
				photo = newPhoto(t)
				sidecar = photo + ".xmp"
			} else {
				photo, sidecar, _ = withSidecar(t, fixture, "photo.jpg.xmp")
				before, warned = exiv2(t, sidecar)
			}
			if _, err := Write(photo, catKeywords); err != nil {
				t.Fatal(err)
			}
			after, warnings := exiv2(t, sidecar)
			if warnings != warned {
				t.Errorf("exiv2 warns %q after Write, %q before", warnings, warned)
			}
			plus := func(key string, values ...string) []string {
				return append(slices.Clone(before[key]), values...)
			}
			var added []string
			for _, s := range catKeywords.Subjects {
				if !slices.Contains(before["Xmp.dc.subject"], s) {
					added = append(added, s)
				}
			}
			sameStrings(t, "Xmp.dc.subject", after["Xmp.dc.subject"], plus("Xmp.dc.subject", added...))
			sameStrings(t, "Xmp.lr.hierarchicalSubject", after["Xmp.lr.hierarchicalSubject"], plus("Xmp.lr.hierarchicalSubject", "animal|cat"))
			digiKam := []string{"Xmp.digiKam.TagsList", "Xmp.MicrosoftPhoto.LastKeywordXMP"}
			for _, key := range digiKam {
				if before[key] != nil {
					sameStrings(t, key, after[key], plus(key, "animal/cat"))
				} else if after[key] != nil {
					t.Errorf("%s was made: %q", key, after[key])
				}
			}
			if (before["Xmp.digiKam.TagsList"] != nil) != (after["Xmp.spotter.digiKamTags"] != nil) {
				t.Errorf("Spotter records digiKam tags %q for a TagsList of %q", after["Xmp.spotter.digiKamTags"], before["Xmp.digiKam.TagsList"])
			}
			sameStrings(t, "Xmp.spotter.class", after["Xmp.spotter.class"], []string{catKeywords.Class})
			for key, v := range before {
				if !strings.HasPrefix(key, "Xmp.dc.subject") && !strings.HasPrefix(key, "Xmp.lr.") && !slices.Contains(digiKam, key) {
					sameStrings(t, key, after[key], v)
				}
			}
			if _, err := Remove(photo); err != nil {
				t.Fatal(err)
			}
			if fixture == "" {
				return
			}
			if again, _ := exiv2(t, sidecar); !maps.EqualFunc(again, before, slices.Equal) {
				t.Errorf("after Remove exiv2 reads %q, before %q", again, before)
			}
		})
	}
}
