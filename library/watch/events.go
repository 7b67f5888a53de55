package watch

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/spotter-app/spotter/library/folders"
)

// event is one inotify event.
type event struct {
	wd     int32
	mask   uint32
	cookie uint32
	name   string
}

// read hands the events of f on, a read's worth at a time, until f is
// closed or stop is.
func read(f *os.File, out chan<- []event, stop <-chan struct{}) {
	defer close(out)
	// Room for a few hundred events with names: a folder's worth of
	// photos copied at once arrives in one read.
	buf := make([]byte, 64<<10)
	for {
		n, err := f.Read(buf)
		if err != nil {
			return
		}
		batch := parse(buf[:n])
		select {
		case out <- batch:
		case <-stop:
			return
		}
	}
}

func parse(buf []byte) []event {
	var out []event
	for len(buf) >= unix.SizeofInotifyEvent {
		raw := (*unix.InotifyEvent)(unsafe.Pointer(&buf[0]))
		end := unix.SizeofInotifyEvent + int(raw.Len)
		if end > len(buf) {
			break
		}
		name := buf[unix.SizeofInotifyEvent:end]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		out = append(out, event{wd: raw.Wd, mask: raw.Mask, cookie: raw.Cookie, name: string(name)})
		buf = buf[end:]
	}
	return out
}

func (r *run) handle(ctx context.Context, ev event) {
	if ev.mask&unix.IN_Q_OVERFLOW != 0 {
		r.overflowed = true // events were lost: compare everything again
		return
	}
	dir, ok := r.wds[ev.wd]
	if !ok {
		return // a watch given up already
	}
	switch {
	case ev.mask&unix.IN_IGNORED != 0:
		// The kernel ended the watch: the folder was deleted, or its
		// filesystem unmounted.
		delete(r.wds, ev.wd)
		if r.dirs[dir] == ev.wd {
			delete(r.dirs, dir)
		}
		r.watches.Store(int64(len(r.dirs)))
		return
	case ev.mask&unix.IN_UNMOUNT != 0,
		ev.name == "" && ev.mask&(unix.IN_DELETE_SELF|unix.IN_MOVE_SELF) != 0 && r.rules.Root(dir) == dir:
		// A drive unmounted, or a library folder gone: look, once the
		// batch (one IN_UNMOUNT per watched folder) is through.
		r.recheck = true
		return
	case ev.name == "":
		return
	}
	path := filepath.Join(dir, ev.name)
	isDir := ev.mask&unix.IN_ISDIR != 0
	switch {
	case ev.mask&unix.IN_MOVED_FROM != 0:
		r.moves[ev.cookie] = move{from: path, dir: isDir, at: time.Now()}
	case ev.mask&unix.IN_MOVED_TO != 0:
		m, paired := r.moves[ev.cookie]
		delete(r.moves, ev.cookie)
		if paired {
			r.moved(ctx, m.from, path, isDir)
		} else {
			r.arrived(ctx, path, isDir)
		}
	case ev.mask&unix.IN_DELETE != 0:
		r.left(path, isDir)
	case isDir:
		if ev.mask&unix.IN_CREATE != 0 {
			r.arrived(ctx, path, true)
		}
	case ev.mask&unix.IN_CLOSE_WRITE != 0:
		r.touch(path, true)
	case ev.mask&unix.IN_MODIFY != 0:
		r.touch(path, false)
	case ev.mask&(unix.IN_CREATE|unix.IN_ATTRIB) != 0:
		// Made without writing (a link), or touched: nothing is being
		// written until IN_MODIFY says so.
		if _, ok := r.settling[path]; !ok {
			r.touch(path, true)
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

// moved is a rename inotify paired. A photo or folder renamed within the
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

// rename follows a folder's new name in the watches, which the kernel
// keeps on the folders themselves.
func (r *run) rename(from, to string) {
	move := func(dir string) string { return to + dir[len(from):] }
	for dir, wd := range r.dirs {
		if folders.Within(dir, from) {
			delete(r.dirs, dir)
			r.dirs[move(dir)] = wd
			r.wds[wd] = move(dir)
		}
	}
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
// already; one being filled says so with IN_MODIFY.
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

// moveWait is how long an IN_MOVED_FROM waits for its IN_MOVED_TO, which
// the kernel queues right after it when both ends are watched.
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
