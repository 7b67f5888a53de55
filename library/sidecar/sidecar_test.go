package sidecar

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var catKeywords = Keywords{
	Subjects:    []string{"cat", "animal"},
	Hierarchies: []string{"animal|cat"},
	Class:       "Egyptian cat",
	Probability: 0.47,
	Model:       "mobilenet_v2_1.0_224_quant",
	Date:        time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC),
}

var dogKeywords = Keywords{
	Subjects:    []string{"dog", "animal"},
	Hierarchies: []string{"animal|dog"},
	Class:       "malamute, malemute, Alaskan malamute",
	Probability: 0.81,
	Model:       "mobilenet_v2_1.0_224_quant",
	Date:        time.Date(2026, 11, 30, 19, 0, 0, 0, time.UTC),
}

// newPhoto makes a folder with photo.jpg in it and checks, when the test ends, that the photo
// was neither changed nor touched.
func newPhoto(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	photo := filepath.Join(dir, "photo.jpg")
	data := []byte("\xff\xd8\xff\xe0 not decoded by the sidecar package \xff\xd9")
	if err := os.WriteFile(photo, data, 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(photo, old, old); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		got, err := os.ReadFile(photo)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("the photo changed: %q, %v", got, err)
		}
		if fi, err := os.Stat(photo); err != nil || !fi.ModTime().Equal(old) {
			t.Errorf("the photo's modification time changed: %v", fi.ModTime())
		}
	})
	return photo
}

// withSidecar puts testdata/fixture beside a new photo under the given name.
func withSidecar(t testing.TB, fixture, name string) (photo, sidecar string, orig []byte) {
	t.Helper()
	photo = newPhoto(t)
	orig, err := os.ReadFile(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	sidecar = filepath.Join(filepath.Dir(photo), name)
	if err := os.WriteFile(sidecar, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	return photo, sidecar, orig
}

func read(t *testing.T, photo string) Info {
	t.Helper()
	info, err := Read(photo)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func sameStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// The forms other apps write, each with its own keywords. Spotter adds cat and animal, keeps
// everything else, and Remove gives back the very bytes it found.
var fixtures = []struct {
	file          string
	subjects      []string
	hierarchies   []string
	addedSubjects []string
}{
	{"exiftool.xmp", []string{"holiday"}, nil, []string{"cat", "animal"}},
	{"darktable.xmp", nil, nil, []string{"cat", "animal"}},
	{"darktable-tagged.xmp", []string{"paris", "animal"}, []string{"places|paris", "darktable|format|cr2"}, []string{"cat"}},
	{"digikam.xmp", []string{"Paris", "Anna"}, []string{"Places|Paris", "People|Anna"}, []string{"cat", "animal"}},
	{"lightroom.xmp", []string{"Paris", "cat"}, []string{"Places|France|Paris"}, []string{"animal"}},
	{"bare-rdf.xmp", nil, nil, []string{"cat", "animal"}},
}

func TestMergeKeepsOtherAppsSidecars(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.file, func(t *testing.T) {
			photo, sidecar, orig := withSidecar(t, f.file, "photo.jpg.xmp")
			before := read(t, photo)
			sameStrings(t, "subjects before", before.Subjects, f.subjects)
			if before.Spotter != nil {
				t.Fatalf("a sidecar Spotter never wrote has a Spotter record: %+v", before.Spotter)
			}

			c, err := Write(photo, catKeywords)
			if err != nil {
				t.Fatal(err)
			}
			if c.Sidecar != sidecar || c.Create || !c.Changed {
				t.Errorf("Write's change = %+v, want an update of %s", c, sidecar)
			}
			sameStrings(t, "added", c.Subjects.Added, f.addedSubjects)
			after := read(t, photo)
			sameStrings(t, "subjects after Write", after.Subjects, append(slices.Clone(f.subjects), f.addedSubjects...))
			sameStrings(t, "hierarchies after Write", after.Hierarchies, append(slices.Clone(f.hierarchies), "animal|cat"))
			if after.Spotter == nil || after.Created {
				t.Fatalf("after Write: Spotter record %+v, created %v; want a record in a file Spotter did not create", after.Spotter, after.Created)
			}
			sameStrings(t, "Spotter's own subjects", after.Spotter.Subjects, f.addedSubjects)
			if after.Spotter.Class != catKeywords.Class || after.Spotter.Probability != catKeywords.Probability ||
				after.Spotter.Model != catKeywords.Model || !after.Spotter.Date.Equal(catKeywords.Date) {
				t.Errorf("record read back = %+v, want %+v", after.Spotter, catKeywords)
			}
			written, _ := os.ReadFile(sidecar)
			if !keepsAllBut(orig, written) {
				t.Errorf("Write changed bytes Spotter does not own:\n%s", written)
			}
			if bytes.Contains(written, []byte("spotter:digiKamTags")) != bytes.Contains(orig, []byte("digiKam:TagsList")) {
				t.Errorf("Spotter's record of digiKam tags does not match the file's TagsList:\n%s", written)
			}

			c, err = Remove(photo)
			if err != nil {
				t.Fatal(err)
			}
			if c.Delete {
				t.Error("Remove would delete a sidecar Spotter did not create")
			}
			sameStrings(t, "removed", c.Subjects.Removed, f.addedSubjects)
			got, err := os.ReadFile(sidecar)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, orig) {
				t.Errorf("after Write and Remove the sidecar is not as it was:\n%s", got)
			}
		})
	}
}

// keepsAllBut says that out holds every byte of orig in order, with only insertions: what
// Spotter writes into a sidecar it did not write before.
func keepsAllBut(orig, out []byte) bool {
	i := 0
	for _, b := range out {
		if i < len(orig) && orig[i] == b {
			i++
		}
	}
	return i == len(orig)
}

func TestWindowsLineEndsAreKept(t *testing.T) {
	photo := newPhoto(t)
	orig := bytes.ReplaceAll(mustRead(t, "testdata/digikam.xmp"), []byte("\n"), []byte("\r\n"))
	os.WriteFile(photo+".xmp", orig, 0o644)
	if _, err := Write(photo, catKeywords); err != nil {
		t.Fatal(err)
	}
	b := mustRead(t, photo+".xmp")
	if n := bytes.Count(b, []byte("\n")); n != bytes.Count(b, []byte("\r\n")) {
		t.Errorf("%d line feeds, %d of them after a carriage return:\n%q", n, bytes.Count(b, []byte("\r\n")), b)
	}
	sameStrings(t, "subjects", read(t, photo).Subjects, []string{"Paris", "Anna", "cat", "animal"})
	if _, err := Remove(photo); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustRead(t, photo+".xmp"), orig) {
		t.Error("after Write and Remove the sidecar is not as it was")
	}
}

func TestFreshSidecarIsDeletedByRemove(t *testing.T) {
	photo := newPhoto(t)
	c, err := Plan(photo, catKeywords)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Create || c.Sidecar != photo+".xmp" {
		t.Errorf("Plan = %+v, want a new %s.xmp", c, photo)
	}
	if _, err := os.Lstat(c.Sidecar); !os.IsNotExist(err) {
		t.Fatalf("Plan wrote %s", c.Sidecar)
	}
	if _, err := Write(photo, catKeywords); err != nil {
		t.Fatal(err)
	}
	info := read(t, photo)
	if !info.Exists || !info.Created {
		t.Errorf("a sidecar Spotter made: %+v", info)
	}
	sameStrings(t, "subjects", info.Subjects, catKeywords.Subjects)
	fi, _ := os.Stat(c.Sidecar)
	if fi.Mode().Perm() != newMode(t) {
		t.Errorf("a new sidecar has mode %v, want %v, as any new file", fi.Mode().Perm(), newMode(t))
	}
	c, err = Remove(photo)
	if err != nil || !c.Delete {
		t.Fatalf("Remove = %+v, %v; want the sidecar deleted", c, err)
	}
	if _, err := os.Lstat(c.Sidecar); !os.IsNotExist(err) {
		t.Errorf("%s is still there", c.Sidecar)
	}
	if entries, _ := os.ReadDir(filepath.Dir(photo)); len(entries) != 1 {
		t.Errorf("the folder holds more than the photo: %v", entries)
	}
}

func TestSidecarSpotterMadeIsKeptWhenSomeoneAddedToIt(t *testing.T) {
	photo := newPhoto(t)
	if _, err := Write(photo, catKeywords); err != nil {
		t.Fatal(err)
	}
	// The person adds their own keyword in their photo app.
	sidecar := Path(photo)
	b, _ := os.ReadFile(sidecar)
	b = bytes.Replace(b, []byte("<rdf:li>animal</rdf:li>"), []byte("<rdf:li>animal</rdf:li>\n     <rdf:li>Mittens</rdf:li>"), 1)
	os.WriteFile(sidecar, b, 0o644)

	c, err := Remove(photo)
	if err != nil || c.Delete {
		t.Fatalf("Remove = %+v, %v; want the person's keyword kept in the file", c, err)
	}
	info := read(t, photo)
	sameStrings(t, "subjects", info.Subjects, []string{"Mittens"})
	if info.Spotter != nil || len(info.Hierarchies) != 0 {
		t.Errorf("Spotter's record or hierarchy left after Remove: %+v", info)
	}
	if b, _ := os.ReadFile(sidecar); bytes.Contains(b, []byte(Namespace)) {
		t.Errorf("Spotter's namespace is still declared:\n%s", b)
	}
}

func TestPersonKeywordsAreNeitherDuplicatedNorClaimed(t *testing.T) {
	photo, _, _ := withSidecar(t, "lightroom.xmp", "photo.xmp")
	c, err := Write(photo, catKeywords)
	if err != nil {
		t.Fatal(err)
	}
	sameStrings(t, "present", c.Subjects.Present, []string{"cat"})
	info := read(t, photo)
	sameStrings(t, "subjects", info.Subjects, []string{"Paris", "cat", "animal"})
	sameStrings(t, "Spotter's", info.Spotter.Subjects, []string{"animal"})
	// Case matters: "Cat" is another keyword than the person's "cat".
	if _, err := Write(photo, Keywords{Subjects: []string{"Cat"}}); err != nil {
		t.Fatal(err)
	}
	sameStrings(t, "subjects", read(t, photo).Subjects, []string{"Paris", "cat", "Cat"})
	if _, err := Remove(photo); err != nil {
		t.Fatal(err)
	}
	sameStrings(t, "subjects after Remove", read(t, photo).Subjects, []string{"Paris", "cat"})
}

// digiKam shows the tags of its own list alone when a sidecar has one, so Spotter's go there too
// (and to Windows Photo Gallery's, digiKam's second choice), in digiKam's form, and only
// Spotter's are taken away again. The person has animal/dog in TagsList only.
func TestDigiKamTagsList(t *testing.T) {
	photo := newPhoto(t)
	orig := bytes.Replace(mustRead(t, "testdata/digikam.xmp"), []byte("<rdf:li>People/Anna</rdf:li>"), []byte("<rdf:li>People/Anna</rdf:li>\n     <rdf:li>animal/dog</rdf:li>"), 1)
	os.WriteFile(photo+".xmp", orig, 0o644)
	if _, err := Write(photo, catKeywords); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(photo, Keywords{Subjects: []string{"dog"}, Hierarchies: []string{"animal|dog", "pet|dog"}}); err != nil {
		t.Fatal(err)
	}
	doc, err := parse(mustRead(t, photo+".xmp"))
	if err != nil {
		t.Fatal(err)
	}
	v := doc.view()
	sameStrings(t, "TagsList", allValues(v.bags[listDigiKamTags]), []string{"Places/Paris", "People/Anna", "animal/dog", "pet/dog"})
	sameStrings(t, "Spotter's tags", v.owned[listDigiKamTags], []string{"pet/dog"})
	sameStrings(t, "LastKeywordXMP", allValues(v.bags[listMicrosoftKeywords]), []string{"Places/Paris", "People/Anna", "animal/dog", "pet/dog"})
	sameStrings(t, "Spotter's Microsoft keywords", v.owned[listMicrosoftKeywords], []string{"animal/dog", "pet/dog"})
	if _, err := Remove(photo); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mustRead(t, photo+".xmp"), orig) {
		t.Error("after Write and Remove the sidecar is not as it was")
	}
}

func TestRewriteReplacesOnlySpotterKeywords(t *testing.T) {
	photo, sidecar, _ := withSidecar(t, "digikam.xmp", "photo.jpg.xmp")
	if _, err := Write(photo, catKeywords); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(sidecar)
	c, err := Write(photo, catKeywords)
	if err != nil || c.Changed {
		t.Fatalf("writing the same keywords again = %+v, %v; want no change", c, err)
	}
	if again, _ := os.ReadFile(sidecar); !bytes.Equal(again, first) {
		t.Error("writing the same keywords again rewrote the file")
	}
	c, err = Write(photo, dogKeywords)
	if err != nil {
		t.Fatal(err)
	}
	sameStrings(t, "added", c.Subjects.Added, []string{"dog"})
	sameStrings(t, "present", c.Subjects.Present, []string{"animal"})
	sameStrings(t, "removed", c.Subjects.Removed, []string{"cat"})
	info := read(t, photo)
	sameStrings(t, "subjects", info.Subjects, []string{"Paris", "Anna", "animal", "dog"})
	sameStrings(t, "hierarchies", info.Hierarchies, []string{"Places|Paris", "People|Anna", "animal|dog"})
	sameStrings(t, "Spotter's", info.Spotter.Subjects, []string{"dog", "animal"})
	if info.Spotter.Class != dogKeywords.Class {
		t.Errorf("class = %q", info.Spotter.Class)
	}
	if n := bytes.Count(mustRead(t, sidecar), []byte("<spotter:class>")); n != 1 {
		t.Errorf("%d Spotter records after a rewrite, want 1", n)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exiv2 (darktable, digiKam) rewrites a sidecar with simple properties as attributes; Spotter's
// record must still be found, replaced and removed in that form.
func TestRecordAsAttributes(t *testing.T) {
	photo, sidecar, _ := withSidecar(t, "spotter-compact.xmp", "photo.jpg.xmp")
	info := read(t, photo)
	if info.Spotter == nil || info.Spotter.Class != "tabby" || !info.Created {
		t.Fatalf("record in attributes not read: %+v", info)
	}
	if _, err := Write(photo, dogKeywords); err != nil {
		t.Fatal(err)
	}
	info = read(t, photo)
	sameStrings(t, "subjects", info.Subjects, []string{"animal", "garden", "dog"})
	if info.Spotter.Class != dogKeywords.Class || !info.Created {
		t.Errorf("record after Write: %+v, created %v", info.Spotter, info.Created)
	}
	b := mustRead(t, sidecar)
	if bytes.Contains(b, []byte(`spotter:class="tabby"`)) || !bytes.Contains(b, []byte(`xmp:Rating="2"`)) {
		t.Errorf("old record left or rating lost:\n%s", b)
	}
	c, err := Remove(photo)
	if err != nil || c.Delete {
		t.Fatalf("Remove = %+v, %v; the file holds a rating and the person's keyword", c, err)
	}
	info = read(t, photo)
	sameStrings(t, "subjects", info.Subjects, []string{"garden"})
	if info.Spotter != nil || len(info.Hierarchies) != 0 {
		t.Errorf("left after Remove: %+v", info)
	}
	if b := mustRead(t, sidecar); bytes.Contains(b, []byte("spotter")) || !bytes.Contains(b, []byte(`xmp:Rating="2"`)) {
		t.Errorf("after Remove:\n%s", b)
	}
}

func TestPathPrefersAnExistingSidecar(t *testing.T) {
	dir := t.TempDir()
	photo := filepath.Join(dir, "IMG_1.CR2")
	if got := Path(photo); got != photo+".xmp" {
		t.Errorf("no sidecar: Path = %s", got)
	}
	os.WriteFile(filepath.Join(dir, "IMG_1.xmp"), nil, 0o644)
	if got := Path(photo); got != filepath.Join(dir, "IMG_1.xmp") {
		t.Errorf("Lightroom's sidecar: Path = %s", got)
	}
	os.WriteFile(photo+".xmp", nil, 0o644)
	if got := Path(photo); got != photo+".xmp" {
		t.Errorf("both forms: Path = %s, want darktable's", got)
	}
}

func TestLightroomSidecarIsUpdated(t *testing.T) {
	photo, sidecar, _ := withSidecar(t, "lightroom.xmp", "photo.xmp")
	c, err := Write(photo, catKeywords)
	if err != nil {
		t.Fatal(err)
	}
	if c.Sidecar != sidecar || c.Create {
		t.Errorf("Write went to %s (create %v), want %s", c.Sidecar, c.Create, sidecar)
	}
	if _, err := os.Lstat(photo + ".xmp"); !os.IsNotExist(err) {
		t.Error("a second sidecar, NAME.EXT.xmp, was made beside Lightroom's")
	}
}

// symlink makes a link, or skips the test where the person may not (Windows
// without Developer Mode).
func symlink(t *testing.T, target, link string) {
	if err := os.Symlink(target, link); err != nil {
		t.Skip("cannot make a symbolic link here:", err)
	}
}

// withRecord gives exiftool.xmp a Spotter record, so that Remove has something to do.
func withRecord(orig []byte) []byte {
	dc := []byte("xmlns:dc='http://purl.org/dc/elements/1.1/'")
	return bytes.Replace(orig, dc, append(dc, " xmlns:spotter='"+Namespace+"' spotter:class='tabby'"...), 1)
}

func TestWritesAreRefusedWithTheFileUnchanged(t *testing.T) {
	cases := []struct {
		name, want string
		make       func(t *testing.T, sidecar string, orig []byte)
	}{
		{"garbage", "is not an XMP sidecar", func(t *testing.T, s string, _ []byte) {
			os.WriteFile(s, []byte("\x00\x01PNG garbage, not XML"), 0o644)
		}},
		{"not RDF", "has no rdf:RDF element", func(t *testing.T, s string, _ []byte) {
			os.WriteFile(s, []byte(`<?xml version="1.0"?><html><body>hi</body></html>`), 0o644)
		}},
		{"cut off", "is cut off", func(t *testing.T, s string, orig []byte) {
			os.WriteFile(s, orig[:len(orig)*2/3], 0o644)
		}},
		{"empty", "is not an XMP sidecar", func(t *testing.T, s string, _ []byte) {
			os.WriteFile(s, nil, 0o644)
		}},
		{"symbolic link", "is a symbolic link", func(t *testing.T, s string, orig []byte) {
			target := filepath.Join(t.TempDir(), "elsewhere.xmp")
			os.WriteFile(target, orig, 0o644)
			symlink(t, target, s)
		}},
		{"dangling link", "is a symbolic link", func(t *testing.T, s string, _ []byte) {
			symlink(t, filepath.Join(t.TempDir(), "nothing"), s)
		}},
		{"read-only file", "is read-only", func(t *testing.T, s string, orig []byte) {
			os.WriteFile(s, withRecord(orig), 0o444)
		}},
		{"folder", "is not a regular file", func(t *testing.T, s string, _ []byte) {
			os.Mkdir(s, 0o755)
		}},
		{"subject without a bag", "cannot add to", func(t *testing.T, s string, orig []byte) {
			os.WriteFile(s, bytes.Replace(orig, []byte("<rdf:Bag>\n    <rdf:li>holiday</rdf:li>\n   </rdf:Bag>"), []byte("holiday"), 1), 0o644)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			photo := newPhoto(t)
			orig := mustRead(t, "testdata/exiftool.xmp")
			sidecar := photo + ".xmp"
			tc.make(t, sidecar, orig)
			before := snapshot(t, filepath.Dir(photo))
			for op, run := range map[string]func() (Change, error){
				"Write":  func() (Change, error) { return Write(photo, catKeywords) },
				"Plan":   func() (Change, error) { return Plan(photo, catKeywords) },
				"Remove": func() (Change, error) { return Remove(photo) },
			} {
				if op == "Remove" && tc.name == "subject without a bag" {
					continue // nothing of Spotter's to remove there: not an error
				}
				_, err := run()
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), sidecar) {
					t.Errorf("%s: error %v, want one naming %s that says %q", op, err, sidecar, tc.want)
				}
				if after := snapshot(t, filepath.Dir(photo)); after != before {
					t.Errorf("%s changed the folder:\n%s\nwas:\n%s", op, after, before)
				}
			}
			switch _, err := Read(photo); tc.name {
			case "subject without a bag", "read-only file":
				if err != nil {
					t.Errorf("Read: %v", err)
				}
			default:
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Read: error %v, want %q", err, tc.want)
				}
			}
		})
	}
}

// snapshot describes every file in dir, links and their targets included, to show that
// nothing changed.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		fi, _ := os.Lstat(p)
		data, _ := os.ReadFile(p)
		target, _ := os.Readlink(p)
		b.WriteString(e.Name() + " " + fi.Mode().String() + " " + fi.ModTime().String() + " -> " + target + "\n" + string(data) + "\n")
	}
	return b.String()
}

func TestKeywordsXMPCannotHoldAreRefused(t *testing.T) {
	photo := newPhoto(t)
	_, err := Write(photo, Keywords{Subjects: []string{"cat\x00"}})
	if err == nil || !strings.Contains(err.Error(), "control character") {
		t.Errorf("error = %v", err)
	}
	if _, err := os.Lstat(photo + ".xmp"); !os.IsNotExist(err) {
		t.Error("a sidecar was written")
	}
}

func TestMarkupInKeywordsIsEscaped(t *testing.T) {
	photo := newPhoto(t)
	k := Keywords{Subjects: []string{`fish & chips`, `<b>"bold"</b>`}, Class: "a < b"}
	if _, err := Write(photo, k); err != nil {
		t.Fatal(err)
	}
	info := read(t, photo)
	sameStrings(t, "subjects", info.Subjects, k.Subjects)
	if info.Spotter.Class != k.Class {
		t.Errorf("class = %q", info.Spotter.Class)
	}
}

func TestPhotoMustExist(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(filepath.Join(dir, "gone.jpg"), catKeywords); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("error = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("wrote %v for a photo that does not exist", entries)
	}
}

func TestWriteAllSharesNoSidecarBetweenWriters(t *testing.T) {
	dir := t.TempDir()
	var jobs []Job
	for i := range 40 {
		p := filepath.Join(dir, "p"+string(rune('a'+i%20))+[]string{".jpg", ".cr2"}[i/20])
		os.WriteFile(p, nil, 0o644)
		k := catKeywords
		k.Subjects = []string{"cat", "n" + string(rune('a'+i))}
		jobs = append(jobs, Job{p, k})
	}
	// Lightroom's NAME.xmp: pa.jpg and pa.cr2 share it, so their writes must not race; the
	// later one's keywords replace the earlier one's.
	for i := range 20 {
		os.WriteFile(filepath.Join(dir, "p"+string(rune('a'+i))+".xmp"), mustRead(t, "testdata/exiftool.xmp"), 0o644)
	}
	for i, r := range WriteAll(jobs) {
		if r.Err != nil {
			t.Fatalf("job %d: %v", i, r.Err)
		}
	}
	for i := range 20 {
		info := read(t, jobs[i].Photo)
		sameStrings(t, "subjects of "+info.Sidecar, info.Subjects, []string{"holiday", "cat", jobs[i+20].Keywords.Subjects[1]})
	}
	for i, r := range RemoveAll([]string{jobs[0].Photo, jobs[20].Photo}) {
		if r.Err != nil {
			t.Fatalf("remove %d: %v", i, r.Err)
		}
	}
	sameStrings(t, "after RemoveAll", read(t, jobs[0].Photo).Subjects, []string{"holiday"})
}
