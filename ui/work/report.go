package work

import "sync"

// Reporter delivers reports to the UI thread, in the order they were made.
type Reporter struct {
	post func(func())

	mu      sync.Mutex
	waiting []func() // oldest first
}

// NewReporter reports through post, which runs a function on the UI thread
// (fyne.Do in the window; tests run them on their own goroutine).
func NewReporter(post func(func())) *Reporter { return &Reporter{post: post} }

// Report runs f on the UI thread after every report before it. Reports
// travel in batches: the first of a batch posts a function that runs all
// those queued by the time it runs. Fyne's event loop runs about one posted
// function per frame while frames are slow to draw (software GL, a busy
// machine); posting each report alone, a 200-photo queue kept the UI
// thread seconds behind (make bench, "UI fluidity").
func (r *Reporter) Report(f func()) {
	r.mu.Lock()
	r.waiting = append(r.waiting, f)
	first := len(r.waiting) == 1
	r.mu.Unlock()
	if first {
		r.post(r.run)
	}
}

func (r *Reporter) run() {
	r.mu.Lock()
	batch := r.waiting
	r.waiting = nil
	r.mu.Unlock()
	for _, f := range batch {
		f()
	}
}
