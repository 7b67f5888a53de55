package catalog

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"
)

// pausedKey is the state row that says indexing is paused.
const pausedKey = "indexing paused"

// IndexingPaused reports whether the person paused indexing, in any
// process: the pause outlives every one of them.
func (c *Catalog) IndexingPaused() (bool, error) {
	var v string
	err := c.db.QueryRow(`SELECT value FROM state WHERE key = ?`, pausedKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return v == "1", err
}

// SetIndexingPaused pauses or resumes indexing, for every process that
// indexes this catalogue, now and after restarts.
func (c *Catalog) SetIndexingPaused(paused bool) error {
	v := "0"
	if paused {
		v = "1"
	}
	return c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		_, err := tx.Exec(`INSERT INTO state(key, value) VALUES(?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, pausedKey, v)
		return err
	})
}

// Holder is the process that indexes the catalogue.
type Holder struct {
	PID int
	// Program says which Spotter it is ("spotter watch", "the Spotter
	// window").
	Program string
	Since   time.Time
}

func (h Holder) String() string {
	return fmt.Sprintf("%s (process %d, since %s)", h.Program, h.PID, h.Since.Format("2006-01-02 15:04:05"))
}

// process identifies a running process beyond its pid, which the system
// hands out again: its start time and, where that counts from the boot,
// the boot.
type process struct {
	pid     int
	started int64
	boot    string
}

// self is this process.
func self() process {
	p, _ := processOf(os.Getpid())
	return p
}

// alive reports whether the process that took the lock is still running.
// The catalogue is never shared between machines (SQLite's WAL needs one
// machine's shared memory), so a process of another boot has ended.
func (p process) alive() bool {
	now, ok := processOf(p.pid)
	return ok && now.boot == p.boot && now.started == p.started
}

// TakeIndexing makes this process the one that indexes, as program. When
// another running process holds the lock, ok is false and holder says
// which; a lock left by a process that ended (killed, or the machine
// restarted) is taken over. Taking it again is harmless.
func (c *Catalog) TakeIndexing(program string) (holder Holder, ok bool, err error) {
	me := self()
	err = c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		h, p, found, err := lockRow(tx)
		if err != nil {
			return err
		}
		if found && p != me && p.alive() {
			holder, ok = h, false
			return nil
		}
		holder, ok = Holder{PID: me.pid, Program: program, Since: time.Now()}, true
		if found && p == me {
			holder.Since = h.Since
		}
		_, err = tx.Exec(`INSERT OR REPLACE INTO index_lock(id, pid, started, boot, program, since_ns) VALUES(1, ?, ?, ?, ?, ?)`,
			me.pid, me.started, me.boot, program, holder.Since.UnixNano())
		return err
	})
	return holder, ok, err
}

// ReleaseIndexing gives the lock up, if this process holds it.
func (c *Catalog) ReleaseIndexing() error {
	me := self()
	return c.w.do(func(tx *sql.Tx, _ *modelIDs) error {
		_, err := tx.Exec(`DELETE FROM index_lock WHERE pid = ? AND started = ? AND boot = ?`, me.pid, me.started, me.boot)
		return err
	})
}

// IndexingHolder is the running process that indexes the catalogue; ok is
// false when none does.
func (c *Catalog) IndexingHolder() (holder Holder, ok bool, err error) {
	h, p, found, err := lockRow(c.db)
	if err != nil || !found || !p.alive() {
		return Holder{}, false, err
	}
	return h, true, nil
}

type queryRower interface {
	QueryRow(query string, args ...any) *sql.Row
}

func lockRow(q queryRower) (h Holder, p process, found bool, err error) {
	var since int64
	err = q.QueryRow(`SELECT pid, started, boot, program, since_ns FROM index_lock WHERE id = 1`).
		Scan(&p.pid, &p.started, &p.boot, &h.Program, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return h, p, false, nil
	}
	h.PID, h.Since = p.pid, time.Unix(0, since)
	return h, p, err == nil, err
}
