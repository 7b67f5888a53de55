package watch

// Windows reports changes through ReadDirectoryChangesW, here with one
// handle per library folder watching its whole subtree. Not through
// fsnotify: version 1.9 keeps its recursive watches ("dir\...") switched
// off outside its own tests, and a handle on every folder, as inotify
// needs, would stop Explorer renaming any folder above a watched one
// ("the folder or a file in it is open in another program").
//
// What Windows does not say, compared with inotify:
//   - when a writer closes a file: a photo is classified once quiet for
//     Options.Unclosed, not Options.Settle;
//   - that a drive was unmounted: its handle's reads fail, which ends the
//     watch, and the poll finds the folder away;
//   - whether a deleted name was a folder: the folders walked are kept to
//     tell.
// And a library folder's handle keeps the folders above it from being
// renamed, and its drive from being ejected safely, while Spotter runs.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/spotter-app/spotter/library/folders"
)

// api names what reports the changes, for messages.
const api = "ReadDirectoryChangesW"

// filter is what a tree reports: names made, deleted and renamed, and
// writes (the size, and the last-write time a writer sets on closing).
const filter = windows.FILE_NOTIFY_CHANGE_FILE_NAME | windows.FILE_NOTIFY_CHANGE_DIR_NAME |
	windows.FILE_NOTIFY_CHANGE_SIZE | windows.FILE_NOTIFY_CHANGE_LAST_WRITE

// errLost says the system dropped a tree's changes: its buffer filled.
var errLost = errors.New("changes lost")

// backend is a run's watched trees, one per library folder.
type backend struct {
	events chan []event
	trees  map[string]*tree // by library folder
	dirs   map[string]bool  // the folders the trees watch
	// cookie pairs a rename's old name with its new one, which Windows
	// reports next.
	cookie uint32
	// err is why a library folder could not be watched, for the notice.
	err error
}

func newBackend() backend {
	return backend{trees: map[string]*tree{}, dirs: map[string]bool{}}
}

// event is one change a tree reported, or err: its changes were lost
// (errLost), or it ended.
type event struct {
	tree   *tree
	action uint32 // FILE_ACTION_*
	name   string // below the tree's folder
	err    error
}

// open never fails: each library folder is watched on its own.
func (r *run) open() (<-chan []event, func()) {
	r.events = make(chan []event, 64)
	return r.events, func() {
		for root, t := range r.trees {
			t.close()
			delete(r.trees, root)
		}
		r.watches.Store(0)
	}
}

func (r *run) handle(ctx context.Context, ev event) {
	t := ev.tree
	if r.trees[t.root] != t {
		return // a watch given up already
	}
	switch {
	case errors.Is(ev.err, errLost):
		r.overflowed = true // compare everything again
		return
	case ev.err != nil:
		// The folder was deleted, or its drive removed: rescan it until
		// it is back, or the poll finds it away.
		r.err = ev.err
		r.unwatchIf(func(dir string) bool { return folders.Within(dir, t.root) })
		r.unwatched[t.root] = true
		r.recheck = true
		return
	}
	c := change{path: filepath.Join(t.root, ev.name)}
	switch ev.action {
	case windows.FILE_ACTION_ADDED:
		c.op, c.isDir = opMade, isDir(c.path)
	case windows.FILE_ACTION_MODIFIED:
		if r.dirs[c.path] {
			return // a folder's listing changed: its entries say how
		}
		c.op = opWrote
	case windows.FILE_ACTION_REMOVED:
		c.op, c.isDir = opDeleted, r.dirs[c.path]
	case windows.FILE_ACTION_RENAMED_OLD_NAME:
		r.cookie++
		c.op, c.isDir, c.cookie = opMovedFrom, r.dirs[c.path], r.cookie
	case windows.FILE_ACTION_RENAMED_NEW_NAME:
		c.op, c.isDir, c.cookie = opMovedTo, isDir(c.path), r.cookie
	default:
		return
	}
	r.apply(ctx, c)
}

func isDir(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.IsDir()
}

// watchDir watches dir through its library folder's tree, opened with
// the library folder. A library folder that cannot be watched is left to
// the rescans, with the folders in it.
func (r *run) watchDir(dir string) {
	if r.dirs[dir] {
		return
	}
	root := r.rules.Root(dir)
	if _, ok := r.trees[root]; !ok {
		if dir != root {
			r.unwatched[dir] = true
			return
		}
		t, err := openTree(root, r.events)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			slog.Debug("cannot watch", "folder", dir, "err", err)
			return
		case err != nil:
			r.err = err
			r.unwatched[dir] = true
			return
		}
		r.trees[root] = t
	}
	delete(r.unwatched, dir)
	r.dirs[dir] = true
	r.watches.Store(int64(len(r.dirs)))
}

// unwatch lets go of the folders cond chooses, closing the trees of the
// library folders among them.
func (r *run) unwatch(cond func(dir string) bool) {
	for dir := range r.dirs {
		if cond(dir) {
			delete(r.dirs, dir)
		}
	}
	for root, t := range r.trees {
		if cond(root) {
			t.close()
			delete(r.trees, root)
		}
	}
	r.watches.Store(int64(len(r.dirs)))
}

// renameWatches follows a folder's new name among the folders watched;
// its tree reports the folders in it under their new names already.
func (r *run) renameWatches(from string, move func(dir string) string) {
	for dir := range r.dirs {
		if folders.Within(dir, from) {
			delete(r.dirs, dir)
			r.dirs[move(dir)] = true
		}
	}
}

// limitText is the notice of library folders that could not be watched.
func (r *run) limitText() string {
	return fmt.Sprintf("Spotter cannot watch %d folders (%v): they are rescanned every %s instead, so new photos there take that long to appear. "+
		"A network drive that does not report changes cannot be watched.", len(r.unwatched), r.err, r.opts.Rescan)
}

// tree reads the changes of a folder and every folder below it.
type tree struct {
	root string
	h    windows.Handle // the folder, opened for ReadDirectoryChangesW
	// ov and buf are the kernel's while a read is pending, so they live
	// here, on the heap, not on a stack Go may move.
	ov   windows.Overlapped
	buf  []byte
	stop windows.Handle // an event, set to end the reader
	quit chan struct{}  // closed with stop, for a reader handing on changes
	done chan struct{}
}

func openTree(root string, out chan<- []event) (*tree, error) {
	name, err := windows.UTF16PtrFromString(root)
	if err != nil {
		return nil, err
	}
	// Shared for deletion too, so the folder itself can still be renamed
	// or deleted while watched.
	h, err := windows.CreateFile(name, windows.FILE_LIST_DIRECTORY,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, nil,
		windows.OPEN_EXISTING, windows.FILE_FLAG_BACKUP_SEMANTICS|windows.FILE_FLAG_OVERLAPPED, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: root, Err: err}
	}
	// 64 KiB: a folder's worth of photos copied at once fits, and a
	// network drive takes no more.
	t := &tree{root: root, h: h, buf: make([]byte, 64<<10), quit: make(chan struct{}), done: make(chan struct{})}
	if t.ov.HEvent, err = windows.CreateEvent(nil, 1, 0, nil); err == nil {
		t.stop, err = windows.CreateEvent(nil, 1, 0, nil)
	}
	if err == nil {
		// The first read here, not in the reader, so that a folder that
		// cannot be watched (a network drive without change
		// notifications) says so now.
		err = t.read()
	}
	if err != nil {
		t.release()
		if t.stop != 0 {
			windows.CloseHandle(t.stop)
		}
		return nil, &fs.PathError{Op: api, Path: root, Err: err}
	}
	go t.run(out)
	return t, nil
}

func (t *tree) read() error {
	return windows.ReadDirectoryChanges(t.h, &t.buf[0], uint32(len(t.buf)), true, filter, nil, &t.ov, 0)
}

// run hands on the tree's changes until it is closed, or its folder can
// no longer be read.
func (t *tree) run(out chan<- []event) {
	defer close(t.done)
	defer t.release()
	for {
		w, err := windows.WaitForMultipleObjects([]windows.Handle{t.ov.HEvent, t.stop}, false, windows.INFINITE)
		if err != nil || w != windows.WAIT_OBJECT_0 {
			// Closed: the kernel must be done with buf before it goes.
			var n uint32
			windows.CancelIoEx(t.h, &t.ov)
			windows.GetOverlappedResult(t.h, &t.ov, &n, true)
			return
		}
		var n uint32
		err = windows.GetOverlappedResult(t.h, &t.ov, &n, false)
		var batch []event
		switch {
		case errors.Is(err, windows.ERROR_NOTIFY_ENUM_DIR), err == nil && n == 0:
			batch, err = []event{{tree: t, err: errLost}}, nil
		case err == nil:
			batch = t.parse(t.buf[:n])
		}
		// Read again before handing on, so nothing is missed meanwhile;
		// parse copied the names out of buf.
		if err == nil {
			err = t.read()
		}
		if err != nil {
			batch = append(batch, event{tree: t, err: err})
		}
		select {
		case out <- batch:
		case <-t.quit:
			return
		}
		if err != nil {
			return
		}
	}
}

// parse reads FILE_NOTIFY_INFORMATION records.
func (t *tree) parse(buf []byte) []event {
	var out []event
	const head = int(unsafe.Offsetof(windows.FileNotifyInformation{}.FileName))
	for off := 0; off+head <= len(buf); {
		raw := (*windows.FileNotifyInformation)(unsafe.Pointer(&buf[off]))
		if off+head+int(raw.FileNameLength) > len(buf) {
			break
		}
		name := unsafe.Slice(&raw.FileName, raw.FileNameLength/2)
		out = append(out, event{tree: t, action: raw.Action, name: windows.UTF16ToString(name)})
		if raw.NextEntryOffset == 0 {
			break
		}
		off += int(raw.NextEntryOffset)
	}
	return out
}

// close ends the reader and waits for it.
func (t *tree) close() {
	windows.SetEvent(t.stop)
	close(t.quit)
	<-t.done
	windows.CloseHandle(t.stop)
}

func (t *tree) release() {
	windows.CloseHandle(t.h)
	if t.ov.HEvent != 0 {
		windows.CloseHandle(t.ov.HEvent)
	}
}
