package catalog

import (
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// Lookup answers whether the photo at path, as fi describes it now, was
// classified by model m before. Size and modification time decide first, so an
// unchanged photo is answered without opening it. Otherwise the photo's
// fingerprint is computed and a photo with the same content is looked for: a
// photo that was touched, moved, renamed or copied is answered from the
// catalogue, and the catalogue learns its new path.
//
// On a hit the entry has Cached set. On a miss it still carries Path, Size,
// MTime, Model and, when it was computed, Fingerprint: fill in the result and
// Put it, and the file is not read again. An error means the catalogue could
// not answer; classify the photo as if it were unknown.
func (c *Catalog) Lookup(path string, fi os.FileInfo, m Model) (Entry, bool, error) {
	e := Entry{Path: path, Size: fi.Size(), MTime: fi.ModTime(), Model: m}
	if p, ok := c.w.lookupPending(path, m); ok && p.Size == e.Size && p.MTime.Equal(e.MTime) {
		p.Cached = true
		return p, true, nil
	}
	modelID, known, err := c.modelID(m)
	if err != nil {
		return e, false, err
	}

	var (
		photoID      int64
		size, mtime  int64
		fp           []byte
		missing      bool
		samePathSeen bool
	)
	err = c.db.QueryRow(`SELECT id, size, mtime_ns, fingerprint, missing FROM photos WHERE path = ?`,
		[]byte(path)).Scan(&photoID, &size, &mtime, &fp, &missing)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return e, false, err
	default:
		samePathSeen = size == e.Size && mtime == e.MTime.UnixNano()
	}
	if samePathSeen {
		copy(e.Fingerprint[:], fp)
		if !known {
			return e, false, nil
		}
		hit, ok, err := c.result(photoID, modelID)
		if err != nil || !ok {
			return e, false, err
		}
		if missing {
			c.w.enqueue(op{apply: func(tx *sql.Tx, _ *modelIDs) error {
				_, err := tx.Exec(`UPDATE photos SET missing = 0 WHERE id = ?`, photoID)
				return err
			}})
		}
		hit.Missing, hit.Offline, hit.Cached = false, false, true
		return hit, true, nil
	}

	e.Fingerprint, err = FingerprintFile(path)
	if err != nil || !known {
		return e, false, err
	}
	var (
		candID   int64
		candPath []byte
	)
	// Prefer the same path (only the time changed), then a row whose file is
	// gone (moved), then any other copy.
	// CROSS JOIN keeps photos the outer loop: without statistics SQLite
	// would rather walk every result of the model than the fingerprint index.
	err = c.db.QueryRow(`SELECT p.id, p.path FROM photos p
		CROSS JOIN results r ON r.photo_id = p.id AND r.model_id = ?
		WHERE p.fingerprint = ? AND p.size = ?
		ORDER BY p.path = ? DESC, p.missing DESC LIMIT 1`,
		modelID, e.Fingerprint[:], e.Size, []byte(path)).Scan(&candID, &candPath)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, err
	}
	hit, ok, err := c.result(candID, modelID)
	if err != nil || !ok {
		return e, false, err
	}
	hit.Path, hit.Size, hit.MTime, hit.Fingerprint = e.Path, e.Size, e.MTime, e.Fingerprint
	hit.Missing, hit.Offline, hit.Cached = false, false, true
	if !c.readOnly {
		c.w.enqueue(op{
			pending: &pendingPut{key: pendingKey{path, m}, entry: hit},
			apply:   relink(string(candPath), candID, hit),
		})
	}
	return hit, true, nil
}

// relink records that the content of photo candID (at oldPath) is now also, or
// only, at e.Path. It runs later in the writer, possibly twice for one photo,
// so it checks again what it finds.
func relink(oldPath string, candID int64, e Entry) func(tx *sql.Tx, _ *modelIDs) error {
	moved := oldPath != e.Path && isGone(oldPath)
	return func(tx *sql.Tx, _ *modelIDs) error {
		if oldPath == e.Path || !moved {
			// Touched (same path), or copied: the new path gets its own row
			// and the results of the content it holds.
			id, err := upsertPhoto(tx, e.Path, e.Size, e.MTime, e.Fingerprint)
			if err != nil || id == candID {
				return err
			}
			// Replacing a result takes its keywords and text with it (the
			// foreign keys' cascade): the copy's follow.
			if _, err := tx.Exec(`INSERT OR REPLACE INTO results(photo_id, model_id, `+resultColumns+`)
				SELECT ?, model_id, `+resultColumns+` FROM results WHERE photo_id = ?`, id, candID); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT OR IGNORE INTO keywords(photo_id, model_id, word, at_ns)
				SELECT ?, model_id, word, at_ns FROM keywords WHERE photo_id = ?`, id, candID); err != nil {
				return err
			}
			_, err = tx.Exec(`INSERT OR IGNORE INTO texts(photo_id, model_id, body)
				SELECT ?, model_id, body FROM texts WHERE photo_id = ?`, id, candID)
			return err
		}
		// Moved: the row, its results for every model and its reviews follow
		// the photo. A stale row at the new path held other content.
		if _, err := tx.Exec(`DELETE FROM photos WHERE path = ? AND id <> ?`, []byte(e.Path), candID); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE photos SET path = ?, base = ?, size = ?, mtime_ns = ?, missing = 0 WHERE id = ?`,
			[]byte(e.Path), []byte(filepath.Base(e.Path)), e.Size, e.MTime.UnixNano(), candID)
		return err
	}
}

// modelID finds m's row; known is false when no result of m was ever stored.
func (c *Catalog) modelID(m Model) (id int64, known bool, err error) {
	if v, ok := c.models.Load(m); ok {
		return v.(int64), true, nil
	}
	err = c.db.QueryRow(`SELECT id FROM models WHERE name = ? AND sha256 = ?`, m.Name, m.SHA256).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	c.models.Store(m, id)
	return id, true, nil
}

func (c *Catalog) result(photoID, modelID int64) (Entry, bool, error) {
	e, err := scanEntry(c.db.QueryRow(`SELECT `+entryColumns+entryFrom+`
		WHERE r.photo_id = ? AND r.model_id = ?`, photoID, modelID))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, false, nil
	}
	return e, err == nil, err
}

// resultColumns are what a result holds beyond its keys.
const resultColumns = `at_ns, outcome, error, predictions, name, confidence, categories, top_category,
	class, class_probability, fused, title, people, keywords, objects, faces, width, height, lines`

const entryColumns = `p.path, p.size, p.mtime_ns, p.fingerprint, p.missing, p.offline, m.name, m.sha256,
	r.at_ns, r.error, r.predictions, r.name, r.confidence, r.categories, r.class, r.class_probability,
	r.fused, r.title, r.people, r.keywords, r.objects, r.faces, r.width, r.height, r.lines`

// entryFrom fixes the join order: results drive, so a filter's plan is the one
// chosen in Catalog.where, whatever statistics PRAGMA optimize gathered (with
// them SQLite would start from models and walk an index row by row).
const entryFrom = ` FROM results r CROSS JOIN photos p ON p.id = r.photo_id CROSS JOIN models m ON m.id = r.model_id`

// scanEntry reads entryColumns, and then into extra the columns a query
// adds after them.
func scanEntry(row interface{ Scan(...any) error }, extra ...any) (Entry, error) {
	var (
		e                         Entry
		path, fp                  []byte
		mtime, at                 int64
		predText, catsText        string
		kwText, objText, faceText string
		linesText                 string
	)
	dst := []any{&path, &e.Size, &mtime, &fp, &e.Missing, &e.Offline, &e.Model.Name, &e.Model.SHA256,
		&at, &e.Error, &predText, &e.Name, &e.Confidence, &catsText, &e.Class, &e.ClassProbability,
		&e.Fused, &e.Title, &e.People, &kwText, &objText, &faceText, &e.Width, &e.Height, &linesText}
	if err := row.Scan(append(dst, extra...)...); err != nil {
		return Entry{}, err
	}
	if err := readArray(kwText, &e.Keywords); err != nil {
		return Entry{}, err
	}
	if err := readArray(objText, &e.Objects); err != nil {
		return Entry{}, err
	}
	if err := readArray(faceText, &e.Faces); err != nil {
		return Entry{}, err
	}
	if err := readArray(linesText, &e.Lines); err != nil {
		return Entry{}, err
	}
	e.Path = string(path)
	copy(e.Fingerprint[:], fp)
	e.MTime = time.Unix(0, mtime)
	e.When = time.Unix(0, at)
	var preds []predJSON
	if err := json.Unmarshal([]byte(predText), &preds); err != nil {
		return Entry{}, err
	}
	if len(preds) > 0 {
		e.Predictions = make([]Prediction, len(preds))
		for i, p := range preds {
			e.Predictions[i] = Prediction{p.L, p.P}
		}
	}
	if err := readArray(catsText, &e.Categories); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// readArray reads a JSON array jsonArray stored; an empty one is nil, as
// it was before it was stored.
func readArray[T any](text string, dst *[]T) error {
	if err := json.Unmarshal([]byte(text), dst); err != nil {
		return err
	}
	if len(*dst) == 0 {
		*dst = nil
	}
	return nil
}
