package catalog

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// Put stores e (a result or an error for e.Path and e.Model) without waiting
// for the disk: the writer commits it within flushDelay. A zero e.When means
// now; a zero e.Fingerprint is computed by the writer. Lookup sees e at once.
func (c *Catalog) Put(e Entry) {
	if c.readOnly {
		return
	}
	if e.When.IsZero() {
		e.When = time.Now()
	}
	e.Cached = false
	p := &pendingPut{key: pendingKey{e.Path, e.Model}, entry: e}
	c.w.enqueue(op{pending: p, apply: func(tx *sql.Tx, ids *modelIDs) error {
		return putEntry(tx, ids, &p.entry)
	}})
}

// Flush waits until every write asked for before it is committed, and returns
// the first write error since the previous Flush.
func (c *Catalog) Flush() error { return c.w.flush() }

type predJSON struct {
	L string  `json:"l"`
	P float32 `json:"p"`
}

func putEntry(tx *sql.Tx, ids *modelIDs, e *Entry) error {
	modelID, err := ids.get(tx, e.Model)
	if err != nil {
		return err
	}
	if e.Fingerprint.IsZero() {
		// The photo may be gone by now; then its row has no fingerprint and is
		// found by path only.
		e.Fingerprint, _ = FingerprintFile(e.Path)
	}
	photoID, err := upsertPhoto(tx, e.Path, e.Size, e.MTime, e.Fingerprint)
	if err != nil {
		return err
	}
	preds := make([]predJSON, len(e.Predictions))
	for i, p := range e.Predictions {
		preds[i] = predJSON{p.Label, p.Probability}
	}
	predText, err := json.Marshal(preds)
	if err != nil {
		return err
	}
	cats := e.Categories
	if cats == nil {
		cats = []string{}
	}
	catText, err := json.Marshal(cats)
	if err != nil {
		return err
	}
	top := ""
	if len(cats) > 0 {
		top = cats[0]
	}
	var kwText, objText, faceText, linesText string
	for _, f := range []struct {
		dst *string
		v   any
	}{{&kwText, e.Keywords}, {&objText, e.Objects}, {&faceText, e.Faces}, {&linesText, e.Lines}} {
		if *f.dst, err = jsonArray(f.v); err != nil {
			return err
		}
	}
	outcome := "ok"
	if e.Error != "" {
		outcome = "error"
	}
	_, err = tx.Exec(`INSERT INTO results(photo_id, model_id, at_ns, outcome, error, predictions,
			name, confidence, categories, top_category, class, class_probability,
			fused, title, people, keywords, objects, faces, width, height, lines)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(photo_id, model_id) DO UPDATE SET at_ns = excluded.at_ns, outcome = excluded.outcome,
			error = excluded.error, predictions = excluded.predictions, name = excluded.name,
			confidence = excluded.confidence, categories = excluded.categories,
			top_category = excluded.top_category, class = excluded.class,
			class_probability = excluded.class_probability, fused = excluded.fused,
			title = excluded.title, people = excluded.people, keywords = excluded.keywords,
			objects = excluded.objects, faces = excluded.faces, width = excluded.width,
			height = excluded.height, lines = excluded.lines`,
		photoID, modelID, e.When.UnixNano(), outcome, e.Error, string(predText),
		e.Name, e.Confidence, string(catText), top, e.Class, e.ClassProbability,
		e.Fused, e.Title, e.People, kwText, objText, faceText, e.Width, e.Height, linesText)
	if err != nil {
		return err
	}
	// The same text again leaves the index alone: a photo classified
	// again mostly reads as before.
	if body := text(e.Lines); body != "" {
		_, err = tx.Exec(`INSERT INTO texts(photo_id, model_id, body) VALUES(?, ?, ?)
			ON CONFLICT(photo_id, model_id) DO UPDATE SET body = excluded.body WHERE body <> excluded.body`,
			photoID, modelID, body)
	} else {
		_, err = tx.Exec(`DELETE FROM texts WHERE photo_id = ? AND model_id = ?`, photoID, modelID)
	}
	if err != nil {
		return err
	}
	// An update keeps the row, so its keywords do not go by themselves.
	if _, err := tx.Exec(`DELETE FROM keywords WHERE photo_id = ? AND model_id = ?`, photoID, modelID); err != nil {
		return err
	}
	for _, k := range e.Keywords {
		if _, err := tx.Exec(`INSERT OR IGNORE INTO keywords(photo_id, model_id, word, at_ns) VALUES(?, ?, ?, ?)`,
			photoID, modelID, k.Word, e.When.UnixNano()); err != nil {
			return err
		}
	}
	return nil
}

// jsonArray stores a slice as JSON, an empty one as [] rather than null.
func jsonArray(v any) (string, error) {
	b, err := json.Marshal(v)
	if string(b) == "null" {
		return "[]", err
	}
	return string(b), err
}

// upsertPhoto makes path's row say size, mtime and fp. When the content
// changed, every model's result for the old content goes.
func upsertPhoto(tx *sql.Tx, path string, size int64, mtime time.Time, fp Fingerprint) (int64, error) {
	var id int64
	var old []byte
	err := tx.QueryRow(`SELECT id, fingerprint FROM photos WHERE path = ?`, []byte(path)).Scan(&id, &old)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRow(`INSERT INTO photos(path, base, size, mtime_ns, fingerprint, added_ns)
			VALUES(?, ?, ?, ?, ?, ?) RETURNING id`,
			[]byte(path), []byte(filepath.Base(path)), size, mtime.UnixNano(), fp[:], time.Now().UnixNano()).Scan(&id)
		return id, err
	}
	if err != nil {
		return 0, err
	}
	if !bytes.Equal(old, fp[:]) {
		if _, err := tx.Exec(`DELETE FROM results WHERE photo_id = ?`, id); err != nil {
			return 0, err
		}
	}
	_, err = tx.Exec(`UPDATE photos SET size = ?, mtime_ns = ?, fingerprint = ?, missing = 0 WHERE id = ?`,
		size, mtime.UnixNano(), fp[:], id)
	return id, err
}

// Forget removes photos, with all their results and reviews, from the
// catalogue. Paths it does not hold are ignored.
func (c *Catalog) Forget(paths ...string) error {
	return c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		for _, p := range paths {
			if _, err := tx.Exec(`DELETE FROM photos WHERE path = ?`, []byte(p)); err != nil {
				return err
			}
		}
		return nil
	})
}

// MarkMissing flags photos whose files are gone; their results stay and
// Entry.Missing says so. Lookup and Put of the path clear the flag.
func (c *Catalog) MarkMissing(paths ...string) error {
	return c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		for _, p := range paths {
			if _, err := tx.Exec(`UPDATE photos SET missing = 1 WHERE path = ?`, []byte(p)); err != nil {
				return err
			}
		}
		return nil
	})
}

// isGone tells a file that is not there (deleted, or on a disk that is not
// mounted) from one that merely cannot be read now.
func isGone(path string) bool {
	_, err := os.Lstat(path)
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, errNotDir)
}
