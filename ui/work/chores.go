package work

import (
	"context"
	"sync"
)

// Chores runs the window's file and catalogue work off the UI thread, one
// chore at a time in the order asked: a keyword rejected and then applied
// must reach the catalogue before the sidecar is written, and a write then
// an undo must land in that order. Each chore returns what the UI thread
// does with its outcome, which travels with the worker's reports.
type Chores struct {
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

// NewChores runs chores with ctx, which should end when the window closes
// (Worker.Context), and reports their outcomes through report
// (Worker.Report). failed is told, on the UI thread, of a chore that
// panicked.
func NewChores(ctx context.Context, report func(func()), failed func(error)) *Chores {
	return &Chores{ctx: ctx, report: report, failed: failed}
}

// Add queues a chore; what names it for the error should it panic ("writing
// keywords"). A goroutine runs the queue while it is not empty.
func (c *Chores) Add(what string, do func(ctx context.Context) func()) {
	c.mu.Lock()
	c.pending = append(c.pending, chore{what: what, do: do})
	first := len(c.pending) == 1
	c.mu.Unlock()
	if first {
		c.wg.Add(1)
		go c.run()
	}
}

func (c *Chores) run() {
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

func (c *Chores) runOne(ch chore) {
	var then func()
	if err := Protect(ch.what, func() error {
		then = ch.do(c.ctx)
		return nil
	}); err != nil {
		then = func() { c.failed(err) }
	}
	if then != nil {
		c.report(then)
	}
}

// Now runs a chore at once, beside the queue: reading the catalogue for
// the list must not wait behind a thousand sidecars being written.
func (c *Chores) Now(what string, do func(ctx context.Context) func()) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.runOne(chore{what: what, do: do})
	}()
}

// Wait returns once every chore asked for has run; the context given to
// NewChores should have ended, so long ones stop early.
func (c *Chores) Wait() { c.wg.Wait() }
