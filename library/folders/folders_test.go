package folders

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/library/catalog"
)

func write(t *testing.T, root string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(root, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWalkKeepsPhotosOnly(t *testing.T) {
	root := t.TempDir()
	write(t, root, "a.jpg", "b.JPEG", "c.nef", "c.nef.xmp", "d.jpg.xmp", "notes.txt", ".hidden.jpg",
		".thumbnails/x.png", "sub/e.heic", "sub/deeper/f.png", "excluded/g.jpg", "own/h.jpg", "catalog.db", "trip/i.avif")
	if err := os.Symlink(filepath.Join(root, "sub"), filepath.Join(root, "link-to-sub")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "a.jpg"), filepath.Join(root, "link.jpg")); err != nil {
		t.Fatal(err)
	}
	r := NewRules([]string{root}, []string{filepath.Join(root, "excluded")},
		[]string{filepath.Join(root, "own"), filepath.Join(root, "catalog.db")})
	var dirs, photos []string
	err := r.Walk(context.Background(), root, true, func(d string) { dirs = append(dirs, rel(root, d)) },
		func(p string, fi fs.FileInfo) {
			if !fi.Mode().IsRegular() {
				t.Errorf("%s: mode %v", p, fi.Mode())
			}
			photos = append(photos, rel(root, p))
		})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{".", "sub", "sub/deeper", "trip"}; !slices.Equal(dirs, want) {
		t.Errorf("folders %q; want %q", dirs, want)
	}
	if want := []string{"a.jpg", "b.JPEG", "c.nef", "link.jpg", "sub/deeper/f.png", "sub/e.heic", "trip/i.avif"}; !slices.Equal(photos, want) {
		t.Errorf("photos %q; want %q", photos, want)
	}
	photos = nil
	if err := r.Walk(context.Background(), root, false, nil, func(p string, _ fs.FileInfo) { photos = append(photos, rel(root, p)) }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.jpg", "b.JPEG", "c.nef", "link.jpg"}; !slices.Equal(photos, want) {
		t.Errorf("one folder's photos %q; want %q", photos, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Walk(ctx, root, true, nil, func(string, fs.FileInfo) {}); err == nil {
		t.Error("Walk went on after its context ended")
	}
	if got := r.Root(filepath.Join(root, "sub", "e.heic")); got != root {
		t.Errorf("Root = %q", got)
	}
	if got := r.Root(root + "-other/x.jpg"); got != "" {
		t.Errorf("Root of a path beside the library folder = %q", got)
	}
}

func rel(root, p string) string {
	r, _ := filepath.Rel(root, p)
	return r
}

func TestWithin(t *testing.T) {
	for _, c := range []struct {
		path, dir string
		want      bool
	}{
		{"/a/b", "/a", true}, {"/a", "/a", true}, {"/ab", "/a", false}, {"/a/b", "/", true}, {"/a", "/a/b", false},
	} {
		if got := Within(filepath.FromSlash(c.path), filepath.FromSlash(c.dir)); got != c.want {
			t.Errorf("Within(%q, %q) = %v", c.path, c.dir, got)
		}
	}
}

func openCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Open(filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestAddRemoveExcludeInclude(t *testing.T) {
	c := openCatalog(t)
	home := t.TempDir()
	write(t, home, "Pictures/Trips/a.jpg", "Pictures/Phone/b.jpg", "file.jpg")
	pictures := filepath.Join(home, "Pictures")
	phone := filepath.Join(pictures, "Phone")

	t.Chdir(home)
	if got, _, err := Add(c, "Pictures/Phone"); err != nil || got != phone {
		t.Fatalf("Add of a relative path: %q, %v", got, err)
	}
	got, replaced, err := Add(c, pictures)
	if err != nil || got != pictures || !slices.Equal(replaced, []string{phone}) {
		t.Errorf("Add of the folder above: %q, replaced %q, %v", got, replaced, err)
	}
	for _, bad := range []struct{ path, says string }{
		{phone, "inside the library folder"},
		{filepath.Join(home, "none"), "does not exist"},
		{filepath.Join(home, "file.jpg"), "is a file, not a folder"},
	} {
		if _, _, err := Add(c, bad.path); err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("Add(%s): %v; want it to say %q", bad.path, err, bad.says)
		}
	}
	if _, _, err := Add(c, pictures); err != nil {
		t.Errorf("adding a library folder again: %v", err)
	}
	roots, _ := c.Folders(catalog.Library)
	if len(roots) != 1 || roots[0].Path != pictures || roots[0].Mount == "" {
		t.Errorf("library folders: %+v", roots)
	}

	trips := filepath.Join(pictures, "Trips")
	if _, err := Exclude(c, trips); err != nil {
		t.Error(err)
	}
	for _, bad := range []struct{ path, says string }{
		{pictures, "remove it instead"},
		{filepath.Join(home, "elsewhere"), "not inside a library folder"},
	} {
		if _, err := Exclude(c, bad.path); err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("Exclude(%s): %v; want it to say %q", bad.path, err, bad.says)
		}
	}
	r, _, err := Load(c)
	if err != nil || !r.SkipDir(trips) || r.SkipDir(phone) || !r.SkipDir(filepath.Join(trips, "2024")) {
		t.Errorf("rules after Exclude: %+v, %v", r, err)
	}
	if !slices.Contains(r.own, c.Path()) || r.Photo(c.Path()+"-wal") {
		t.Errorf("the catalogue is not Spotter's own: %q", r.own)
	}
	if _, err := Include(c, trips); err != nil {
		t.Error(err)
	}
	if _, err := Include(c, trips); err == nil || !strings.Contains(err.Error(), "is not excluded") {
		t.Errorf("Include of a folder not excluded: %v", err)
	}
	if _, err := Remove(c, pictures); err != nil {
		t.Error(err)
	}
	if _, err := Remove(c, pictures); err == nil || !strings.Contains(err.Error(), "is not a library folder") {
		t.Errorf("Remove of a folder not in the library: %v", err)
	}
}
