package ui

import (
	"context"
	"sync"
)

// chores runs the window's file and catalogue work off the UI thread, one
// chore at a time in the order asked: a keyword rejected and then applied
// must reach the catalogue before the sidecar is written, and a write then
// an undo must land in that order. Each chore returns what the UI thread
// does with its outcome, which travels with the worker's reports.
type chores struct {
	ctx    context.Context
	report func(func())
	failed func(error) // on the UI thread, when a chore panics
	wg     sync.WaitGroup

	mu      sync.Mutex
	pending []chore // the first is running
}

// chore does its work and returns the UI thread's part, or nil.
type chore struct {
	what string // for the error when it panics
	do   func(ctx context.Context) func()
}

func newChores(ctx context.Context, report func(func()), failed func(error)) *chores {
	return &chores{ctx: ctx, report: report, failed: failed}
}

// add queues a chore; a goroutine runs the queue while it is not empty.
func (c *chores) add(what string, do func(ctx context.Context) func()) {
	c.mu.Lock()
	c.pending = append(c.pending, chore{what: what, do: do})
	first := len(c.pending) == 1
	c.mu.Unlock()
	if first {
		c.wg.Add(1)
		go c.run()
	}
}

func (c *chores) run() {
	defer c.wg.Done()
	for {
		c.mu.Lock()
		ch := c.pending[0]
		c.mu.Unlock()
		c.runOne(ch)
		c.mu.Lock()
		c.pending = c.pending[1:]
		empty := len(c.pending) == 0
		c.mu.Unlock()
		if empty {
			return
		}
	}
}

func (c *chores) runOne(ch chore) {
	var then func()
	if err := protect(ch.what, func() error {
		then = ch.do(c.ctx)
		return nil
	}); err != nil {
		then = func() { c.failed(err) }
	}
	if then != nil {
		c.report(then)
	}
}

// now runs a chore at once, beside the queue: reading the catalogue for
// the list must not wait behind a thousand sidecars being written.
func (c *chores) now(what string, do func(ctx context.Context) func()) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.runOne(chore{what: what, do: do})
	}()
}

// wait returns once every chore queued has run; the context given to
// newChores should have ended, so long ones stop early.
func (c *chores) wait() { c.wg.Wait() }
