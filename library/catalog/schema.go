package catalog

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations bring the schema from version i to i+1 (PRAGMA user_version).
// Releases only ever append: a step, once shipped, never changes.
var migrations = []string{
	// 1: the first release.
	`
CREATE TABLE models(
	id     INTEGER PRIMARY KEY,
	name   TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	UNIQUE(name, sha256)
);

-- path holds the bytes Linux allows, not necessarily UTF-8: a BLOB keeps them.
-- base is the file name, for searching by name without matching folders.
CREATE TABLE photos(
	id          INTEGER PRIMARY KEY,
	path        BLOB NOT NULL UNIQUE,
	base        BLOB NOT NULL,
	size        INTEGER NOT NULL,
	mtime_ns    INTEGER NOT NULL,
	fingerprint BLOB NOT NULL,
	added_ns    INTEGER NOT NULL,
	missing     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX photos_fingerprint ON photos(fingerprint);

-- One row per photo and model. name, confidence, categories (a JSON array,
-- broadest first) and top_category are columns so that search and facets need
-- no JSON parsing; predictions is [[label, probability], …], best first.
CREATE TABLE results(
	photo_id          INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
	model_id          INTEGER NOT NULL REFERENCES models(id),
	at_ns             INTEGER NOT NULL,
	outcome           TEXT NOT NULL CHECK(outcome IN ('ok', 'error')),
	error             TEXT NOT NULL DEFAULT '',
	predictions       TEXT NOT NULL DEFAULT '[]',
	name              TEXT NOT NULL DEFAULT '',
	confidence        REAL NOT NULL DEFAULT 0,
	categories        TEXT NOT NULL DEFAULT '[]',
	top_category      TEXT NOT NULL DEFAULT '',
	class             TEXT NOT NULL DEFAULT '',
	class_probability REAL NOT NULL DEFAULT 0,
	PRIMARY KEY(photo_id, model_id)
);
CREATE INDEX results_newest ON results(model_id, at_ns DESC, photo_id DESC);
CREATE INDEX results_newest_all ON results(at_ns DESC, photo_id DESC);
CREATE INDEX results_confidence ON results(model_id, confidence DESC);
-- Search across every model walks this, most confident first, and stops at
-- its limit: a name a tenth of the photos have no longer sorts them all.
CREATE INDEX results_confidence_all ON results(confidence DESC, photo_id);
CREATE INDEX results_category ON results(model_id, outcome, top_category, confidence);
-- Text search matches substrings of several columns, which no index serves: it
-- scans results, measured at a few milliseconds per 100,000 rows.

CREATE TABLE reviews(
	photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
	keyword  TEXT NOT NULL,
	state    TEXT NOT NULL CHECK(state IN ('accepted', 'rejected', 'written')),
	at_ns    INTEGER NOT NULL,
	PRIMARY KEY(photo_id, keyword)
);
`,
	// 2: the model set's fused answer. keywords, objects and faces are JSON
	// arrays, best first, read back whole; the keywords table holds each
	// keyword's word again, with its result's time, so that search, the
	// keyword filter and facets find photos by word through its indexes
	// alone. Its rows go with their result.
	//
	// results_facets replaces results_category: Facets counts from the
	// index alone, where reading each row cost 100,000 lookups of rows
	// grown by the JSON.
	`
ALTER TABLE results ADD COLUMN fused    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN title    TEXT NOT NULL DEFAULT '';
ALTER TABLE results ADD COLUMN people   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN keywords TEXT NOT NULL DEFAULT '[]';
ALTER TABLE results ADD COLUMN objects  TEXT NOT NULL DEFAULT '[]';
ALTER TABLE results ADD COLUMN faces    TEXT NOT NULL DEFAULT '[]';
ALTER TABLE results ADD COLUMN width    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN height   INTEGER NOT NULL DEFAULT 0;
CREATE INDEX results_people ON results(people, model_id) WHERE fused;
DROP INDEX results_category;
CREATE INDEX results_facets ON results(model_id, outcome, fused, top_category, confidence, at_ns);

CREATE TABLE keywords(
	photo_id INTEGER NOT NULL,
	model_id INTEGER NOT NULL,
	word     TEXT NOT NULL,
	at_ns    INTEGER NOT NULL,
	PRIMARY KEY(photo_id, model_id, word),
	FOREIGN KEY(photo_id, model_id) REFERENCES results(photo_id, model_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX keywords_word ON keywords(word, model_id);
CREATE INDEX keywords_model ON keywords(model_id, word, at_ns);
`,
	// 3: the text recognised in the photo. lines is a JSON array in reading
	// order, read back whole; the texts table holds its lines' text again,
	// joined by newlines, as the content of text_search, the full-text
	// index search matches words in. A result without text has no texts
	// row and costs the index nothing. Its row goes with its result, and
	// the triggers keep the index in step, cascades and REPLACE included.
	// texts.id, an INTEGER PRIMARY KEY, is the index's rowid: VACUUM may
	// renumber the implicit rowids of results, never this one.
	//
	// unicode61 with remove_diacritics 2 splits words at anything not a
	// letter or digit and folds case and accents, so "cafe" finds "Café".
	`
ALTER TABLE results ADD COLUMN lines TEXT NOT NULL DEFAULT '[]';

CREATE TABLE texts(
	id       INTEGER PRIMARY KEY,
	photo_id INTEGER NOT NULL,
	model_id INTEGER NOT NULL,
	body     TEXT NOT NULL,
	UNIQUE(photo_id, model_id),
	FOREIGN KEY(photo_id, model_id) REFERENCES results(photo_id, model_id) ON DELETE CASCADE
);
CREATE VIRTUAL TABLE text_search USING fts5(body, content='texts', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER texts_indexed AFTER INSERT ON texts BEGIN
	INSERT INTO text_search(rowid, body) VALUES(new.id, new.body);
END;
CREATE TRIGGER texts_unindexed AFTER DELETE ON texts BEGIN
	INSERT INTO text_search(text_search, rowid, body) VALUES('delete', old.id, old.body);
END;
CREATE TRIGGER texts_reindexed AFTER UPDATE OF body ON texts BEGIN
	INSERT INTO text_search(text_search, rowid, body) VALUES('delete', old.id, old.body);
	INSERT INTO text_search(rowid, body) VALUES(new.id, new.body);
END;
`,
	// 4: library folders, which Spotter watches and indexes by itself.
	// folders holds them and the folders excluded from them. mount is the
	// mount point a library folder was on when last seen and offline_ns
	// since when it has been away (0: present): a drive that is unmounted
	// is not a deletion.
	//
	// missing_ns is when a photo was found missing, which the grace period
	// before pruning counts from; offline says its folder's drive is away,
	// so it is not pruned at all. The trigger keeps both in step with
	// missing however it flips (Lookup, a relink, a Put, CheckMissing): a
	// photo found again is neither. SQLite's clock counts milliseconds
	// (exactly: rounding undoes the float).
	//
	// state holds settings every process shares (indexing paused);
	// index_lock the one process that indexes, told from a later one that
	// reuses its pid by its start time and boot.
	`
CREATE TABLE folders(
	path       BLOB PRIMARY KEY,
	excluded   INTEGER NOT NULL DEFAULT 0,
	added_ns   INTEGER NOT NULL,
	mount      BLOB NOT NULL DEFAULT x'',
	offline_ns INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

ALTER TABLE photos ADD COLUMN missing_ns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE photos ADD COLUMN offline    INTEGER NOT NULL DEFAULT 0;
UPDATE photos SET missing_ns = CAST(round(unixepoch('subsec') * 1000) AS INTEGER) * 1000000 WHERE missing;
CREATE INDEX photos_missing ON photos(missing_ns) WHERE missing;
CREATE TRIGGER photos_missing_since AFTER UPDATE OF missing ON photos WHEN new.missing IS NOT old.missing BEGIN
	UPDATE photos SET missing_ns = CASE WHEN new.missing THEN CAST(round(unixepoch('subsec') * 1000) AS INTEGER) * 1000000 ELSE 0 END,
		offline = new.missing AND new.offline
	WHERE id = new.id;
END;

CREATE TABLE state(
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE index_lock(
	id       INTEGER PRIMARY KEY CHECK(id = 1),
	pid      INTEGER NOT NULL,
	started  INTEGER NOT NULL,
	boot     TEXT NOT NULL,
	program  TEXT NOT NULL,
	since_ns INTEGER NOT NULL
);
`,
}

// migrate applies the steps the file lacks. Each step and its version number
// commit together; BEGIN IMMEDIATE makes a second process wait and then see
// the steps the first one applied.
func migrate(db *sql.DB) error {
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// WAL is a property of the file, set once; an in-memory database answers
	// "memory" and stays as it is.
	if _, err := conn.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		return err
	}
	for {
		done, err := migrateStep(ctx, conn)
		if err != nil || done {
			return err
		}
	}
}

func migrateStep(ctx context.Context, conn *sql.Conn) (done bool, err error) {
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return false, err
	}
	if version >= len(migrations) {
		return true, nil
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return false, err
	}
	if version > len(migrations) {
		return false, errNewer
	}
	if version == len(migrations) {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migrations[version]); err != nil {
		return false, fmt.Errorf("catalogue schema step %d: %w", version+1, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version+1)); err != nil {
		return false, err
	}
	return false, tx.Commit()
}
