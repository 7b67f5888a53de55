package catalog

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestMain lets a test start this binary again as a second process writing to
// a catalogue (CATALOG_CHILD_DB): the kill -9 and two-writer cases need real
// processes.
func TestMain(m *testing.M) {
	if db := os.Getenv("CATALOG_CHILD_DB"); db != "" {
		os.Exit(childWriter(db, os.Getenv("CATALOG_CHILD_PREFIX"), os.Getenv("CATALOG_CHILD_N")))
	}
	os.Exit(m.Run())
}

// childWriter puts results for PREFIX/0 … PREFIX/n-1 (forever when n is 0),
// printing "committed K" after each Flush so the parent knows what is on disk.
func childWriter(db, prefix, count string) int {
	n, _ := strconv.Atoi(count)
	c, err := Open(db)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if w := c.Warnings(); len(w) > 0 {
		fmt.Fprintln(os.Stderr, w)
		return 1
	}
	for i := 0; n == 0 || i < n; i++ {
		e := classified(Entry{Path: fmt.Sprintf("%s/%06d.jpg", prefix, i), Size: int64(i), MTime: time.Unix(int64(i), 0), Model: modelA},
			"dog", 0.5, "animal", "dog")
		e.Fingerprint[0] = 1 // stored as is, no file to read
		c.Put(e)
		if (i+1)%10 == 0 {
			if err := c.Flush(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			fmt.Printf("committed %d\n", i+1)
		}
	}
	if err := c.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if w := c.Warnings(); len(w) > 0 {
		fmt.Fprintln(os.Stderr, w)
		return 1
	}
	return 0
}

func child(t *testing.T, db, prefix string, n int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CATALOG_CHILD_DB="+db, "CATALOG_CHILD_PREFIX="+prefix, "CATALOG_CHILD_N="+strconv.Itoa(n))
	return cmd
}

// sqlite3Tool is the sqlite3 command-line program, the independent judge of
// the file.
func sqlite3Tool(t *testing.T) string {
	p, err := exec.LookPath("sqlite3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the sqlite3 tool is missing: apt-get install sqlite3")
		}
		t.Skip("the sqlite3 tool is missing: apt-get install sqlite3")
	}
	return p
}

func sqlite3Query(t *testing.T, tool, db, query string) string {
	t.Helper()
	out, err := exec.Command(tool, db, query).CombinedOutput()
	if err != nil {
		t.Fatalf("sqlite3 %s %q: %v\n%s", db, query, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestKill9WhileWriting(t *testing.T) {
	tool := sqlite3Tool(t)
	db := filepath.Join(t.TempDir(), "catalog.db")
	cmd := child(t, db, "/photos", 0)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	committed := 0
	lines := bufio.NewScanner(out)
	for committed < 300 && lines.Scan() {
		committed, _ = strconv.Atoi(strings.TrimPrefix(lines.Text(), "committed "))
	}
	// The writer is mid-stream: more Puts queued, a batch possibly committing.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if committed < 300 {
		t.Fatalf("the child committed only %d before it stopped: %s", committed, stderr.String())
	}
	if got := sqlite3Query(t, tool, db, "PRAGMA integrity_check"); got != "ok" {
		t.Fatalf("integrity_check after kill -9: %s", got)
	}
	n, _ := strconv.Atoi(sqlite3Query(t, tool, db, "SELECT count(*) FROM results"))
	if n < committed {
		t.Fatalf("%d results on disk; %d were committed before the kill", n, committed)
	}
	for _, i := range []int{0, committed / 2, committed - 1} {
		q := fmt.Sprintf("SELECT count(*) FROM photos WHERE path = CAST('/photos/%06d.jpg' AS BLOB)", i)
		if got := sqlite3Query(t, tool, db, q); got != "1" {
			t.Errorf("photo %d committed before the kill is not there", i)
		}
	}
	c, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if w := c.Warnings(); len(w) > 0 {
		t.Errorf("reopening after kill -9 warns: %q", w)
	}
	if got, err := c.Count(Filter{Model: modelA}); err != nil || got != n {
		t.Errorf("reopened catalogue counts %d, %v; want %d", got, err, n)
	}
}

func TestTwoProcessesWriteAtOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "catalog.db")
	const n = 600
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for _, prefix := range []string{"/window", "/cli"} {
		cmd := child(t, db, prefix, n)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer %d: %v\n%s", i, err, lastLines(outs[i].String()))
		}
		if strings.Contains(outs[i].String(), "locked") {
			t.Errorf("writer %d saw the database locked:\n%s", i, lastLines(outs[i].String()))
		}
	}
	c, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, prefix := range []string{"/window/", "/cli/"} {
		var got int
		if err := c.db.QueryRow("SELECT count(*) FROM photos WHERE CAST(path AS TEXT) LIKE ?", prefix+"%").Scan(&got); err != nil || got != n {
			t.Errorf("%s: %d photos, %v; want %d", prefix, got, err, n)
		}
	}
	if got, err := c.Count(Filter{}); err != nil || got != 2*n {
		t.Errorf("%d results, %v; want %d", got, err, 2*n)
	}
}

func lastLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, "\n")
}

// makeCatalogue writes a real catalogue with a few results and closes it.
func makeCatalogue(t *testing.T, path string, n int) {
	t.Helper()
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		c.Put(classified(Entry{Path: fmt.Sprintf("/p/%05d-%s.jpg", i, strings.Repeat("x", 200)), Model: modelA}, "dog", 0.5))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptCatalogueIsMovedAside(t *testing.T) {
	garbage := func(t *testing.T, path string) {
		if err := os.WriteFile(path, bytes.Repeat([]byte("this is not SQLite "), 1000), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	truncated := func(t *testing.T, path string) {
		makeCatalogue(t, path, 2000)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 64<<10 {
			t.Fatalf("the catalogue is too small (%d bytes) to cut", len(b))
		}
		if err := os.WriteFile(path, b[:len(b)/2], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, damage := range map[string]func(*testing.T, string){"garbage": garbage, "truncated": truncated} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "catalog.db")
			damage(t, path)
			before, _ := os.ReadFile(path)
			c, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			w := c.Warnings()
			asides, _ := filepath.Glob(path + ".corrupt-*")
			if len(w) != 1 || !strings.Contains(w[0], "was damaged") || len(asides) != 1 || !strings.Contains(w[0], asides[0]) {
				t.Fatalf("warnings %q, moved aside to %v", w, asides)
			}
			if kept, _ := os.ReadFile(asides[0]); !bytes.Equal(kept, before) {
				t.Error("the damaged file was not kept as it was")
			}
			if !strings.HasPrefix(filepath.Base(asides[0]), "catalog.db.corrupt-"+time.Now().Format("20060102")) {
				t.Errorf("moved aside as %s", asides[0])
			}
			if !c.Saving() {
				t.Error("the new catalogue does not save")
			}
			p, fi := photo(t, dir, "a.jpg", content(1, 10))
			store(t, c, p, fi, modelA, "dog", 0.9)
			mustHit(t, c, p, modelA)
		})
	}
}

func TestNewerCatalogueIsNeverWritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "catalog.db")
	old, fi := photo(t, dir, "old.jpg", content(1, 10))
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	store(t, c, old, fi, modelA, "dog", 0.9)
	// What a later Spotter would do: a new step, a higher version.
	if _, err := c.db.Exec(`CREATE TABLE albums(id INTEGER PRIMARY KEY); PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	c, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	w := c.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], "newer Spotter") || c.Saving() {
		t.Errorf("warnings %q, saving %v", w, c.Saving())
	}
	if got := mustHit(t, c, old, modelA); got.Name != "dog" {
		t.Errorf("the newer catalogue's result: %q", got.Name)
	}
	p, _ := photo(t, dir, "new.jpg", content(2, 10))
	e := mustMiss(t, c, p, modelA)
	c.Put(classified(e, "cat", 0.9))
	if err := c.Flush(); err != nil {
		t.Errorf("Flush of a read-only catalogue: %v", err)
	}
	if err := c.SetReview(old, "dog", Rejected); err == nil {
		t.Error("a review was accepted by a read-only catalogue")
	}
	c.Forget(old)
	if n, _ := c.CheckMissing(t.Context()); n != 0 {
		t.Errorf("CheckMissing: %d", n)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("the newer catalogue's file changed")
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		if wal, _ := os.ReadFile(path + "-wal"); len(wal) > 0 {
			t.Errorf("a %d-byte WAL was written", len(wal))
		}
	}
}

// fsImmutableFL is FS_IMMUTABLE_FL of <linux/fs.h>, which x/sys/unix lacks.
const fsImmutableFL = 0x10

// readOnlyDir makes dir unwritable, for root too: root ignores permission
// bits, but not the immutable attribute.
func readOnlyDir(t *testing.T, dir string) {
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return
	}
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	flags, err := unix.IoctlGetInt(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	if err == nil {
		err = unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, flags|fsImmutableFL)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot make %s immutable to test a read-only folder: %v", dir, err)
		}
		t.Skipf("cannot make %s immutable to test a read-only folder: %v", dir, err)
	}
	t.Cleanup(func() {
		f, err := os.Open(dir)
		if err == nil {
			unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, flags)
			f.Close()
		}
	})
}

func TestReadOnlyFolder(t *testing.T) {
	photos := t.TempDir()
	p, fi := photo(t, photos, "a.jpg", content(1, 10))

	t.Run("new catalogue", func(t *testing.T) {
		dir := t.TempDir()
		readOnlyDir(t, dir)
		path := filepath.Join(dir, "catalog.db")
		c, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		w := c.Warnings()
		if len(w) != 1 || !strings.HasPrefix(w[0], "Results are not being saved: Spotter may not write") || c.Saving() {
			t.Fatalf("warnings %q, saving %v", w, c.Saving())
		}
		// Usable for this run: results are remembered in memory.
		store(t, c, p, fi, modelA, "dog", 0.9)
		mustHit(t, c, p, modelA)
		if _, err := os.Stat(path); err == nil {
			t.Error("a catalogue file appeared in the read-only folder")
		}
	})

	t.Run("existing catalogue", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "catalog.db")
		c, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		store(t, c, p, fi, modelA, "dog", 0.9)
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		// Closing the last connection checkpoints and removes the WAL files.
		readOnlyDir(t, dir)
		before, _ := os.ReadFile(path)
		c, err = Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		w := c.Warnings()
		if len(w) != 1 || !strings.HasPrefix(w[0], "Results are not being saved") || c.Saving() {
			t.Fatalf("warnings %q, saving %v", w, c.Saving())
		}
		if got := mustHit(t, c, p, modelA); got.Name != "dog" {
			t.Errorf("what was saved before: %q", got.Name)
		}
		p2, _ := photo(t, photos, "b.jpg", content(2, 10))
		e := mustMiss(t, c, p2, modelA)
		c.Put(classified(e, "cat", 0.9))
		c.Flush()
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Error("the catalogue in the read-only folder changed")
		}
	})
}

func TestFullDiskWarnsAndGoesOn(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "catalog.db")
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// SQLite's own limit on the file's pages stands in for a full disk: it
	// fails the write with SQLITE_FULL, as a full disk does.
	var pages int
	if err := c.db.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// The limit is a connection's own: keep exactly one, for the writer
	// too. Dropping the idle ones first closes any other.
	c.db.SetMaxIdleConns(0)
	c.db.SetMaxOpenConns(1)
	c.db.SetMaxIdleConns(1)
	if _, err := c.db.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		c.Put(classified(Entry{Path: fmt.Sprintf("/p/%d-%s", i, strings.Repeat("y", 3000)), Model: modelA}, "dog", 0.5))
	}
	err = c.Flush()
	w := c.Warnings()
	if err == nil || len(w) != 1 || !strings.Contains(w[0], "Results are not being saved: the disk holding "+path+" is full") || c.Saving() {
		t.Fatalf("flush error %v, warnings %q, saving %v", err, w, c.Saving())
	}
}

// OpenForReading reads what Open wrote and leaves every file as it was: a
// damaged one fails instead of being moved aside; an empty (version 0) file
// is brought up to date by Open; a newer one is read with a warning.
func TestOpenForReading(t *testing.T) {
	// The one photo makeCatalogue writes.
	stored := fmt.Sprintf("/p/%05d-%s.jpg", 0, strings.Repeat("x", 200))
	t.Run("reads", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "catalog.db")
		makeCatalogue(t, path, 1)
		before, _ := os.ReadFile(path)
		r, err := OpenForReading(path)
		if err != nil {
			t.Fatal(err)
		}
		found, err := r.Search(Filter{Text: "dog"}, 10)
		if err != nil || len(found) != 1 || found[0].Path != stored || r.Saving() || len(r.Warnings()) != 0 {
			t.Errorf("search: %+v, %v; saving %v, warnings %q", found, err, r.Saving(), r.Warnings())
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
			t.Error("reading changed the catalogue file")
		}
	})
	t.Run("damaged", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "catalog.db")
		garbage := bytes.Repeat([]byte("this is not SQLite "), 1000)
		if err := os.WriteFile(path, garbage, 0o600); err != nil {
			t.Fatal(err)
		}
		if r, err := OpenForReading(path); err == nil {
			r.Close()
			t.Error("a damaged catalogue opened for reading without an error")
		}
		asides, _ := filepath.Glob(path + ".corrupt-*")
		if after, _ := os.ReadFile(path); !bytes.Equal(after, garbage) || len(asides) != 0 {
			t.Errorf("the damaged file was changed or moved aside (%v)", asides)
		}
	})
	t.Run("older", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "catalog.db")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := OpenForReading(path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var version int
		if err := r.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(migrations) || !r.Saving() {
			t.Errorf("version %d (%v), saving %v; want %d, brought up to date by Open", version, err, r.Saving(), len(migrations))
		}
	})
	t.Run("newer", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "catalog.db")
		makeCatalogue(t, path, 1)
		c, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.db.Exec(`PRAGMA user_version = 99`); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := OpenForReading(path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if w := r.Warnings(); len(w) != 1 || !strings.Contains(w[0], "newer Spotter") {
			t.Errorf("warnings %q", w)
		}
		if found, err := r.Search(Filter{Text: "dog"}, 10); err != nil || len(found) != 1 || found[0].Path != stored {
			t.Errorf("search of a newer catalogue: %+v, %v", found, err)
		}
	})
}
