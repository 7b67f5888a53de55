package index

import (
	"fmt"
	"time"

	"github.com/spotter-app/spotter/library/catalog"
	"github.com/spotter-app/spotter/library/folders"
)

// Progress is how indexing goes, for a status bar: "Indexing ~/Pictures:
// 1,240 of 8,310, about 3 min left".
type Progress struct {
	// Running: this process indexes (it holds the lock).
	Running bool
	// HeldBy is the other process that indexes while this one waits.
	HeldBy *catalog.Holder
	Paused bool
	// Scanning: the folders are being searched, so Total may grow.
	Scanning bool
	// Root is the library folder of the photo being classified; Photo is
	// that photo.
	Root, Photo string
	// Done of Total photos found to classify since indexing last had
	// nothing to do.
	Done, Total int
	// Left is the estimated time until Done reaches Total; 0 while it
	// cannot be told.
	Left time.Duration
}

// Busy reports whether photos are waiting or being classified.
func (p Progress) Busy() bool { return p.Total > p.Done }

// String says it in a sentence, with the home folder as ~.
func (p Progress) String() string {
	switch {
	case p.HeldBy != nil:
		return fmt.Sprintf("Indexing is done by %s", p.HeldBy)
	case !p.Running:
		return "Not indexing"
	case p.Paused && p.Busy():
		return fmt.Sprintf("Indexing paused: %s of %s done", count(p.Done), count(p.Total))
	case p.Paused:
		return "Indexing paused"
	case !p.Busy() && p.Scanning:
		return "Looking for new photos"
	case !p.Busy():
		return "Library up to date"
	}
	s := fmt.Sprintf("Indexing %s: %s of %s", folders.Tilde(p.Root), count(p.Done), count(p.Total))
	if p.Left > 0 {
		s += ", about " + roughly(p.Left) + " left"
	}
	return s
}

// count writes n with thousands separated: 8,310.
func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// roughly says a duration as a person estimates one.
func roughly(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", max(int(d.Round(5*time.Second)/time.Second), 5))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	default:
		return fmt.Sprintf("%.1f h", d.Hours())
	}
}

// NoticeKind tells notices apart, for a window that shows them its own
// way.
type NoticeKind int

// The notices.
const (
	// WatchLimit: the kernel's inotify watch limit was reached; the
	// folders not watched are rescanned periodically instead.
	WatchLimit NoticeKind = iota + 1
	// FolderAway: a library folder is gone, its drive unmounted most
	// likely; its photos stay, offline.
	FolderAway
	// FolderBack: a library folder away is back.
	FolderBack
	// LockHeld: another process indexes; this one waits.
	LockHeld
	// LockTaken: the other process stopped; this one indexes.
	LockTaken
	// Problem: something failed that indexing goes on without.
	Problem
)

// Notice is something the person should know about indexing, said once,
// with what to do where there is something to do.
type Notice struct {
	Kind NoticeKind
	// Path is the folder concerned, if any.
	Path string
	Text string
}

// round counts the photos of one stretch of work, from when indexing had
// nothing to do until it has nothing again.
type round struct {
	total, taken, done int
	current            string
	rate               rate
}

// rate estimates the time per photo from the last photos classified.
type rate struct {
	times []time.Time
}

const rateWindow = 32

func (r *rate) add(t time.Time) {
	r.times = append(r.times, t)
	if len(r.times) > rateWindow {
		r.times = r.times[1:]
	}
}

func (r *rate) reset() { r.times = nil }

// left is the time the photos left take at the recent pace; 0 while there
// is no pace yet.
func (r *rate) left(photos int) time.Duration {
	if len(r.times) < 3 || photos <= 0 {
		return 0
	}
	per := r.times[len(r.times)-1].Sub(r.times[0]) / time.Duration(len(r.times)-1)
	return per * time.Duration(photos)
}

// Progress is how indexing goes now.
func (ix *Indexer) Progress() Progress {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	p := Progress{
		Running: ix.running, HeldBy: ix.held, Paused: ix.paused, Scanning: ix.scanning > 0 || ix.starting,
		Photo: ix.round.current, Done: ix.round.done, Total: ix.round.total,
	}
	if p.Photo == "" && ix.queue.Len() > 0 {
		p.Photo = ix.queue[0].Path // the next
	}
	p.Root = ix.rules.Root(p.Photo)
	p.Left = ix.round.rate.left(p.Total - p.Done)
	return p
}

// report sends the progress to OnProgress: at once when forced, else when
// ProgressEvery has passed since the last.
func (ix *Indexer) report(force bool) {
	if ix.opts.OnProgress == nil {
		return
	}
	ix.mu.Lock()
	now := time.Now()
	due := force || now.Sub(ix.lastSent) >= ix.opts.ProgressEvery
	if due {
		ix.lastSent = now
	}
	ix.mu.Unlock()
	if !due {
		return
	}
	ix.reportMu.Lock()
	defer ix.reportMu.Unlock()
	ix.opts.OnProgress(ix.Progress())
}
