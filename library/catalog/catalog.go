// Package catalog keeps what Spotter learned about a person's photos in an
// SQLite database, so that no photo is classified twice: each photo's path,
// size, modification time and content fingerprint, and per model set the
// predictions, everyday name and categories, with the detectors the objects,
// faces, people count, keywords and title, and the text recognised in it,
// indexed for search (SQLite's FTS5: build with -tags sqlite_fts5); or the
// error.
//
// It imports no Fyne, no ONNX Runtime and no other Spotter package: the
// command line and the window hand it plain values.
//
// Writes go to one writer goroutine per process that batches them into short
// transactions, so Put never waits for the disk. A catalogue that cannot be
// written (read-only folder, full disk, a file from a newer Spotter) still
// opens and answers; Warnings says in sentences what is not being saved.
package catalog

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Catalog is an open catalogue. Its methods are safe for concurrent use.
type Catalog struct {
	db *sql.DB
	// path is the file in use, "" when the catalogue lives in memory only.
	path string
	// readOnly: the file is read but nothing is written to it.
	readOnly bool

	models sync.Map // Model → int64, ids already known to exist

	w *writer

	warnMu   sync.Mutex
	warnings []string

	closeOnce sync.Once
	closeErr  error
}

// DefaultPath is where the catalogue lives unless the person says otherwise:
// $SPOTTER_CATALOG, else the system's place for it (see defaultPath). It is
// "" when there is none.
func DefaultPath() string {
	if p := os.Getenv("SPOTTER_CATALOG"); p != "" {
		return p
	}
	return defaultPath()
}

// Open opens the catalogue at path ("" means DefaultPath), creating its folder
// and bringing its schema up to date. It returns an error only when not even an
// in-memory catalogue can be had; every other problem leaves a usable
// catalogue and a sentence in Warnings:
//   - a damaged file is moved aside to PATH.corrupt-YYYYMMDD-HHMMSS and a new
//     one is started;
//   - a file from a newer Spotter is only read, never written;
//   - a folder or file that cannot be written gives a catalogue that reads what
//     it can and saves nothing.
func Open(path string) (*Catalog, error) {
	if path == "" {
		path = DefaultPath()
	}
	if path == "" {
		return openMemory("Results are not being saved: Spotter found no home folder to keep its catalogue in. Set SPOTTER_CATALOG to a file path, or use --catalog.")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return openMemory(notSaving(path, err))
	}
	c, err := openFile(path)
	if err == nil {
		return c, nil
	}
	if isCorrupt(err) {
		aside, merr := moveAside(path, time.Now())
		if merr != nil {
			return openMemory(notSaving(path, merr))
		}
		warn := fmt.Sprintf("The catalogue %s was damaged, so Spotter moved it aside to %s and started a new one. Photos will be classified again as you open them.", path, aside)
		c, err = openFile(path)
		if err != nil {
			return openMemory(warn + " " + notSaving(path, err))
		}
		c.warn(warn)
		return c, nil
	}
	if errors.Is(err, errNewer) {
		return openReadOnly(path, newerWarning(path))
	}
	if _, serr := os.Stat(path); serr == nil {
		if c, rerr := openReadOnly(path, notSaving(path, err)); rerr == nil {
			return c, nil
		}
	}
	return openMemory(notSaving(path, err))
}

// OpenForReading opens the catalogue at path only to read it, as a search
// does. It leaves the file as it finds it: it does not check the whole file
// first (Open's check reads all of it, 87 ms at 100,000 photos, more than
// the search itself), does not move a damaged file aside (its first query
// fails instead) and creates nothing. A file from an older Spotter is
// brought up to date by Open, since its tables are not yet the ones read
// here; one from a newer Spotter is read, with a warning, as Open does.
func OpenForReading(path string) (*Catalog, error) {
	c, err := openReadOnly(path, "")
	if err != nil {
		return nil, err
	}
	var version int
	if err := c.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		c.Close()
		return nil, err
	}
	switch {
	case version < len(migrations):
		c.Close()
		return Open(path)
	case version > len(migrations):
		c.warn(newerWarning(path))
	}
	return c, nil
}

func newerWarning(path string) string {
	return fmt.Sprintf("The catalogue %s was written by a newer Spotter, so this one reads it but saves no new results in it. Update Spotter to keep saving results.", path)
}

// connParams apply to every connection: wait up to 5 s for another writer;
// keep each connection's prepared statements (a lookup is a few small queries,
// where preparing would cost as much as running) and 16 MiB of pages.
const connParams = "_busy_timeout=5000&_stmt_cache_size=32&_cache_size=-16384"

var errNewer = errors.New("the catalogue was written by a newer Spotter")

// openFile opens path for reading and writing and migrates it.
func openFile(path string) (*Catalog, error) {
	db, err := sql.Open("sqlite3", dsn(path, connParams+"&_foreign_keys=1&_synchronous=NORMAL&_txlock=immediate"))
	if err != nil {
		return nil, err
	}
	// A few readers at once (the list pages while the writer commits); WAL lets
	// them read while the one writer writes.
	db.SetMaxOpenConns(4)
	if err := check(db); err != nil {
		db.Close()
		return nil, err
	}
	if err := migrate(db); err != nil {
		db.Close()
		return nil, err
	}
	c := &Catalog{db: db, path: path}
	c.w = startWriter(c)
	return c, nil
}

// check reads the file before anything is written to it: a damaged file fails
// here, and a newer schema is found before WAL mode or a migration could touch
// the file's bytes.
func check(db *sql.DB) error {
	var result string
	if err := db.QueryRow("PRAGMA quick_check").Scan(&result); err != nil {
		return err
	}
	if result != "ok" {
		return fmt.Errorf("%w: %s", errDamaged, result)
	}
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return errNewer
	}
	return nil
}

var errDamaged = errors.New("the catalogue is damaged")

func openReadOnly(path, warning string) (*Catalog, error) {
	db, err := openRO(path, connParams+"&mode=ro")
	if err != nil {
		if _, werr := os.Stat(path + "-wal"); !errors.Is(werr, fs.ErrNotExist) {
			return nil, err
		}
		// A WAL-mode file whose folder cannot be written cannot get the
		// -shm file SQLite needs to read it. With no -wal file either, no one
		// else is writing it, which is what immutable=1 promises.
		if db, err = openRO(path, connParams+"&mode=ro&immutable=1"); err != nil {
			return nil, err
		}
	}
	c := &Catalog{db: db, path: path, readOnly: true}
	c.w = startWriter(c)
	if warning != "" {
		c.warn(warning)
	}
	return c, nil
}

func openRO(path, params string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", dsn(path, params))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openMemory is the catalogue of last resort: everything works for this run,
// nothing is kept.
func openMemory(warning string) (*Catalog, error) {
	db, err := sql.Open("sqlite3", "file::memory:?"+connParams+"&_foreign_keys=1")
	if err != nil {
		return nil, err
	}
	// Each connection to :memory: is its own database: keep exactly one alive.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := migrate(db); err != nil {
		db.Close()
		return nil, err
	}
	c := &Catalog{db: db}
	c.w = startWriter(c)
	c.warn(warning)
	return c, nil
}

// dsn makes an SQLite URI for a path holding any bytes.
func dsn(path, params string) string {
	var b strings.Builder
	b.WriteString("file:")
	for i := 0; i < len(path); i++ {
		ch := path[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("/._-~", ch) >= 0 {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	b.WriteString("?")
	b.WriteString(params)
	return b.String()
}

func isCorrupt(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB) {
		return true
	}
	return errors.Is(err, errDamaged)
}

// moveAside renames a damaged catalogue and its WAL files out of the way. The
// WAL goes too: left behind, its frames would be replayed into the new file.
func moveAside(path string, now time.Time) (string, error) {
	aside := path + ".corrupt-" + now.Format("20060102-150405")
	if err := os.Rename(path, aside); err != nil {
		return "", err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Rename(path+suffix, aside+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return aside, nil
}

// notSaving says why results are not being saved and what to do about it.
func notSaving(path string, err error) string {
	return "Results are not being saved: " + reason(path, err)
}

func reason(path string, err error) string {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrFull:
			return fmt.Sprintf("the disk holding %s is full. Free some space; Spotter goes on classifying meanwhile.", path)
		case sqlite3.ErrReadonly, sqlite3.ErrPerm, sqlite3.ErrCantOpen, sqlite3.ErrAuth:
			return fmt.Sprintf("Spotter may not write %s. Make its folder writable, or choose another catalogue with --catalog or SPOTTER_CATALOG.", path)
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fmt.Sprintf("another program has kept %s locked for a long time. Close other programs using it; Spotter goes on classifying meanwhile.", path)
		}
	}
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Sprintf("the disk holding %s is full. Free some space; Spotter goes on classifying meanwhile.", path)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return fmt.Sprintf("Spotter may not write %s. Make its folder writable, or choose another catalogue with --catalog or SPOTTER_CATALOG.", path)
	}
	return fmt.Sprintf("%s could not be written (%v). Choose another catalogue with --catalog or SPOTTER_CATALOG.", path, err)
}

func (c *Catalog) warn(s string) {
	c.warnMu.Lock()
	defer c.warnMu.Unlock()
	for _, w := range c.warnings {
		if w == s {
			return
		}
	}
	c.warnings = append(c.warnings, s)
}

// Warnings are sentences for the person about what the catalogue could not do
// (moved a damaged file aside, is not saving results and why), oldest first,
// each once. A caller that shows them as they come remembers how many it
// showed.
func (c *Catalog) Warnings() []string {
	c.warnMu.Lock()
	defer c.warnMu.Unlock()
	return append([]string(nil), c.warnings...)
}

// Path is the catalogue's file, or "" when it lives in memory only.
func (c *Catalog) Path() string { return c.path }

// Saving reports whether results are kept on disk.
func (c *Catalog) Saving() bool { return c.path != "" && !c.readOnly && !c.w.failing() }

// Close writes what is pending and closes the database.
func (c *Catalog) Close() error {
	c.closeOnce.Do(func() {
		werr := c.w.stop()
		if c.path != "" && !c.readOnly {
			// Keeps the query planner's statistics current as the catalogue
			// grows; cheap when nothing changed much.
			c.db.Exec("PRAGMA optimize")
		}
		c.closeErr = errors.Join(werr, c.db.Close())
	})
	return c.closeErr
}
