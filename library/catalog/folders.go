package catalog

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// Folder is a library folder: one Spotter keeps indexed and watches.
type Folder struct {
	Path  string
	Added time.Time
	// Mount is the mount point the folder was on when last seen, so an
	// unmounted drive is told from a deleted folder.
	Mount string
	// Offline is since when the folder has been away (its drive
	// unmounted); zero while it is present.
	Offline time.Time
}

// FolderKind tells library folders from folders excluded from them.
type FolderKind bool

// The kinds of folders the catalogue keeps.
const (
	Library  FolderKind = false
	Excluded FolderKind = true
)

// absolute refuses a path the folders table must not hold: every process
// compares paths as stored, so they are absolute and clean.
func absolute(path string) error {
	if !filepath.IsAbs(path) || filepath.Clean(path) != path {
		return fmt.Errorf("%q is not an absolute, clean path: make it one with filepath.Abs", path)
	}
	return nil
}

// SetFolder records path as a library folder or an excluded one; a path
// is one or the other, so this replaces what it was. mount is where a
// library folder is mounted now ("" when unknown).
func (c *Catalog) SetFolder(path string, kind FolderKind, mount string) error {
	if err := absolute(path); err != nil {
		return err
	}
	return c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		_, err := tx.Exec(`INSERT INTO folders(path, excluded, added_ns, mount) VALUES(?, ?, ?, ?)
			ON CONFLICT(path) DO UPDATE SET excluded = excluded.excluded, added_ns = excluded.added_ns,
				mount = excluded.mount, offline_ns = 0
			WHERE folders.excluded IS NOT excluded.excluded`,
			[]byte(path), bool(kind), time.Now().UnixNano(), []byte(mount))
		return err
	})
}

// RemoveFolder forgets path as a folder of that kind; its photos and their
// answers stay. It reports whether it was one.
func (c *Catalog) RemoveFolder(path string, kind FolderKind) (bool, error) {
	var found bool
	err := c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		res, err := tx.Exec(`DELETE FROM folders WHERE path = ? AND excluded = ?`, []byte(path), bool(kind))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		found = n > 0
		return err
	})
	return found, err
}

// Folders are the folders of one kind, by path.
func (c *Catalog) Folders(kind FolderKind) ([]Folder, error) {
	rows, err := c.db.Query(`SELECT path, added_ns, mount, offline_ns FROM folders WHERE excluded = ? ORDER BY path`, bool(kind))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Folder
	for rows.Next() {
		var (
			path, mount    []byte
			added, offline int64
		)
		if err := rows.Scan(&path, &added, &mount, &offline); err != nil {
			return nil, err
		}
		f := Folder{Path: string(path), Added: time.Unix(0, added), Mount: string(mount)}
		if offline != 0 {
			f.Offline = time.Unix(0, offline)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// FolderStats counts a folder's photos in the catalogue.
type FolderStats struct {
	// Photos are all the catalogue holds under the folder, Missing those
	// whose file is gone (pruned after the grace period) and Offline those
	// on a drive that is away.
	Photos, Missing, Offline int
}

// Stats counts the photos under dir.
func (c *Catalog) Stats(dir string) (FolderStats, error) {
	lo, hi := under(dir)
	var s FolderStats
	err := c.db.QueryRow(`SELECT count(*), coalesce(sum(missing AND NOT offline), 0), coalesce(sum(offline), 0)
		FROM photos WHERE path >= ? AND path < ?`, lo, hi).Scan(&s.Photos, &s.Missing, &s.Offline)
	return s, err
}

// under is the range of paths below dir, bounds for the path index: every
// path that starts with dir and a separator sorts from dir/ to just before
// dir0, '0' being the byte after '/' (on Windows, from dir\ to before
// dir], ']' being the byte after '\').
func under(dir string) (lo, hi []byte) {
	prefix := dir
	if prefix == "" || prefix[len(prefix)-1] != filepath.Separator {
		prefix += string(filepath.Separator)
	}
	lo = []byte(prefix)
	hi = append([]byte(prefix[:len(prefix)-1]), filepath.Separator+1)
	return lo, hi
}

// Known is what the catalogue holds of one photo, as a rescan compares it
// with the file.
type Known struct {
	Size  int64
	MTime time.Time
	// Missing: the file was last found gone.
	Missing bool
	// Answered: the model set has an answer (or an error) for it.
	Answered bool
}

// Files calls fn for each photo the catalogue holds under dir, with what
// it knows of it for model set m, in no particular order. One query reads
// them all: a rescan compares a whole library folder without asking about
// each file.
func (c *Catalog) Files(dir string, m Model, fn func(path string, k Known)) error {
	modelID, _, err := c.modelID(m)
	if err != nil {
		return err
	}
	lo, hi := under(dir)
	rows, err := c.db.Query(`SELECT p.path, p.size, p.mtime_ns, p.missing,
			EXISTS(SELECT 1 FROM results r WHERE r.photo_id = p.id AND r.model_id = ?)
		FROM photos p WHERE p.path >= ? AND p.path < ?`, modelID, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			path  []byte
			mtime int64
			k     Known
		)
		if err := rows.Scan(&path, &k.Size, &mtime, &k.Missing, &k.Answered); err != nil {
			return err
		}
		k.MTime = time.Unix(0, mtime)
		fn(string(path), k)
	}
	return rows.Err()
}

// File is what the catalogue knows of the photo at path for model set m;
// ok is false when it holds no such photo.
func (c *Catalog) File(path string, m Model) (k Known, ok bool, err error) {
	modelID, _, err := c.modelID(m)
	if err != nil {
		return k, false, err
	}
	var mtime int64
	err = c.db.QueryRow(`SELECT p.size, p.mtime_ns, p.missing,
			EXISTS(SELECT 1 FROM results r WHERE r.photo_id = p.id AND r.model_id = ?)
		FROM photos p WHERE p.path = ?`, modelID, []byte(path)).Scan(&k.Size, &mtime, &k.Missing, &k.Answered)
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	k.MTime = time.Unix(0, mtime)
	return k, err == nil, err
}

// Present records that the photos at paths are there again, as a rescan
// found them unchanged.
func (c *Catalog) Present(paths ...string) error {
	return c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		for _, p := range paths {
			if _, err := tx.Exec(`UPDATE photos SET missing = 0 WHERE path = ? AND missing`, []byte(p)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Move records that the photo or folder at from is now at to (a rename
// the watcher saw): the photo, or every photo under the folder, keeps its
// row, answers and reviews, with no file read. A photo the catalogue held
// at to before was overwritten and goes. Nothing the catalogue does not
// hold at from is touched: a file saved by renaming a temporary one over
// it keeps its row, to be classified again as changed.
func (c *Catalog) Move(from, to string) error {
	if from == to {
		return nil
	}
	return c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		var id int64
		err := tx.QueryRow(`SELECT id FROM photos WHERE path = ?`, []byte(from)).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			if _, err := tx.Exec(`DELETE FROM photos WHERE path = ? AND id <> ?`, []byte(to), id); err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE photos SET path = ?, base = ?, missing = 0 WHERE id = ?`,
				[]byte(to), []byte(filepath.Base(to)), id); err != nil {
				return err
			}
		}
		// A folder: every path below it changes its start. Rows already
		// below the new name are stale (rename(2) needs an empty target)
		// where they would collide.
		lo, hi := under(from)
		newLo, _ := under(to)
		cut := len(lo) + 1 // substr counts from 1
		if _, err := tx.Exec(`DELETE FROM photos WHERE path IN (
				SELECT CAST(? || substr(path, ?) AS BLOB) FROM photos WHERE path >= ? AND path < ?)`,
			newLo, cut, lo, hi); err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE photos SET path = CAST(? || substr(path, ?) AS BLOB) WHERE path >= ? AND path < ?`,
			newLo, cut, lo, hi)
		return err
	})
}

// Gone records that the photos or folders at paths are gone (deleted, or
// moved out of the library folders). A photo whose content the catalogue
// holds at another path that is there (a copy made before, or the move's
// other end, already classified) goes at once, its reviews joining that
// copy's; any other is marked missing, to be pruned after the grace
// period unless it turns up again. It returns how many photos were
// marked missing.
func (c *Catalog) Gone(paths ...string) (int, error) {
	type row struct {
		id          int64
		size        int64
		fingerprint []byte
	}
	missing := 0
	err := c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		missing = 0
		for _, path := range paths {
			lo, hi := under(path)
			rows, err := tx.Query(`SELECT id, size, fingerprint FROM photos
				WHERE (path = ? OR path >= ? AND path < ?) AND NOT missing`, []byte(path), lo, hi)
			if err != nil {
				return err
			}
			var gone []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.size, &r.fingerprint); err != nil {
					rows.Close()
					return err
				}
				gone = append(gone, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, r := range gone {
				copyID, err := presentCopy(tx, r.id, r.size, r.fingerprint, path)
				if err != nil {
					return err
				}
				if copyID == 0 {
					if _, err := tx.Exec(`UPDATE photos SET missing = 1 WHERE id = ?`, r.id); err != nil {
						return err
					}
					missing++
					continue
				}
				if err := mergeInto(tx, r.id, copyID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return missing, err
}

// presentCopy is the id of another photo with the same content whose file
// is there, outside the folder gone; 0 when there is none.
func presentCopy(tx *sql.Tx, id, size int64, fp []byte, gone string) (int64, error) {
	if len(fp) != len(Fingerprint{}) || Fingerprint(fp).IsZero() {
		return 0, nil // never fingerprinted: found by path only
	}
	lo, hi := under(gone)
	rows, err := tx.Query(`SELECT id, path FROM photos WHERE fingerprint = ? AND size = ? AND id <> ? AND NOT missing
		AND path <> ? AND NOT (path >= ? AND path < ?)`, fp, size, id, []byte(gone), lo, hi)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			copyID int64
			path   []byte
		)
		if err := rows.Scan(&copyID, &path); err != nil {
			return 0, err
		}
		if !isGone(string(path)) {
			return copyID, nil
		}
	}
	return 0, rows.Err()
}

// mergeInto moves what the catalogue holds of photo from to photo into,
// the same content elsewhere, where into lacks it (answers of other model
// sets, with their keywords and text; the person's reviews), and deletes
// from.
func mergeInto(tx *sql.Tx, from, into int64) error {
	for _, q := range []string{
		`INSERT OR IGNORE INTO results(photo_id, model_id, ` + resultColumns + `)
			SELECT ?, model_id, ` + resultColumns + ` FROM results WHERE photo_id = ?`,
		`INSERT OR IGNORE INTO keywords(photo_id, model_id, word, at_ns)
			SELECT ?, model_id, word, at_ns FROM keywords WHERE photo_id = ?`,
		`INSERT OR IGNORE INTO texts(photo_id, model_id, body)
			SELECT ?, model_id, body FROM texts WHERE photo_id = ?`,
		`INSERT OR IGNORE INTO reviews(photo_id, keyword, state, at_ns)
			SELECT ?, keyword, state, at_ns FROM reviews WHERE photo_id = ?`,
	} {
		if _, err := tx.Exec(q, into, from); err != nil {
			return err
		}
	}
	_, err := tx.Exec(`DELETE FROM photos WHERE id = ?`, from)
	return err
}

// MarkOffline records that the library folder root is away (its drive
// unmounted): its photos stay, marked missing and offline, never pruned.
// Photos already missing before stay merely missing.
func (c *Catalog) MarkOffline(root string) error {
	lo, hi := under(root)
	return c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		if _, err := tx.Exec(`UPDATE photos SET missing = 1, offline = 1 WHERE path >= ? AND path < ? AND NOT missing`, lo, hi); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE folders SET offline_ns = ? WHERE path = ? AND offline_ns = 0`, time.Now().UnixNano(), []byte(root))
		return err
	})
}

// MarkOnline records that the library folder root is back, mounted at
// mount: its offline photos count as present again, until a rescan finds
// which of them are gone.
func (c *Catalog) MarkOnline(root, mount string) error {
	lo, hi := under(root)
	return c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		if _, err := tx.Exec(`UPDATE photos SET missing = 0 WHERE path >= ? AND path < ? AND offline`, lo, hi); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE folders SET offline_ns = 0, mount = ? WHERE path = ?`, []byte(mount), []byte(root))
		return err
	})
}

// Prune removes the photos under roots that have been missing since
// before, with their answers and reviews: the grace period is over.
// Offline photos stay. It returns how many went.
func (c *Catalog) Prune(before time.Time, roots ...string) (int, error) {
	pruned := 0
	err := c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		pruned = 0
		for _, root := range roots {
			lo, hi := under(root)
			res, err := tx.Exec(`DELETE FROM photos WHERE missing AND NOT offline AND missing_ns < ?
				AND path >= ? AND path < ?`, before.UnixNano(), lo, hi)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			pruned += int(n)
		}
		return nil
	})
	return pruned, err
}
