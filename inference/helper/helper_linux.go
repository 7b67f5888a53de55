package helper

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const serviceEnv = "SPOTTER_HELPER"

// pool keeps a Service's helpers that wait for work.
type pool struct {
	mu   sync.Mutex
	idle []*process
}

// ServeIfHelper locks this process down (lockdown.go), serves s and exits
// when this process was started as one of its helpers; otherwise it
// returns at once. Call it from an init function, so a helper does no
// more than its work before serving.
func (s *Service) ServeIfHelper() {
	if os.Getenv(serviceEnv) != s.Name {
		return
	}
	conn := os.NewFile(socketFD, "socket")
	if s.Setup != nil {
		if err := s.Setup(); err != nil {
			fmt.Fprintln(os.Stderr, "spotter helper:", err)
			os.Exit(exitNoSetup)
		}
	}
	if err := lockDown(); err != nil {
		fmt.Fprintln(os.Stderr, "spotter helper:", err)
		os.Exit(exitNoLockdown)
	}
	os.Exit(s.serve(conn))
}

// A helper's exit status when it could not set itself up, or lock itself
// down: it serves nothing rather than serve unconfined.
const (
	exitNoLockdown = 3
	exitNoSetup    = 4
)

// process is one running helper, Spotter's end of its socket, and the
// memfd its replies' data is written to.
type process struct {
	cmd     *exec.Cmd
	conn    *os.File
	replies *os.File
}

// The helper's descriptors: its socket and its replies' memfd.
const (
	socketFD  = 3
	repliesFD = 4
)

// keepReplies is as much of a helper's replies memfd as is kept between
// requests, so that a burst of photos reuses its pages; a larger reply
// (a full-size picture for the window's preview) is given back at once.
const keepReplies = 8 << 20

func (s *Service) start() (*process, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	conn := os.NewFile(uintptr(fds[0]), s.Name+" helper")
	theirs := os.NewFile(uintptr(fds[1]), s.Name+" helper")
	defer theirs.Close()
	rfd, err := unix.MemfdCreate("spotter-"+s.Name+"-replies", unix.MFD_CLOEXEC)
	if err != nil {
		conn.Close()
		return nil, err
	}
	replies := os.NewFile(uintptr(rfd), s.Name+" replies")
	// /proc/self/exe rather than the path: it is this program even when
	// its file was replaced by an update since it started.
	cmd := exec.Command("/proc/self/exe")
	// Nothing of the person's environment: a helper needs none of it.
	cmd.Env = append([]string{serviceEnv + "=" + s.Name, burstMalloc, helperGC}, s.Env...)
	cmd.ExtraFiles = []*os.File{socketFD - 3: theirs, repliesFD - 3: replies}
	if err := cmd.Start(); err != nil {
		conn.Close()
		replies.Close()
		return nil, err
	}
	return &process{cmd: cmd, conn: conn, replies: replies}, nil
}

func (s *Service) take() (*process, error) {
	s.mu.Lock()
	if n := len(s.idle); n > 0 {
		p := s.idle[n-1]
		s.idle = s.idle[:n-1]
		s.mu.Unlock()
		return p, nil
	}
	s.mu.Unlock()
	return s.start()
}

// release keeps p for the next request, as many as can work at once.
func (s *Service) release(p *process) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.idle) < runtime.GOMAXPROCS(0) {
		s.idle = append(s.idle, p)
		return
	}
	p.stop()
}

// Close stops the helpers waiting for work; a Call after it starts new
// ones.
func (s *Service) Close() {
	s.mu.Lock()
	idle := s.idle
	s.idle = nil
	s.mu.Unlock()
	for _, p := range idle {
		p.stop()
	}
}

// PIDs are the helpers waiting for work, for tests that measure their
// memory.
func (s *Service) PIDs() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	pids := make([]int, len(s.idle))
	for i, p := range s.idle {
		pids[i] = p.cmd.Process.Pid
	}
	return pids
}

// stop ends the helper: closing its socket ends one that waits for work,
// the kill one that is busy.
func (p *process) stop() {
	p.conn.Close()
	p.replies.Close()
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// Call sends req and file to a helper and returns its reply. A cancelled
// ctx gives ctx.Err(); a helper that dies, runs past the limit or replies
// more than maxData bytes of data gives ErrCrashed.
func (s *Service) Call(ctx context.Context, req []byte, file *os.File, maxData int64) (head, data []byte, err error) {
	if inProcess.Load() {
		return s.CallInProcess(ctx, req, file, maxData)
	}
	if len(req) > maxRequest {
		return nil, nil, fmt.Errorf("a %s request of %d bytes", s.Name, len(req))
	}
	p, err := s.take()
	if err != nil {
		return nil, nil, fmt.Errorf("the %s helper could not start: %w", s.Name, err)
	}
	stopCancel := context.AfterFunc(ctx, func() { p.cmd.Process.Kill() })
	timer := time.AfterFunc(s.Limit, func() { p.cmd.Process.Kill() })
	head, data, err = p.exchange(req, file, maxData)
	inTime, notCancelled := timer.Stop(), stopCancel()
	if err != nil || !inTime || !notCancelled {
		p.stop()
		switch {
		case ctx.Err() != nil:
			return nil, nil, ctx.Err()
		case p.cmd.ProcessState != nil && p.cmd.ProcessState.ExitCode() == exitNoLockdown:
			return nil, nil, ErrNoLockdown
		case p.cmd.ProcessState != nil && p.cmd.ProcessState.ExitCode() == exitNoSetup:
			return nil, nil, ErrNoSetup
		}
		crashes.Add(1)
		return nil, nil, ErrCrashed
	}
	s.release(p)
	return head, data, nil
}

func (p *process) exchange(req []byte, file *os.File, maxData int64) (head, data []byte, err error) {
	raw, err := p.conn.SyscallConn()
	if err != nil {
		return nil, nil, err
	}
	var sendErr error
	err = raw.Write(func(fd uintptr) bool {
		sendErr = syscall.Sendmsg(int(fd), req, syscall.UnixRights(int(file.Fd())), nil, 0)
		return sendErr != syscall.EAGAIN
	})
	if err = errors.Join(err, sendErr); err != nil {
		return nil, nil, err
	}
	n, err := readLength(p.conn, maxRequest)
	if err != nil {
		return nil, nil, err
	}
	head = make([]byte, n)
	if _, err := io.ReadFull(p.conn, head); err != nil {
		return nil, nil, err
	}
	if n, err = readLength(p.conn, maxData); err != nil {
		return nil, nil, err
	}
	data = make([]byte, n)
	if _, err := p.replies.ReadAt(data, 0); err != nil && n > 0 {
		return nil, nil, err
	}
	if n > keepReplies {
		err = p.replies.Truncate(keepReplies)
	}
	return head, data, err
}

// readLength reads the length of a part of a reply.
func readLength(r io.Reader, limit int64) (int64, error) {
	var n int64
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return 0, err
	}
	if n < 0 || n > limit {
		return 0, fmt.Errorf("a reply of %d bytes", n)
	}
	return n, nil
}

// serve answers requests on conn until it closes, in the helper.
func (s *Service) serve(conn *os.File) int {
	fd := int(conn.Fd())
	for {
		if !waiting(fd, idleAfter) {
			giveBack()
		}
		req, file, err := receive(fd)
		if err != nil {
			return 0
		}
		err = s.answer(conn, req, file)
		unix.Close(file)
		if err != nil {
			return 1
		}
	}
}

// burstMalloc keeps glibc's malloc from giving a decoder's buffers fresh
// pages on every request, to be faulted in and zeroed, as it does in a
// young process: memory freed at the top of its heap is kept up to 64 MB,
// and blocks below that come from the heap rather than from mmap. A
// 12-MP HEIC took 760 ms in a helper without it against 640 in Spotter's
// own long-run process, and with it 530 against 555; a RAW's 1600×1200
// preview took 15.9 ms against 7.7 until the trim threshold was raised
// too. One arena for all threads: dav1d's and libheif's threads each kept
// their own, and a helper that had decoded 12-MP AVIFs held 330 MB at its
// peak against 262 with one, at the same speed. What is kept is given back
// once the helper is idle (giveBack).
const burstMalloc = "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=67108864:glibc.malloc.arena_max=1"

// helperGC collects a helper's Go heap (a 12-MP PNG's 36 MB of inflated
// rows, the pictures sent) when it has grown by a quarter rather than
// doubled: between requests almost nothing of it lives, and a helper
// decoding 12-MP PNGs peaked at 117 MB with Go's default against 83.
const helperGC = "GOGC=25"

// idleAfter is how long a helper waits for its next request before it
// gives back the memory its last one freed. A folder's photos come many
// times faster, and each would otherwise fault in its decoder's buffers
// afresh: trimming after every request made a 12-MP HEIC 13 % slower.
const idleAfter = time.Second

// waiting reports whether a request arrives on fd within d.
func waiting(fd int, d time.Duration) bool {
	ts := unix.NsecToTimespec(d.Nanoseconds())
	n, err := unix.Ppoll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, &ts, nil)
	return n > 0 || err != nil
}

func receive(fd int) (req []byte, file int, err error) {
	msg := make([]byte, maxRequest)
	oob := make([]byte, syscall.CmsgSpace(4))
	n, oobn, _, _, err := syscall.Recvmsg(fd, msg, oob, 0)
	if err != nil {
		return nil, -1, err
	}
	if n == 0 {
		return nil, -1, io.EOF
	}
	cmsgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(cmsgs) != 1 {
		return nil, -1, errors.New("no file in the request")
	}
	fds, err := syscall.ParseUnixRights(&cmsgs[0])
	if err != nil || len(fds) != 1 {
		return nil, -1, errors.New("no file in the request")
	}
	return msg[:n], fds[0], nil
}

func (s *Service) answer(conn *os.File, req []byte, file int) error {
	head, data, done, err := s.Serve(req, file)
	if done != nil {
		defer done()
	}
	if err != nil {
		return err
	}
	for off := 0; off < len(data); {
		n, err := unix.Pwrite(repliesFD, data[off:], int64(off))
		if err != nil {
			return err
		}
		off += n
	}
	msg := binary.LittleEndian.AppendUint64(nil, uint64(len(head)))
	msg = append(msg, head...)
	msg = binary.LittleEndian.AppendUint64(msg, uint64(len(data)))
	_, err = conn.Write(msg)
	return err
}

// Share puts data in a memfd a helper can map; the caller closes it.
func Share(name string, data []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	// os.File's Write writes all of data, in as many calls as it takes.
	f := os.NewFile(uintptr(fd), name)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// BytesSource shares data through a memfd named name.
func BytesSource(name string, data []byte) (*Source, error) {
	f, err := Share(name, data)
	if err != nil {
		return nil, err
	}
	return &Source{File: f, Size: int64(len(data)), owned: true}, nil
}

// Map gives size bytes of file to read, in a helper; release frees them.
// A file that shrank since its size was taken is mapped as it is now: a
// page past its end would end the helper with SIGBUS. A file that cannot
// be mapped (some FUSE and network filesystems) is read instead.
func Map(file int, size int64) (data []byte, release func(), err error) {
	var st unix.Stat_t
	if err := unix.Fstat(file, &st); err != nil {
		return nil, nil, err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFREG {
		size = min(size, st.Size)
	}
	if size <= 0 {
		return nil, nil, errors.New("nothing to map")
	}
	data, err = unix.Mmap(file, 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err == nil {
		return data, func() { unix.Munmap(data) }, nil
	}
	data = make([]byte, size)
	n := 0
	for int64(n) < size {
		m, err := unix.Pread(file, data[n:], int64(n))
		if err != nil {
			return nil, nil, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return data[:n], func() {}, nil
}
