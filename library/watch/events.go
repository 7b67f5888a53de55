package watch

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/spotter-app/spotter/library/folders"
)

// change is what the system reported of the photo or folder at path,
// once its backend has taken what concerns the watches themselves.
type change struct {
	path   string
	isDir  bool
	op     op
	cookie uint32 // pairs an opMovedFrom with its opMovedTo
}

type op uint8

const (
	opMade      op = iota // created, or linked
	opTouched             // its attributes changed
	opWrote               // a writer is at work on it
	opClosed              // its writer is done with it
	opDeleted             // deleted, or moved out of the watched folders
	opMovedFrom           // renamed away: an opMovedTo with its cookie may follow
	opMovedTo             // renamed here
)

func (r *run) apply(ctx context.Context, c change) {
	switch {
	case c.op == opMovedFrom:
		r.moves[c.cookie] = move{from: c.path, dir: c.isDir, at: time.Now()}
	case c.op == opMovedTo:
		m, paired := r.moves[c.cookie]
		delete(r.moves, c.cookie)
		if paired {
			r.moved(ctx, m.from, c.path, c.isDir)
		} else {
			r.arrived(ctx, c.path, c.isDir)
		}
	case c.op == opDeleted:
		r.left(c.path, c.isDir)
	case c.isDir:
		if c.op == opMade {
			r.arrived(ctx, c.path, true)
		}
	case c.op == opClosed:
		r.touch(c.path, true)
	case c.op == opWrote:
		r.touch(c.path, false)
	default:
		// Made without writing (a link), or touched: nothing is being
		// written until opWrote says so.
		if _, ok := r.settling[c.path]; !ok {
			r.touch(c.path, true)
		}
	}
}

// kept reports whether the rules keep the photo or folder at path.
func (r *run) kept(path string, isDir bool) bool {
	if r.rules.Root(path) == "" || skipped(r.rules, filepath.Dir(path)) {
		return false
	}
	if isDir {
		return !r.rules.SkipDir(path)
	}
	return r.rules.Photo(path)
}

// moved is a rename the system paired. A photo or folder renamed within the
// library folders keeps its rows: no file is read, and a folder of
// thousands of photos is one change in the catalogue.
func (r *run) moved(ctx context.Context, from, to string, isDir bool) {
	fromKept, toKept := r.kept(from, isDir), r.kept(to, isDir)
	switch {
	case fromKept && toKept:
		r.storeGone() // a deletion before the rename must not take the renamed photo
		if err := r.cat.Move(from, to); err != nil {
			r.problem("A rename could not be recorded in the catalogue", err)
		}
		if !isDir {
			delete(r.settling, from)
			r.touch(to, true) // a file saved by renaming over a photo is a change
			return
		}
		r.rename(from, to)
	case fromKept:
		r.left(from, isDir)
	case toKept:
		r.arrived(ctx, to, isDir)
	}
}

// rename follows a folder's new name.
func (r *run) rename(from, to string) {
	move := func(dir string) string { return to + dir[len(from):] }
	r.renameWatches(from, move)
	for dir := range r.unwatched {
		if folders.Within(dir, from) {
			delete(r.unwatched, dir)
			r.unwatched[move(dir)] = true
		}
	}
	for p, s := range r.settling {
		if folders.Within(p, from) {
			delete(r.settling, p)
			r.settling[move(p)] = s
		}
	}
}

// arrived is a photo or folder that appeared: made here, or moved in from
// outside the library folders. A folder is watched, and its photos are
// looked at as any new photo is, once settled: a moved folder is complete
// already; one being filled says so with opWrote.
func (r *run) arrived(ctx context.Context, path string, isDir bool) {
	if !r.kept(path, isDir) {
		return
	}
	if !isDir {
		r.touch(path, true)
		return
	}
	err := r.rules.Walk(ctx, path, true, r.watchDir, func(p string, _ os.FileInfo) { r.touch(p, true) })
	if err != nil && ctx.Err() == nil {
		r.problem("A new folder could not be searched", err)
	}
}

// left is a photo or folder deleted or moved out of the library folders.
func (r *run) left(path string, isDir bool) {
	if isDir {
		r.unwatchIf(func(dir string) bool { return folders.Within(dir, path) })
		for p := range r.settling {
			if folders.Within(p, path) {
				delete(r.settling, p)
			}
		}
	} else {
		delete(r.settling, path)
		if !r.rules.Photo(path) {
			return
		}
	}
	r.gone = append(r.gone, path)
}

// storeGone records the deletions seen, in one transaction.
func (r *run) storeGone() {
	if len(r.gone) == 0 {
		return
	}
	if _, err := r.cat.Gone(r.gone...); err != nil {
		r.problem("Deleted photos could not be marked missing in the catalogue", err)
	}
	r.gone = r.gone[:0]
}

// touch notes an event of the photo at path; closed says its writer is
// done with it.
func (r *run) touch(path string, closed bool) {
	if !r.rules.Photo(path) {
		return
	}
	s, ok := r.settling[path]
	if !ok {
		s = &settling{}
		r.settling[path] = s
	}
	s.last = time.Now()
	s.closed = closed
	s.seen = false
	if closed {
		if fi, err := os.Stat(path); err == nil {
			s.seen, s.size, s.mtime = true, fi.Size(), fi.ModTime()
		}
	}
}

// settle hands on the photos whose writes have settled: closed by their
// writer (or quiet for Unclosed), and the same size and age for Settle
// since.
func (r *run) settle() {
	now := time.Now()
	for path, s := range r.settling {
		wait := r.opts.Settle
		if !s.closed {
			wait = r.opts.Unclosed
		}
		if now.Sub(s.last) < wait {
			continue
		}
		fi, err := os.Stat(path)
		if err != nil {
			delete(r.settling, path)
			continue
		}
		if !s.seen || fi.Size() != s.size || !fi.ModTime().Equal(s.mtime) {
			s.seen, s.size, s.mtime, s.last = true, fi.Size(), fi.ModTime(), now
			continue
		}
		delete(r.settling, path)
		if err := r.ix.Check(path, true); err != nil {
			r.problem("A new photo could not be looked up in the catalogue", err)
		}
	}
}

// moveWait is how long an opMovedFrom waits for its opMovedTo, which the
// system reports right after it when both ends are watched.
const moveWait = 500 * time.Millisecond

// expireMoves takes the renames whose other end never came for moves out
// of the library folders.
func (r *run) expireMoves() {
	for cookie, m := range r.moves {
		if time.Since(m.at) >= moveWait {
			delete(r.moves, cookie)
			if r.kept(m.from, m.dir) {
				r.left(m.from, m.dir)
			}
		}
	}
}
