// Package helper runs C parsers in helper processes, never in Spotter's
// own: a C library that crashes on a damaged file (fuzzing found TIFFs that
// make LibRaw write over its own memory) would take the window down with
// every result in it. A helper is this same executable started again with
// SPOTTER_HELPER naming its service; it serves requests on a socket until
// Spotter closes it. A request is a few bytes and one file descriptor (the
// photo, or pixels in a memfd), so the bulk is never copied through the
// socket; the reply is a head and data.
//
// A crashed helper costs its request; the next one starts a new helper.
// Cancelling kills the helper, which stops the C code wherever it is.
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
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const serviceEnv = "SPOTTER_HELPER"

// maxRequest bounds a request's own bytes: they describe the work; the
// data travels in the descriptor.
const maxRequest = 4096

// A Service is one kind of work done in helpers. Its fields are set once,
// before its first Call.
type Service struct {
	// Name tells a helper which service it is, as the package's init
	// passes it to ServeIfHelper.
	Name string
	// Limit is how long one request may take; a helper past it is caught in
	// a loop on a damaged file, and is killed.
	Limit time.Duration
	// Env is the helper's environment (OMP_THREAD_LIMIT=1): none of the
	// person's is passed on.
	Env []string
	// Setup, when set, runs in the helper before it is locked down, to
	// read what it needs from files (Tesseract's language models); its
	// error ends the helper.
	Setup func() error
	// Serve answers one request, in the helper. file is the descriptor
	// that came with it, which Serve must not close. After head and data
	// are sent, done (when not nil) frees what they point into.
	Serve func(req []byte, file int) (head, data []byte, done func(), err error)

	mu   sync.Mutex
	idle []*process
}

// ErrCrashed is the error of a request whose helper died or ran past its
// limit.
var ErrCrashed = errors.New("the helper process crashed")

// crashes counts the requests that ended in ErrCrashed in this process.
var crashes atomic.Int64

// Crashes is how many requests' helpers have crashed in this process: a
// crash costs one file a message, so this is where a fuzz test sees it.
func Crashes() int64 { return crashes.Load() }

// ServeIfHelper locks this process down (lockdown.go), serves s and exits
// when this process was started as one of its helpers; otherwise it
// returns at once. Call it from an init function, so a helper does no
// more than its work before serving.
func (s *Service) ServeIfHelper() {
	if os.Getenv(serviceEnv) != s.Name {
		return
	}
	conn := os.NewFile(3, "socket")
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

// ErrNoSetup is the error of a request whose helper could not set itself
// up.
var ErrNoSetup = errors.New("the helper process could not set itself up")

// ErrNoLockdown is the error of a request whose helper could not lock
// itself down.
var ErrNoLockdown = errors.New("the helper process could not confine itself (seccomp, Landlock or its limits were refused)")

// process is one running helper and Spotter's end of its socket.
type process struct {
	cmd  *exec.Cmd
	conn *os.File
}

func (s *Service) start() (*process, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	conn := os.NewFile(uintptr(fds[0]), s.Name+" helper")
	theirs := os.NewFile(uintptr(fds[1]), s.Name+" helper")
	defer theirs.Close()
	// /proc/self/exe rather than the path: it is this program even when
	// its file was replaced by an update since it started.
	cmd := exec.Command("/proc/self/exe")
	// Nothing of the person's environment: a helper needs none of it.
	cmd.Env = append([]string{serviceEnv + "=" + s.Name}, s.Env...)
	cmd.ExtraFiles = []*os.File{theirs}
	if err := cmd.Start(); err != nil {
		conn.Close()
		return nil, err
	}
	return &process{cmd: cmd, conn: conn}, nil
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
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// Call sends req and file to a helper and returns its reply. A cancelled
// ctx gives ctx.Err(); a helper that dies, runs past the limit or replies
// more than maxData bytes of data gives ErrCrashed.
func (s *Service) Call(ctx context.Context, req []byte, file *os.File, maxData int64) (head, data []byte, err error) {
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
	if head, err = readPart(p.conn, maxRequest); err != nil {
		return nil, nil, err
	}
	if data, err = readPart(p.conn, maxData); err != nil {
		return nil, nil, err
	}
	return head, data, nil
}

// readPart reads one length-prefixed part of a reply.
func readPart(r io.Reader, limit int64) ([]byte, error) {
	var n int64
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	if n < 0 || n > limit {
		return nil, fmt.Errorf("a reply of %d bytes", n)
	}
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return b, err
}

// serve answers requests on conn until it closes, in the helper.
func (s *Service) serve(conn *os.File) int {
	fd := int(conn.Fd())
	for {
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
	for _, part := range [][]byte{head, data} {
		if err := binary.Write(conn, binary.LittleEndian, int64(len(part))); err != nil {
			return err
		}
		if _, err := conn.Write(part); err != nil {
			return err
		}
	}
	return nil
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

// Map maps size bytes of file read-only, in a helper; unmap with
// unix.Munmap.
func Map(file int, size int64) ([]byte, error) {
	if size <= 0 {
		return nil, errors.New("nothing to map")
	}
	return unix.Mmap(file, 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
}
