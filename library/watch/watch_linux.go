package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/spotter-app/spotter/library/folders"
	"github.com/spotter-app/spotter/library/index"
)

// api names what reports the changes, for messages.
const api = "inotify"

// mask is what a watched folder reports. IN_MODIFY says a writer is at
// work; IN_CLOSE_WRITE that it is done; IN_EXCL_UNLINK spares the events
// of files already deleted.
const mask = unix.IN_CREATE | unix.IN_MODIFY | unix.IN_ATTRIB | unix.IN_CLOSE_WRITE | unix.IN_MOVED_FROM |
	unix.IN_MOVED_TO | unix.IN_DELETE | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR | unix.IN_EXCL_UNLINK

// addWatch is inotify_add_watch; tests make it fail as a full kernel
// table does.
var addWatch = unix.InotifyAddWatch

// backend is a run's inotify instance: a watch on every folder.
type backend struct {
	fd   int
	wds  map[int32]string // watched folders by watch
	dirs map[string]int32 // and watches by folder
}

func newBackend() backend {
	return backend{fd: -1, wds: map[int32]string{}, dirs: map[string]int32{}}
}

// event is one inotify event.
type event struct {
	wd     int32
	mask   uint32
	cookie uint32
	name   string
}

// open starts inotify. Without it (the kernel's limit of instances
// reached) it says so and returns no events.
func (r *run) open() (<-chan []event, func()) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		r.ix.Notify(index.Notice{Kind: index.WatchLimit, Text: fmt.Sprintf(
			"Spotter cannot watch the library folders (inotify: %v), so it rescans them every %s instead. "+
				"Close other programs that watch files, or raise fs.inotify.max_user_instances, and restart Spotter.", err, r.opts.Rescan)})
		return nil, func() {}
	}
	// A non-blocking descriptor in an os.File waits in Go's poller, so
	// closing it ends the reader.
	f := os.NewFile(uintptr(fd), "inotify")
	r.fd = fd
	events := make(chan []event, 64)
	stop := make(chan struct{})
	go read(f, events, stop)
	return events, func() {
		close(stop)
		f.Close()
		r.watches.Store(0)
	}
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
	c := change{path: filepath.Join(dir, ev.name), isDir: ev.mask&unix.IN_ISDIR != 0, cookie: ev.cookie}
	switch {
	case ev.mask&unix.IN_MOVED_FROM != 0:
		c.op = opMovedFrom
	case ev.mask&unix.IN_MOVED_TO != 0:
		c.op = opMovedTo
	case ev.mask&unix.IN_DELETE != 0:
		c.op = opDeleted
	case ev.mask&unix.IN_CLOSE_WRITE != 0:
		c.op = opClosed
	case ev.mask&unix.IN_MODIFY != 0:
		c.op = opWrote
	case ev.mask&unix.IN_CREATE != 0:
		c.op = opMade
	case ev.mask&unix.IN_ATTRIB != 0:
		c.op = opTouched
	default:
		return
	}
	r.apply(ctx, c)
}

// watchDir watches dir; the kernel's limit leaves it to the rescans.
func (r *run) watchDir(dir string) {
	if _, ok := r.dirs[dir]; ok {
		return
	}
	wd, err := addWatch(r.fd, dir, mask)
	switch {
	case errors.Is(err, unix.ENOSPC):
		r.unwatched[dir] = true
	case err != nil:
		// Gone meanwhile, or not readable: nothing in it to watch.
		slog.Debug("cannot watch", "folder", dir, "err", err)
	default:
		delete(r.unwatched, dir)
		if old, ok := r.wds[int32(wd)]; ok && old != dir {
			// The same folder under another name: keep the new one.
			delete(r.dirs, old)
		}
		r.wds[int32(wd)] = dir
		r.dirs[dir] = int32(wd)
		r.watches.Store(int64(len(r.dirs)))
	}
}

// unwatch removes the watches of the folders cond chooses.
func (r *run) unwatch(cond func(dir string) bool) {
	for dir, wd := range r.dirs {
		if cond(dir) {
			unix.InotifyRmWatch(r.fd, uint32(wd))
			delete(r.dirs, dir)
			delete(r.wds, wd)
		}
	}
	r.watches.Store(int64(len(r.dirs)))
}

// renameWatches follows a folder's new name in the watches, which the
// kernel keeps on the folders themselves.
func (r *run) renameWatches(from string, move func(dir string) string) {
	for dir, wd := range r.dirs {
		if folders.Within(dir, from) {
			delete(r.dirs, dir)
			r.dirs[move(dir)] = wd
			r.wds[wd] = move(dir)
		}
	}
}

// limitText is the notice of the kernel's limit of watches reached.
func (r *run) limitText() string {
	limit, _ := os.ReadFile("/proc/sys/fs/inotify/max_user_watches")
	return fmt.Sprintf(
		"Spotter reached the kernel's limit of inotify watches (fs.inotify.max_user_watches = %s) after watching %d folders: "+
			"the other %d are rescanned every %s instead, so new photos there take that long to appear. To watch every folder, raise the limit: "+
			"echo fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/40-spotter.conf && sudo sysctl --system",
		strings.TrimSpace(string(limit)), len(r.dirs), len(r.unwatched), r.opts.Rescan)
}
