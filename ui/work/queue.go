package work

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/spotter-app/spotter/inference/pipeline"
)

// Queue holds the photos waiting for the worker, oldest first. The jobs
// queued carry the current generation's context, which CancelAll ends, so
// it also stops the photos already taken and a folder still being walked.
type Queue struct {
	ids  atomic.Uint64
	root context.Context // generations end with it
	wake chan struct{}   // a job was queued

	mu     sync.Mutex
	jobs   []pipeline.Job
	gen    context.Context
	endGen context.CancelFunc
}

func newQueue(root context.Context) *Queue {
	q := &Queue{root: root, wake: make(chan struct{}, 1)}
	q.gen, q.endGen = context.WithCancel(root)
	return q
}

// NewID numbers a row: a photo queued or a row read from the library.
func (q *Queue) NewID() uint64 { return q.ids.Add(1) }

// CancelAll empties the queue and ends the current generation: the photos
// in progress are cancelled, the model's run included, and so is a folder
// still being walked. It returns the ids taken off the queue.
func (q *Queue) CancelAll() []uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	ids := make([]uint64, len(q.jobs))
	for i, j := range q.jobs {
		ids[i] = j.ID
	}
	q.jobs = nil
	q.endGen()
	q.gen, q.endGen = context.WithCancel(q.root)
	return ids
}

// Remove takes a photo off the queue if it is still waiting.
func (q *Queue) Remove(id uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = slices.DeleteFunc(q.jobs, func(j pipeline.Job) bool { return j.ID == id })
}

// generation is the context of the jobs queued now.
func (q *Queue) generation() context.Context {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.gen
}

func (q *Queue) push(jobs ...pipeline.Job) {
	q.mu.Lock()
	q.jobs = append(q.jobs, jobs...)
	q.mu.Unlock()
	q.signal()
}

func (q *Queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// clearWake forgets a wake not yet seen.
func (q *Queue) clearWake() {
	select {
	case <-q.wake:
	default:
	}
}

// next takes the oldest job, waiting for one while the queue is empty. It
// returns false once ctx ends, even with jobs waiting: they are the next
// session's (Worker.Reload).
func (q *Queue) next(ctx context.Context) (pipeline.Job, bool) {
	for ctx.Err() == nil {
		q.mu.Lock()
		if len(q.jobs) > 0 {
			j := q.jobs[0]
			q.jobs = q.jobs[1:]
			q.mu.Unlock()
			return j, true
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-q.wake:
		}
	}
	return pipeline.Job{}, false
}

// takeAll empties the queue and returns what it held.
func (q *Queue) takeAll() []pipeline.Job {
	q.mu.Lock()
	defer q.mu.Unlock()
	jobs := q.jobs
	q.jobs = nil
	return jobs
}
