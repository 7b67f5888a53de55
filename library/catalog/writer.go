package catalog

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// A batch is committed when this many writes wait, or when the oldest has
// waited flushDelay: few transactions while a folder streams through, and a
// single dropped photo is on disk a moment later.
const (
	batchSize  = 100
	flushDelay = 200 * time.Millisecond
	// busyTries bounds how often a batch that found the file locked for the
	// whole busy timeout (5 s) is tried again before its results are dropped.
	busyTries = 6
)

// op is one write. apply runs inside the batch's transaction; done, when set,
// receives the outcome after the commit (synchronous calls wait on it).
type op struct {
	apply func(tx *sql.Tx, ids *modelIDs) error
	done  chan error
	// pending is the Put whose overlay entry this op retires after the commit.
	pending *pendingPut
}

type pendingPut struct {
	key   pendingKey
	entry Entry
}

type pendingKey struct {
	path  string
	model Model
}

// writer is the one goroutine per process that writes.
type writer struct {
	c *Catalog

	mu     sync.Mutex
	queue  []op
	closed bool
	// waiting counts queued ops someone waits for: they are committed at once.
	waiting int
	wake    chan struct{}
	stopped chan struct{}
	// pending holds Puts not yet committed, so Lookup sees them at once.
	pending map[pendingKey]*pendingPut
	// err is the first failure since the last Flush.
	err error
	// failed: the last batch could not be saved.
	failed bool

	ids modelIDs
}

func startWriter(c *Catalog) *writer {
	w := &writer{
		c:       c,
		wake:    make(chan struct{}, 1),
		stopped: make(chan struct{}),
		pending: map[pendingKey]*pendingPut{},
		ids:     modelIDs{},
	}
	go w.run()
	return w
}

// errClosed is returned by calls made after Close.
var errClosed = errors.New("the catalogue is closed")

// errReadOnly is returned by changes asked of a catalogue that saves nothing to
// its file.
var errReadOnly = errors.New("The catalogue is open read-only, so this change is not saved.")

func (w *writer) enqueue(o op) bool {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return false
	}
	if o.pending != nil {
		w.pending[o.pending.key] = o.pending
	}
	if o.done != nil {
		w.waiting++
	}
	w.queue = append(w.queue, o)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return true
}

// do runs apply in the writer and waits for its commit.
func (w *writer) do(apply func(tx *sql.Tx, ids *modelIDs) error) error {
	if w.c.readOnly {
		return errReadOnly
	}
	done := make(chan error, 1)
	if !w.enqueue(op{apply: apply, done: done}) {
		return errClosed
	}
	return <-done
}

func (w *writer) lookupPending(path string, m Model) (Entry, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p, ok := w.pending[pendingKey{path, m}]
	if !ok {
		return Entry{}, false
	}
	return p.entry, true
}

func (w *writer) failing() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.failed
}

// flush waits until everything queued before it is committed and returns the
// first error since the previous flush.
func (w *writer) flush() error {
	done := make(chan error, 1)
	if !w.enqueue(op{apply: func(*sql.Tx, *modelIDs) error { return nil }, done: done}) {
		return errClosed
	}
	<-done
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.err
	w.err = nil
	return err
}

func (w *writer) stop() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.stopped
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	<-w.stopped
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *writer) run() {
	defer close(w.stopped)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var since time.Time // when the oldest queued op arrived; zero when none
	for {
		w.mu.Lock()
		n, closed, urgent := len(w.queue), w.closed, w.waiting > 0
		w.mu.Unlock()
		switch {
		case n > 0 && (closed || urgent || n >= batchSize || !since.IsZero() && time.Since(since) >= flushDelay):
			w.commitQueued()
			since = time.Time{}
			continue
		case closed:
			return
		case n > 0 && since.IsZero():
			since = time.Now()
			timer.Reset(flushDelay)
		}
		select {
		case <-w.wake:
		case <-timer.C:
		}
	}
}

// commitQueued writes up to batchSize queued ops in one transaction.
func (w *writer) commitQueued() {
	w.mu.Lock()
	batch := w.queue
	if len(batch) > batchSize {
		batch = batch[:batchSize:batchSize]
	}
	w.queue = w.queue[len(batch):]
	for _, o := range batch {
		if o.done != nil {
			w.waiting--
		}
	}
	w.mu.Unlock()

	var err error
	var own []error // each op's outcome when they were tried alone
	// A read-only catalogue's warning, given at Open, already says results are
	// not saved.
	if !w.c.readOnly {
		err = w.commit(batch)
		if err != nil && len(batch) > 1 {
			// One bad write must not cost the others: try each alone and
			// report to each caller its own outcome.
			err = nil
			own = make([]error, len(batch))
			for i, o := range batch {
				own[i] = w.commit([]op{o})
				if err == nil {
					err = own[i]
				}
			}
		}
	}
	w.settle(batch, own, err)
}

// settle retires the batch's overlay entries, records a failure for Flush,
// Close and Warnings, and only then answers its waiters, each with its own
// outcome when own has it: a waiter answered before would find the failure
// not yet recorded (Flush returned nil, Warnings said nothing).
func (w *writer) settle(batch []op, own []error, err error) {
	w.mu.Lock()
	for _, o := range batch {
		if o.pending != nil && w.pending[o.pending.key] == o.pending {
			delete(w.pending, o.pending.key)
		}
	}
	if err != nil && w.err == nil {
		w.err = err
	}
	w.failed = isStorage(err)
	w.mu.Unlock()
	if isStorage(err) {
		w.c.warn(notSaving(w.c.path, err))
	}
	for i, o := range batch {
		if o.done == nil {
			continue
		}
		if own != nil {
			o.done <- own[i]
		} else {
			o.done <- err
		}
	}
}

// commit runs ops in one short transaction, trying again while another process
// holds the file past the busy timeout.
func (w *writer) commit(batch []op) error {
	var err error
	for try := 0; try < busyTries; try++ {
		err = w.commitOnce(batch)
		if !isBusy(err) {
			return err
		}
		time.Sleep(time.Duration(try+1) * 50 * time.Millisecond)
	}
	return err
}

func (w *writer) commitOnce(batch []op) error {
	tx, err := w.c.db.BeginTx(context.Background(), nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Model ids inserted in a transaction that rolls back must be forgotten.
	ids := modelIDs{}
	for k, v := range w.ids {
		ids[k] = v
	}
	for _, o := range batch {
		if err := o.apply(tx, &ids); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	w.ids = ids
	return nil
}

// isStorage tells a failure of the file or disk, which stops results being
// saved, from a failure of one write.
func isStorage(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case sqlite3.ErrFull, sqlite3.ErrReadonly, sqlite3.ErrPerm, sqlite3.ErrCantOpen, sqlite3.ErrIoErr,
		sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrCorrupt, sqlite3.ErrNotADB, sqlite3.ErrAuth:
		return true
	}
	return false
}

func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// modelIDs caches the writer's model rows.
type modelIDs map[Model]int64

func (ids modelIDs) get(tx *sql.Tx, m Model) (int64, error) {
	if id, ok := ids[m]; ok {
		return id, nil
	}
	var id int64
	err := tx.QueryRow(`INSERT INTO models(name, sha256) VALUES(?, ?)
		ON CONFLICT(name, sha256) DO UPDATE SET name = excluded.name RETURNING id`, m.Name, m.SHA256).Scan(&id)
	if err != nil {
		return 0, err
	}
	ids[m] = id
	return id, nil
}
