package index

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spotter-app/spotter/inference/pipeline"
	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/folders"
)

var model = catalog.Model{Name: "test", SHA256: strings.Repeat("a", 64)}

func modelOK() (catalog.Model, bool) { return model, true }

func openCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Open(filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// photoAt writes a file named as a photo, with content of its own, and
// sets its modification time age ago.
func photoAt(t *testing.T, path string, age time.Duration) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("content of "+path), 0o644); err != nil {
		t.Fatal(err)
	}
	when := time.Now().Add(-age)
	if err := os.Chtimes(path, when, when); err != nil {
		t.Fatal(err)
	}
}

// classifier stands for the models: it keeps an answer for every photo
// as the pipeline's memory would, and counts them.
type classifier struct {
	cat *catalog.Catalog
	mu  sync.Mutex
	got []string
	// gate, when set, holds each photo until it receives.
	gate chan struct{}
}

func (c *classifier) classify(ctx context.Context, next pipeline.Source, done func(pipeline.Done)) {
	for {
		job, ok := next(ctx)
		if !ok {
			return
		}
		if c.gate != nil {
			select {
			case <-c.gate:
			case <-ctx.Done():
				done(pipeline.Done{Job: job, Err: ctx.Err()})
				continue
			}
		}
		if fi, err := os.Stat(job.Path); err == nil {
			c.cat.Put(catalog.Entry{Path: job.Path, Size: fi.Size(), MTime: fi.ModTime(), Model: model, Name: "thing"})
		}
		c.mu.Lock()
		c.got = append(c.got, job.Path)
		c.mu.Unlock()
		done(pipeline.Done{Job: job})
	}
}

func (c *classifier) classified() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.got)
}

func addRoot(t *testing.T, cat *catalog.Catalog, root string) {
	t.Helper()
	if _, _, err := folders.Add(cat, root); err != nil {
		t.Fatal(err)
	}
}

// Indexing finds every photo, classifies the newest first, once; a second
// run finds nothing to do; a changed photo is classified again, a deleted
// one marked missing.
func TestIndexNewestFirstOnce(t *testing.T) {
	cat := openCatalog(t)
	root := t.TempDir()
	addRoot(t, cat, root)
	photoAt(t, filepath.Join(root, "old.jpg"), 48*time.Hour)
	photoAt(t, filepath.Join(root, "trip", "new.jpg"), time.Hour)
	photoAt(t, filepath.Join(root, "middle.png"), 24*time.Hour)
	photoAt(t, filepath.Join(root, ".hidden", "no.jpg"), 0)
	photoAt(t, filepath.Join(root, "notes.txt"), 0)

	var progress []Progress
	cl := &classifier{cat: cat}
	ix := New(cat, Options{Program: "test", Model: modelOK, OnProgress: func(p Progress) { progress = append(progress, p) }})
	if err := ix.Run(context.Background(), cl.classify); err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "trip", "new.jpg"), filepath.Join(root, "middle.png"), filepath.Join(root, "old.jpg")}
	if got := cl.classified(); !slices.Equal(got, want) {
		t.Errorf("classified %q; want the newest first %q", got, want)
	}
	if len(progress) == 0 || !strings.HasPrefix(progress[len(progress)-1].String(), "Not indexing") {
		t.Errorf("progress %v", progress)
	}
	sawCount := false
	for _, p := range progress {
		if p.Running && p.Total == 3 && p.Root == root {
			sawCount = true
		}
	}
	if !sawCount {
		t.Errorf("no progress showed 3 photos under %s: %+v", root, progress)
	}
	if _, ok, _ := cat.IndexingHolder(); ok {
		t.Error("Run kept the lock")
	}
	must(t, cat.Flush())

	cl2 := &classifier{cat: cat}
	must(t, New(cat, Options{Program: "test", Model: modelOK}).Run(context.Background(), cl2.classify))
	if got := cl2.classified(); len(got) != 0 {
		t.Errorf("the second run classified %q", got)
	}

	// Changed, deleted, and an answer for another model set only.
	photoAt(t, filepath.Join(root, "old.jpg"), 0)
	must(t, os.Remove(filepath.Join(root, "middle.png")))
	cl3 := &classifier{cat: cat}
	ix3 := New(cat, Options{Program: "test", Model: modelOK})
	must(t, ix3.Run(context.Background(), cl3.classify))
	if got := cl3.classified(); !slices.Equal(got, []string{filepath.Join(root, "old.jpg")}) {
		t.Errorf("after a change: %q", got)
	}
	if k, ok, _ := cat.File(filepath.Join(root, "middle.png"), model); !ok || !k.Missing {
		t.Errorf("the deleted photo: %+v, %v", k, ok)
	}
	other := func() (catalog.Model, bool) { return catalog.Model{Name: "other", SHA256: model.SHA256}, true }
	cl4 := &classifier{cat: cat}
	must(t, New(cat, Options{Program: "test", Model: other}).Run(context.Background(), cl4.classify))
	if got := cl4.classified(); len(got) != 2 {
		t.Errorf("another model set classified %q; want both photos", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A photo the watcher saw arrive goes before the backlog of a scan.
func TestLiveBeforeBacklog(t *testing.T) {
	var q queue
	now := time.Now()
	for _, it := range []Item{{Path: "old", MTime: now.Add(-time.Hour)}, {Path: "live-old", MTime: now.Add(-48 * time.Hour), Live: true},
		{Path: "new", MTime: now}, {Path: "live-new", MTime: now, Live: true}} {
		q.Push(it)
	}
	var got []string
	sortedQueue := q
	for sortedQueue.Len() > 0 {
		i := 0
		for j := range sortedQueue {
			if sortedQueue.Less(j, i) {
				i = j
			}
		}
		got = append(got, sortedQueue[i].Path)
		sortedQueue = slices.Delete(sortedQueue, i, i+1)
	}
	if want := []string{"live-new", "live-old", "new", "old"}; !slices.Equal(got, want) {
		t.Errorf("order %q; want %q", got, want)
	}
}

// Paused stays paused across restarts, and a pause set by another process
// is followed.
func TestPauseOutlivesTheIndexer(t *testing.T) {
	cat := openCatalog(t)
	root := t.TempDir()
	addRoot(t, cat, root)
	photoAt(t, filepath.Join(root, "a.jpg"), 0)
	ix := New(cat, Options{Program: "test", Model: modelOK})
	must(t, ix.Pause())
	if !New(cat, Options{}).Paused() {
		t.Fatal("a new indexer is not paused")
	}

	cl := &classifier{cat: cat}
	var mu sync.Mutex
	var last Progress
	ix = New(cat, Options{Program: "test", Model: modelOK, Poll: 20 * time.Millisecond,
		OnProgress: func(p Progress) { mu.Lock(); last = p; mu.Unlock() }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error)
	go func() { ran <- ix.Run(ctx, cl.classify) }()
	time.Sleep(300 * time.Millisecond)
	if got := cl.classified(); len(got) != 0 {
		t.Fatalf("classified while paused: %q", got)
	}
	mu.Lock()
	if !last.Paused || last.Total != 1 || last.String() != "Indexing paused: 0 of 1 done" {
		t.Errorf("progress while paused: %+v %q", last, last.String())
	}
	mu.Unlock()
	// Resumed by another process.
	must(t, cat.SetIndexingPaused(false))
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	if got := cl.classified(); len(got) != 1 {
		t.Errorf("after resuming: %q", got)
	}
}

// While another process indexes, Run waits, says who, and takes over once
// that process ends.
func TestLockHeldByAnotherProcess(t *testing.T) {
	cat := openCatalog(t)
	root := t.TempDir()
	addRoot(t, cat, root)
	photoAt(t, filepath.Join(root, "a.jpg"), 0)

	other := exec.Command(os.Args[0], "-test.run=^TestHelperTakesLock$")
	other.Env = append(os.Environ(), "SPOTTER_TEST_CATALOG="+cat.Path())
	out, err := other.StdoutPipe()
	must(t, err)
	must(t, other.Start())
	defer other.Process.Kill()
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil || string(buf) != "taken" {
		t.Fatalf("the other process: %q, %v", buf, err)
	}

	var mu sync.Mutex
	var notices []Notice
	var held *catalog.Holder
	cl := &classifier{cat: cat}
	ix := New(cat, Options{Program: "test", Model: modelOK, Poll: 20 * time.Millisecond,
		OnNotice: func(n Notice) { mu.Lock(); notices = append(notices, n); mu.Unlock() },
		OnProgress: func(p Progress) {
			mu.Lock()
			if p.HeldBy != nil {
				held = p.HeldBy
			}
			mu.Unlock()
		}})
	ran := make(chan error)
	go func() { ran <- ix.Run(context.Background(), cl.classify) }()
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	if len(notices) != 1 || notices[0].Kind != LockHeld || !strings.Contains(notices[0].Text, "other test process (process ") ||
		held == nil || held.PID != other.Process.Pid {
		t.Errorf("while the other indexes: notices %+v, held by %+v", notices, held)
	}
	mu.Unlock()
	if got := cl.classified(); len(got) != 0 {
		t.Errorf("classified while another holds the lock: %q", got)
	}
	// kill -9: the lock stays in the catalogue, and is taken over.
	must(t, other.Process.Kill())
	other.Wait()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	if got := cl.classified(); len(got) != 1 {
		t.Errorf("after the other ended: %q", got)
	}
	mu.Lock()
	if len(notices) != 2 || notices[1].Kind != LockTaken {
		t.Errorf("notices %+v", notices)
	}
	mu.Unlock()
}

// TestHelperTakesLock is the other process of TestLockHeldByAnotherProcess.
func TestHelperTakesLock(t *testing.T) {
	path := os.Getenv("SPOTTER_TEST_CATALOG")
	if path == "" {
		t.Skip("run by TestLockHeldByAnotherProcess")
	}
	cat, err := catalog.Open(path)
	must(t, err)
	if _, ok, err := cat.TakeIndexing("other test process"); !ok || err != nil {
		t.Fatal(ok, err)
	}
	must(t, cat.Flush())
	os.Stdout.WriteString("taken")
	time.Sleep(time.Minute)
}

// A library folder that is gone is away: its photos stay, offline, and
// come back with it.
func TestRootAwayAndBack(t *testing.T) {
	cat := openCatalog(t)
	parent := t.TempDir()
	root := filepath.Join(parent, "DISK")
	photoAt(t, filepath.Join(root, "a.jpg"), 0)
	addRoot(t, cat, root)
	var notices []Notice
	run := func() []string {
		cl := &classifier{cat: cat}
		must(t, New(cat, Options{Program: "test", Model: modelOK, OnNotice: func(n Notice) { notices = append(notices, n) }}).Run(context.Background(), cl.classify))
		return cl.classified()
	}
	if got := run(); len(got) != 1 {
		t.Fatalf("classified %q", got)
	}
	must(t, cat.Flush())
	must(t, os.Rename(root, root+".away"))
	run()
	if k, ok, _ := cat.File(filepath.Join(root, "a.jpg"), model); !ok || !k.Missing {
		t.Errorf("the photo of the folder away: %+v, %v", k, ok)
	}
	if page, _ := cat.Page(catalog.Filter{}, 0, 10); len(page) != 1 || !page[0].Offline {
		t.Errorf("listed: %+v", page)
	}
	if len(notices) != 1 || notices[0].Kind != FolderAway || notices[0].Path != root {
		t.Errorf("notices %+v", notices)
	}
	// Away for longer than any grace period: nothing is pruned.
	if n, err := cat.Prune(time.Now().Add(time.Hour), root); n != 0 || err != nil {
		t.Errorf("Prune: %d, %v", n, err)
	}
	run()
	if len(notices) != 1 {
		t.Errorf("a second scan said again that the folder is away: %+v", notices)
	}
	must(t, os.Rename(root+".away", root))
	if got := run(); len(got) != 0 {
		t.Errorf("back: classified %q again", got)
	}
	if k, _, _ := cat.File(filepath.Join(root, "a.jpg"), model); k.Missing {
		t.Error("back, the photo is still missing")
	}
	if len(notices) != 2 || notices[1].Kind != FolderBack {
		t.Errorf("notices %+v", notices)
	}
}

func TestProgressSentence(t *testing.T) {
	home, _ := os.UserHomeDir()
	for _, c := range []struct {
		p    Progress
		want string
	}{
		{Progress{Running: true, Root: filepath.Join(home, "Pictures"), Done: 1240, Total: 8310, Left: 3*time.Minute + 10*time.Second},
			"Indexing ~/Pictures: 1,240 of 8,310, about 3 min left"},
		{Progress{Running: true, Root: "/media/DISK", Done: 5, Total: 10, Left: 12 * time.Second}, "Indexing /media/DISK: 5 of 10, about 10 s left"},
		{Progress{Running: true, Root: "/p", Done: 5, Total: 1000000}, "Indexing /p: 5 of 1,000,000"},
		{Progress{Running: true, Paused: true, Done: 5, Total: 10}, "Indexing paused: 5 of 10 done"},
		{Progress{Running: true, Done: 10, Total: 10}, "Library up to date"},
		{Progress{Running: true, Scanning: true}, "Looking for new photos"},
		{Progress{HeldBy: &catalog.Holder{PID: 7, Program: "spotter watch", Since: time.Date(2025, 1, 2, 3, 4, 5, 0, time.Local)}},
			"Indexing is done by spotter watch (process 7, since 2025-01-02 03:04:05)"},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("%+v: %q; want %q", c.p, got, c.want)
		}
	}
	var r rate
	start := time.Now()
	for i := range 5 {
		r.add(start.Add(time.Duration(i) * 100 * time.Millisecond))
	}
	if got := r.left(10); got != time.Second {
		t.Errorf("left %v; want 1s at 100 ms a photo", got)
	}
}
