package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/inferencetest"
	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/folders"
	"github.com/spotter-app/spotter/library/index"
)

var model = catalog.Model{Name: "test", SHA256: strings.Repeat("a", 64)}

// classifier stands for the models behind the pipeline's memory: a photo
// the catalogue knows (Lookup, which recognises moved photos) is answered
// from it; any other is "classified", counted, with the size it had then.
type classifier struct {
	cat *catalog.Catalog
	mu  sync.Mutex
	// runs are the sizes each photo had when classified, by path.
	runs map[string][]int64
	// jobs counts every photo handed over, answered from the catalogue
	// or not.
	jobs int
}

func (c *classifier) classify(ctx context.Context, next pipeline.Source, done func(pipeline.Done)) {
	for {
		job, ok := next(ctx)
		if !ok {
			return
		}
		c.mu.Lock()
		c.jobs++
		c.mu.Unlock()
		fi, err := os.Stat(job.Path)
		if err != nil {
			done(pipeline.Done{Job: job, Err: err})
			continue
		}
		e, hit, _ := c.cat.Lookup(job.Path, fi, model)
		if hit {
			done(pipeline.Done{Job: job, Cached: true})
			continue
		}
		e.Name = "thing"
		c.cat.Put(e)
		c.mu.Lock()
		c.runs[job.Path] = append(c.runs[job.Path], fi.Size())
		c.mu.Unlock()
		done(pipeline.Done{Job: job})
	}
}

func (c *classifier) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.runs[path])
}

func (c *classifier) handed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.jobs
}

func (c *classifier) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, r := range c.runs {
		n += len(r)
	}
	return n
}

type harness struct {
	t     testing.TB
	cat   *catalog.Catalog
	cl    *classifier
	w     *Watcher
	ix    *index.Indexer
	roots []string

	mu      sync.Mutex
	notices []index.Notice

	stop func()
}

// fast are the options the tests watch with: short settling and polls.
var fast = Options{Settle: 300 * time.Millisecond, Unclosed: 3 * time.Second, Rescan: 300 * time.Millisecond, Poll: 100 * time.Millisecond}

// start watches roots (library folders made here) with a fresh catalogue.
func start(t testing.TB, opts Options, roots []string) *harness {
	t.Helper()
	cat, err := catalog.Open(filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	for _, r := range roots {
		if _, _, err := folders.Add(cat, r); err != nil {
			t.Fatal(err)
		}
	}
	h := &harness{t: t, cat: cat, cl: &classifier{cat: cat, runs: map[string][]int64{}}, w: New(cat, opts), roots: roots}
	h.ix = index.New(cat, index.Options{Program: "watch test", Model: func() (catalog.Model, bool) { return model, true },
		Feed: h.w.Run, Poll: 50 * time.Millisecond, OnNotice: func(n index.Notice) {
			h.mu.Lock()
			h.notices = append(h.notices, n)
			h.mu.Unlock()
		}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- h.ix.Run(ctx, h.cl.classify) }()
	h.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		h.stop = func() {}
	}
	t.Cleanup(func() { h.stop() })
	return h
}

func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// quiet waits long enough for anything pending to have happened.
func (h *harness) quiet() { time.Sleep(fast.Settle + time.Second) }

func (h *harness) known(path string) (catalog.Known, bool) {
	h.t.Helper()
	k, ok, err := h.cat.File(path, model)
	if err != nil {
		h.t.Fatal(err)
	}
	return k, ok
}

func (h *harness) noticesOf(kind index.NoticeKind) []index.Notice {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []index.Notice
	for _, n := range h.notices {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// copyPhoto copies one of the shared photos to dst, as cp does.
func copyPhoto(t *testing.T, name, dst string) {
	t.Helper()
	data, err := os.ReadFile(inferencetest.Photo(t, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// watchReady waits until the initial scan has watched every folder.
func (h *harness) watchReady(folders int) {
	h.t.Helper()
	h.waitFor(fmt.Sprintf("%d folders watched", folders), func() bool { return h.w.Watches() >= folders })
}

// A photo copied in is classified once it is complete; written again it
// is classified again; renamed, it keeps its answer and reviews.
func TestCreateModifyRename(t *testing.T) {
	root := t.TempDir()
	h := start(t, fast, []string{root})
	h.watchReady(1)
	dog := filepath.Join(root, "dog.jpg")
	copyPhoto(t, "dog.jpg", dog)
	h.waitFor("the new photo classified", func() bool { return h.cl.count(dog) == 1 })
	h.waitFor("its answer stored", func() bool { k, ok := h.known(dog); return ok && k.Answered })
	if err := h.cat.SetReview(dog, "dog", catalog.Accepted); err != nil {
		t.Fatal(err)
	}

	// Changed in place (an editor saving): classified again.
	copyPhoto(t, "eagle.jpg", dog)
	h.waitFor("the changed photo classified again", func() bool { return h.cl.count(dog) == 2 })

	// Renamed: nothing classified, nor even looked up by its content;
	// the answer and review follow.
	handed := h.cl.handed()
	renamed := filepath.Join(root, "best dog.jpg")
	if err := os.Rename(dog, renamed); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the rename recorded", func() bool { _, ok := h.known(renamed); return ok })
	h.quiet()
	if n := h.cl.total(); n != 2 || h.cl.handed() != handed {
		t.Errorf("%d classifications, %d photos handed over after a rename; want 2, %d", n, h.cl.handed(), handed)
	}
	if r, _ := h.cat.Reviews(renamed); r["dog"] != catalog.Accepted {
		t.Errorf("reviews after the rename: %v", r)
	}
	if _, ok := h.known(dog); ok {
		t.Error("the old name is still in the catalogue")
	}
	// Not a photo by its name: never looked at.
	if err := os.WriteFile(filepath.Join(root, "notes.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	copyPhoto(t, "kite.jpg", filepath.Join(root, ".hidden.jpg"))
	h.quiet()
	if n := h.cl.total(); n != 2 {
		t.Errorf("%d classifications after writing a text file and a hidden photo; want 2", n)
	}
}

// A renamed folder is a move of its photos, not new ones; a folder made
// and filled is watched and its photos classified.
func TestRenameFolderAndNewFolder(t *testing.T) {
	root := t.TempDir()
	trip := filepath.Join(root, "trip")
	names := []string{"dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "kite.jpg", "person.jpg"}
	for _, n := range names {
		copyPhoto(t, n, filepath.Join(trip, "day 1", n))
	}
	h := start(t, fast, []string{root})
	h.waitFor("the folder indexed", func() bool { return h.cl.total() == len(names) })
	h.watchReady(3)

	renamed := filepath.Join(root, "Trip to Kenya")
	handed := h.cl.handed()
	if err := os.Rename(trip, renamed); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the photos under the new name", func() bool {
		_, ok := h.known(filepath.Join(renamed, "day 1", "kite.jpg"))
		return ok
	})
	h.quiet()
	if h.cl.handed() != handed {
		t.Errorf("%d photos handed over after renaming their folder; want none", h.cl.handed()-handed)
	}
	// The watches follow: a photo added under the new name is seen.
	copyPhoto(t, "dog.jpg", filepath.Join(renamed, "day 1", "dog 2.jpg"))
	h.quiet()
	if n := h.cl.total(); n != len(names) {
		t.Errorf("%d classifications after renaming the folder; want %d (a copy of a known photo is recognised)", n, len(names))
	}
	if _, ok := h.known(filepath.Join(renamed, "day 1", "dog 2.jpg")); !ok {
		t.Error("a photo added to the renamed folder was not seen")
	}
	for _, n := range names {
		if _, ok := h.known(filepath.Join(trip, "day 1", n)); ok {
			t.Errorf("%s is still under the old name", n)
		}
	}

	// mkdir -p and cp into it at once.
	fresh := filepath.Join(root, "2025", "03")
	if err := os.MkdirAll(fresh, 0o755); err != nil {
		t.Fatal(err)
	}
	makePhoto(t, filepath.Join(fresh, "new.jpg"), 200<<10)
	h.waitFor("the photo in the new folder", func() bool { return h.cl.count(filepath.Join(fresh, "new.jpg")) == 1 })
	h.watchReady(5)
}

// makePhoto writes a file of size bytes that no other test file shares:
// the catalogue would recognise a copy of a shared photo.
func makePhoto(t testing.TB, path string, size int) {
	t.Helper()
	data := make([]byte, size)
	copy(data, path)
	for i := len(path); i < size; i++ {
		data[i] = byte(i*31 + i>>9)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A library folder added while watching (by another process, through the
// catalogue) is indexed and watched; a folder excluded is let go.
func TestFoldersChangedWhileWatching(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	makePhoto(t, filepath.Join(b, "there.jpg"), 30<<10)
	h := start(t, fast, []string{a})
	h.watchReady(1)
	if _, _, err := folders.Add(h.cat, b); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the photo of the folder added", func() bool { return h.cl.count(filepath.Join(b, "there.jpg")) == 1 })
	h.watchReady(2)
	skip := filepath.Join(b, "skip")
	if err := os.Mkdir(skip, 0o755); err != nil {
		t.Fatal(err)
	}
	h.watchReady(3)
	if _, err := folders.Exclude(h.cat, skip); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the excluded folder let go", func() bool { return h.w.Watches() == 2 })
	makePhoto(t, filepath.Join(skip, "no.jpg"), 31<<10)
	makePhoto(t, filepath.Join(b, "yes.jpg"), 32<<10)
	h.waitFor("the photo beside it", func() bool { return h.cl.count(filepath.Join(b, "yes.jpg")) == 1 })
	h.quiet()
	if n := h.cl.count(filepath.Join(skip, "no.jpg")); n != 0 {
		t.Errorf("a photo in the excluded folder was classified %d times", n)
	}
}

// A deleted photo is marked missing, then pruned after the grace period;
// moved to another library folder, it keeps its answer and reviews.
func TestDeleteAndMoveBetweenLibraryFolders(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	opts := fast
	opts.Grace = 2 * time.Second
	h := start(t, opts, []string{a, b})
	h.watchReady(2)
	gone, moving := filepath.Join(a, "gone.jpg"), filepath.Join(a, "moving.jpg")
	makePhoto(t, gone, 50<<10)
	makePhoto(t, moving, 60<<10)
	h.waitFor("both classified", func() bool { return h.cl.total() == 2 })
	h.waitFor("both stored", func() bool { _, ok1 := h.known(gone); _, ok2 := h.known(moving); return ok1 && ok2 })
	if err := h.cat.SetReview(moving, "dog", catalog.Rejected); err != nil {
		t.Fatal(err)
	}

	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the deleted photo marked missing", func() bool { k, _ := h.known(gone); return k.Missing })

	moved := filepath.Join(b, "sub", "moved.jpg")
	if err := os.MkdirAll(filepath.Dir(moved), 0o755); err != nil {
		t.Fatal(err)
	}
	h.watchReady(3)
	if err := os.Rename(moving, moved); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the move recorded", func() bool { _, ok := h.known(moved); return ok })
	if r, _ := h.cat.Reviews(moved); r["dog"] != catalog.Rejected {
		t.Errorf("reviews after moving to another library folder: %v", r)
	}
	if k, ok := h.known(moving); ok {
		t.Errorf("the old path is still there: %+v", k)
	}
	h.waitFor("the deleted photo pruned after the grace period", func() bool { _, ok := h.known(gone); return !ok })
	h.quiet()
	if n := h.cl.total(); n != 2 {
		t.Errorf("%d classifications; want 2", n)
	}
}

// A photo copied slowly, in chunks with pauses longer than the settling
// time, as a camera import does, is classified once, complete.
func TestSlowCopyIsClassifiedOnceComplete(t *testing.T) {
	root := t.TempDir()
	h := start(t, fast, []string{root})
	h.watchReady(1)
	src, err := os.ReadFile(inferencetest.Photo(t, "kite.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(root, "IMG_0001.JPG")
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	const chunks = 5
	step := (len(src) + chunks - 1) / chunks
	for i := 0; i < len(src); i += step {
		if _, err := f.Write(src[i:min(i+step, len(src))]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * fast.Settle)
	}
	if h.cl.count(dst) != 0 {
		t.Fatal("classified before the copy was complete")
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	closed := time.Now()
	h.waitFor("the copied photo classified", func() bool { return h.cl.count(dst) == 1 })
	t.Logf("classified %v after the copy completed", time.Since(closed).Round(time.Millisecond))
	h.quiet()
	h.cl.mu.Lock()
	defer h.cl.mu.Unlock()
	if runs := h.cl.runs[dst]; len(runs) != 1 || runs[0] != int64(len(src)) {
		t.Errorf("classified with sizes %v; want once, at %d bytes", runs, len(src))
	}
}

// A library folder that disappears (renamed away here, as a drive whose
// mount point is removed) keeps its photos, offline, past the grace
// period; back, they are present again.
func TestRootRenamedAwayIsOffline(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "DISK")
	h, a := startOffline(t, root)
	if err := os.Rename(root, root+".away"); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the photo offline", func() bool { k, _ := h.known(a); return k.Missing })
	checkOffline(t, h, root)
	if err := os.Rename(root+".away", root); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the folder back", func() bool { return len(h.noticesOf(index.FolderBack)) == 1 })
	h.waitFor("the photo present", func() bool { k, _ := h.known(a); return !k.Missing })
	if n := h.cl.total(); n != 1 {
		t.Errorf("%d classifications; want 1", n)
	}
}

// startOffline watches the library folder root, made here with a photo,
// with a grace period over at once, and returns the photo once stored.
func startOffline(t *testing.T, root string) (*harness, string) {
	t.Helper()
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	a := filepath.Join(root, "a.jpg")
	makePhoto(t, a, 20<<10)
	opts := fast
	opts.Grace = time.Millisecond
	h := start(t, opts, []string{root})
	h.waitFor("the photo stored", func() bool { _, ok := h.known(a); return ok })
	return h, a
}

// checkOffline waits past the grace period and checks the library folder
// root is away, once said, with its photo listed offline, not pruned.
func checkOffline(t *testing.T, h *harness, root string) {
	t.Helper()
	h.quiet()
	if got := h.noticesOf(index.FolderAway); len(got) != 1 || got[0].Path != root {
		t.Errorf("notices of the folder away: %+v", got)
	}
	page, err := h.cat.Page(catalog.Filter{}, 0, 10)
	if err != nil || len(page) != 1 || !page[0].Offline || !page[0].Missing {
		t.Errorf("listed: %+v, %v; want the photo, offline", page, err)
	}
	if s, _ := h.cat.Stats(root); s.Offline != 1 {
		t.Errorf("stats %+v", s)
	}
}
