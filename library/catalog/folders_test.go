package catalog

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func folderPaths(t *testing.T, c *Catalog, kind FolderKind) []string {
	t.Helper()
	fs, err := c.Folders(kind)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, f.Path)
	}
	return out
}

func TestFoldersAndExclusions(t *testing.T) {
	c, _ := openTemp(t)
	for _, p := range []string{"relative/photos", "/a/../b", "/a/"} {
		if err := c.SetFolder(p, Library, ""); err == nil {
			t.Errorf("SetFolder(%q) took a path that is not absolute and clean", p)
		}
	}
	must(t, c.SetFolder("/home/p/Pictures", Library, "/"))
	must(t, c.SetFolder("/media/p/DISK", Library, "/media/p/DISK"))
	must(t, c.SetFolder("/home/p/Pictures/tmp", Excluded, ""))
	if got := folderPaths(t, c, Library); !slices.Equal(got, []string{"/home/p/Pictures", "/media/p/DISK"}) {
		t.Errorf("library folders %q", got)
	}
	if got := folderPaths(t, c, Excluded); !slices.Equal(got, []string{"/home/p/Pictures/tmp"}) {
		t.Errorf("excluded %q", got)
	}
	// A path is one kind or the other.
	must(t, c.SetFolder("/home/p/Pictures/tmp", Library, "/"))
	if got := folderPaths(t, c, Excluded); len(got) != 0 {
		t.Errorf("excluded after adding it as a library folder: %q", got)
	}
	if ok, err := c.RemoveFolder("/media/p/DISK", Excluded); ok || err != nil {
		t.Errorf("removing a library folder as an exclusion: %v, %v", ok, err)
	}
	if ok, err := c.RemoveFolder("/media/p/DISK", Library); !ok || err != nil {
		t.Errorf("RemoveFolder: %v, %v", ok, err)
	}
	fs, err := c.Folders(Library)
	if err != nil || len(fs) != 2 || fs[0].Mount != "/" || !fs[0].Offline.IsZero() || fs[0].Added.IsZero() {
		t.Errorf("Folders: %+v, %v", fs, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// keep stores an answer for a photo written under dir and returns its
// path.
func keep(t *testing.T, c *Catalog, dir, name string, seed byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
		t.Fatal(err)
	}
	p, fi := photo(t, dir, name, content(seed, 2000))
	store(t, c, p, fi, modelA, "dog", 0.9, "animal")
	return p
}

func TestFilesAndFile(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	a := keep(t, c, dir, "a.jpg", 1)
	b := keep(t, c, dir, "sub/b.jpg", 2)
	keep(t, c, dir+"-other", "c.jpg", 3) // shares dir's start, not its folder
	must(t, c.MarkMissing(b))
	got := map[string]Known{}
	must(t, c.Files(dir, modelA, func(p string, k Known) { got[p] = k }))
	if len(got) != 2 || !got[a].Answered || got[a].Missing || got[a].Size != 2000 || !got[a].MTime.Equal(stat(t, a).ModTime()) || !got[b].Missing {
		t.Errorf("Files: %+v", got)
	}
	must(t, c.Files(dir, modelB, func(p string, k Known) {
		if k.Answered {
			t.Errorf("%s answered for a model that never ran", p)
		}
	}))
	if k, ok, err := c.File(a, modelA); !ok || err != nil || !k.Answered {
		t.Errorf("File: %+v, %v, %v", k, ok, err)
	}
	if _, ok, err := c.File(filepath.Join(dir, "none.jpg"), modelA); ok || err != nil {
		t.Errorf("File of an unknown photo: %v, %v", ok, err)
	}
	must(t, c.Present(b))
	if k, _, _ := c.File(b, modelA); k.Missing {
		t.Error("Present left the photo missing")
	}
}

// A renamed photo and a renamed folder keep their rows, answers and
// reviews; nothing is read from the files.
func TestMoveKeepsAnswersAndReviews(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	a := keep(t, c, dir, "a.jpg", 1)
	b := keep(t, c, dir, "trip/b.jpg", 2)
	d := keep(t, c, dir, "trip/deep/deepest.jpg", 3)
	must(t, c.SetReview(a, "dog", Accepted))
	must(t, c.SetReview(b, "dog", Rejected))

	a2 := filepath.Join(dir, "renamed.jpg")
	must(t, c.Move(a, a2))
	if r, err := c.Reviews(a2); err != nil || r["dog"] != Accepted {
		t.Errorf("reviews after the rename: %v, %v", r, err)
	}
	trip2 := filepath.Join(dir, "Trip 2024")
	must(t, c.Move(filepath.Join(dir, "trip"), trip2))
	for _, p := range []string{filepath.Join(trip2, "b.jpg"), filepath.Join(trip2, "deep", "deepest.jpg")} {
		if k, ok, err := c.File(p, modelA); !ok || err != nil || !k.Answered {
			t.Errorf("%s after the folder's rename: %+v, %v, %v", p, k, ok, err)
		}
	}
	if r, _ := c.Reviews(filepath.Join(trip2, "b.jpg")); r["dog"] != Rejected {
		t.Errorf("reviews in the renamed folder: %v", r)
	}
	for _, p := range []string{a, b, d} {
		if _, ok, _ := c.File(p, modelA); ok {
			t.Errorf("%s still in the catalogue after the move", p)
		}
	}
	found, err := c.Search(Filter{Text: "deepest"}, 10)
	if err != nil || len(found) != 1 || found[0].Path != filepath.Join(trip2, "deep", "deepest.jpg") {
		t.Errorf("search by the moved file's name: %v, %v", found, err)
	}
	// A file the catalogue does not hold renamed over a photo (an editor
	// saving): the photo keeps its row, to be classified again.
	must(t, c.Move(filepath.Join(dir, ".a.jpg.tmp"), a2))
	if r, _ := c.Reviews(a2); r["dog"] != Accepted {
		t.Errorf("a temporary file renamed over the photo cost its reviews: %v", r)
	}
}

func missingSince(t *testing.T, c *Catalog, path string) (missing, offline bool, since int64) {
	t.Helper()
	if err := c.db.QueryRow(`SELECT missing, offline, missing_ns FROM photos WHERE path = ?`, []byte(path)).Scan(&missing, &offline, &since); err != nil {
		t.Fatal(err)
	}
	return missing, offline, since
}

func TestGoneAndPrune(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	a := keep(t, c, dir, "a.jpg", 1)
	b := keep(t, c, dir, "sub/b.jpg", 2)
	// SQLite's clock, which stamps the time, counts milliseconds.
	before := time.Now().Truncate(time.Millisecond)
	must(t, os.Remove(a))
	if n, err := c.Gone(a); n != 1 || err != nil {
		t.Fatalf("Gone: %d, %v", n, err)
	}
	missing, _, since := missingSince(t, c, a)
	if !missing || since < before.UnixNano() || since > time.Now().UnixNano() {
		t.Errorf("after Gone: missing %v since %v (the test began at %v)", missing, time.Unix(0, since), before)
	}
	// Gone again keeps the time it went.
	if _, err := c.Gone(a); err != nil {
		t.Fatal(err)
	}
	if _, _, again := missingSince(t, c, a); again != since {
		t.Error("a second Gone moved the time the photo went")
	}
	// Within the grace period nothing goes; after it, the photo does,
	// and only under the roots named.
	if n, err := c.Prune(before, dir); n != 0 || err != nil {
		t.Errorf("Prune within the grace period: %d, %v", n, err)
	}
	if n, err := c.Prune(time.Now().Add(time.Hour), "/elsewhere"); n != 0 || err != nil {
		t.Errorf("Prune of another root: %d, %v", n, err)
	}
	if n, err := c.Prune(time.Now().Add(time.Hour), dir); n != 1 || err != nil {
		t.Errorf("Prune after the grace period: %d, %v", n, err)
	}
	if _, ok, _ := c.File(a, modelA); ok {
		t.Error("the pruned photo is still there")
	}
	if _, ok, _ := c.File(b, modelA); !ok {
		t.Error("Prune took a photo that is there")
	}
	// Found again (Lookup), a photo is no longer missing.
	must(t, os.Remove(b))
	if _, err := c.Gone(filepath.Join(dir, "sub")); err != nil {
		t.Fatal(err)
	}
	if m, _, _ := missingSince(t, c, b); !m {
		t.Error("a folder gone left its photo present")
	}
	if err := os.WriteFile(b, content(2, 2000), 0o644); err != nil {
		t.Fatal(err)
	}
	mustHit(t, c, b, modelA)
	must(t, c.Flush())
	if m, _, since := missingSince(t, c, b); m || since != 0 {
		t.Errorf("found again: missing %v since %d", m, since)
	}
}

// A photo gone whose content is in the catalogue at another path that is
// there goes at once, its reviews joining the copy's.
func TestGoneWithACopyElsewhereGoesAtOnce(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	a := keep(t, c, dir, "a.jpg", 1)
	must(t, c.SetReview(a, "dog", Rejected))
	// Copied to another library folder (another drive: a copy, then the
	// original deleted): Lookup gives the copy its own row.
	other := t.TempDir()
	cp, fi := photo(t, other, "a.jpg", content(1, 2000))
	mustHit(t, c, cp, modelA)
	must(t, c.Flush())
	must(t, os.Remove(a))
	if n, err := c.Gone(a); n != 0 || err != nil {
		t.Fatalf("Gone: %d marked missing, %v; want none", n, err)
	}
	if _, ok, _ := c.File(a, modelA); ok {
		t.Error("the original stayed in the catalogue")
	}
	if r, _ := c.Reviews(cp); r["dog"] != Rejected {
		t.Errorf("the copy's reviews: %v", r)
	}
	_ = fi
}

func TestOfflineIsNeverPruned(t *testing.T) {
	c, _ := openTemp(t)
	dir := t.TempDir()
	a := keep(t, c, dir, "a.jpg", 1)
	b := keep(t, c, dir, "b.jpg", 2)
	must(t, c.SetFolder(dir, Library, dir))
	must(t, os.Remove(b))
	if _, err := c.Gone(b); err != nil {
		t.Fatal(err)
	}
	must(t, c.MarkOffline(dir))
	if m, off, _ := missingSince(t, c, a); !m || !off {
		t.Errorf("a photo of the folder away: missing %v offline %v", m, off)
	}
	if m, off, _ := missingSince(t, c, b); !m || off {
		t.Errorf("a photo deleted before the folder went away: missing %v offline %v; want missing only", m, off)
	}
	fs, _ := c.Folders(Library)
	if len(fs) != 1 || fs[0].Offline.IsZero() {
		t.Errorf("the folder away: %+v", fs)
	}
	if s, err := c.Stats(dir); err != nil || s != (FolderStats{Photos: 2, Missing: 1, Offline: 1}) {
		t.Errorf("Stats: %+v, %v", s, err)
	}
	if n, err := c.Prune(time.Now().Add(time.Hour), dir); n != 1 || err != nil {
		t.Errorf("Prune: %d, %v; want only the deleted photo", n, err)
	}
	page, err := c.Page(Filter{}, 0, 10)
	if err != nil || len(page) != 1 || !page[0].Offline || !page[0].Missing {
		t.Errorf("the offline photo listed: %+v, %v", page, err)
	}
	must(t, c.MarkOnline(dir, "/"))
	if m, off, since := missingSince(t, c, a); m || off || since != 0 {
		t.Errorf("back online: missing %v offline %v since %d", m, off, since)
	}
	if fs, _ := c.Folders(Library); !fs[0].Offline.IsZero() || fs[0].Mount != "/" {
		t.Errorf("the folder back: %+v", fs)
	}
}

// A catalogue of the text release (step 3) is brought up to date: a photo
// missing then counts as missing from the upgrade on.
func TestMigrationFromVersion3(t *testing.T) {
	before := time.Now().Truncate(time.Millisecond)
	c := openMigrated(t, migrations[0]+migrations[1]+migrations[2]+`PRAGMA user_version = 3;
		INSERT INTO photos(id, path, base, size, mtime_ns, fingerprint, added_ns, missing) VALUES(1, CAST('/p/gone.jpg' AS BLOB), CAST('gone.jpg' AS BLOB), 10, 1, X'00', 1, 1);
		INSERT INTO photos(id, path, base, size, mtime_ns, fingerprint, added_ns) VALUES(2, CAST('/p/here.jpg' AS BLOB), CAST('here.jpg' AS BLOB), 10, 1, X'00', 1);`)
	if m, off, since := missingSince(t, c, "/p/gone.jpg"); !m || off || since < before.UnixNano() {
		t.Errorf("the missing photo: missing %v offline %v since %v", m, off, time.Unix(0, since))
	}
	if m, _, since := missingSince(t, c, "/p/here.jpg"); m || since != 0 {
		t.Errorf("the photo there: missing %v since %d", m, since)
	}
	if paused, err := c.IndexingPaused(); paused || err != nil {
		t.Errorf("IndexingPaused: %v, %v", paused, err)
	}
}

func TestPauseOutlivesTheProcess(t *testing.T) {
	c, path := openTemp(t)
	must(t, c.SetIndexingPaused(true))
	must(t, c.Close())
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if paused, err := c.IndexingPaused(); !paused || err != nil {
		t.Errorf("after reopening: paused %v, %v", paused, err)
	}
	must(t, c.SetIndexingPaused(false))
	if paused, _ := c.IndexingPaused(); paused {
		t.Error("still paused after resuming")
	}
}

func TestIndexingLock(t *testing.T) {
	c, _ := openTemp(t)
	if _, ok, err := c.IndexingHolder(); ok || err != nil {
		t.Fatalf("a fresh catalogue has a holder: %v, %v", ok, err)
	}
	h, ok, err := c.TakeIndexing("spotter watch")
	if !ok || err != nil || h.PID != os.Getpid() || h.Program != "spotter watch" {
		t.Fatalf("TakeIndexing: %+v, %v, %v", h, ok, err)
	}
	if again, ok, err := c.TakeIndexing("spotter watch"); !ok || err != nil || !again.Since.Equal(h.Since) {
		t.Errorf("taking it again: %+v, %v, %v", again, ok, err)
	}

	// Another process that is running holds it: it is named, not taken.
	other := exec.Command("sleep", "60")
	must(t, other.Start())
	defer other.Process.Kill()
	p, ok := processOf(other.Process.Pid)
	if !ok {
		t.Fatal("cannot read the other process")
	}
	hold := func(p process) {
		t.Helper()
		_, err := c.db.Exec(`INSERT OR REPLACE INTO index_lock(id, pid, started, boot, program, since_ns) VALUES(1, ?, ?, ?, 'the Spotter window', 5)`,
			p.pid, p.started, p.boot)
		must(t, err)
	}
	hold(p)
	if h, ok, err := c.TakeIndexing("spotter watch"); ok || err != nil || h.PID != p.pid || h.Program != "the Spotter window" {
		t.Errorf("TakeIndexing while another holds it: %+v, %v, %v", h, ok, err)
	}
	if h, ok, _ := c.IndexingHolder(); !ok || h.PID != p.pid {
		t.Errorf("IndexingHolder: %+v, %v", h, ok)
	}
	// ReleaseIndexing leaves another's lock alone.
	must(t, c.ReleaseIndexing())
	if _, ok, _ := c.IndexingHolder(); !ok {
		t.Error("ReleaseIndexing released another process's lock")
	}
	// The same pid, started at another time, is another process; so is
	// one of another boot.
	for _, stale := range []process{{p.pid, p.started + 1, p.boot}, {p.pid, p.started, "another boot"}} {
		hold(stale)
		if _, ok, _ := c.IndexingHolder(); ok {
			t.Errorf("%+v counts as the holder", stale)
		}
	}
	// Killed (kill -9 leaves the row): the lock is taken over.
	hold(p)
	must(t, other.Process.Kill())
	other.Wait()
	if h, ok, err := c.TakeIndexing("spotter watch"); !ok || err != nil || h.PID != os.Getpid() {
		t.Errorf("TakeIndexing after the holder died: %+v, %v, %v", h, ok, err)
	}
	must(t, c.ReleaseIndexing())
	if _, ok, _ := c.IndexingHolder(); ok {
		t.Error("still held after ReleaseIndexing")
	}
}
