// Package helper runs C parsers in helper processes, never in Spotter's
// own: a C library that crashes on a damaged file (fuzzing found TIFFs that
// make LibRaw write over its own memory) would take the window down with
// every result in it. A helper is this same executable started again with
// SPOTTER_HELPER naming its service; it serves requests on a socket until
// Spotter closes it. A request is a few bytes and one file descriptor (the
// photo, or pixels in a memfd), so the bulk is never copied through the
// socket; the reply is a head, on the socket, and data, in a memfd each
// helper keeps for its replies: through the socket, in 200 KB turns, the
// picture of a 12-megapixel JPEG decoded for the classifier cost 2.7 ms
// more than in Spotter's process; through the memfd, 0.12 ms.
//
// A crashed helper costs its request; the next one starts a new helper.
// Cancelling kills the helper, which stops the C code wherever it is.
//
// On Windows there are no helpers yet: every Call is answered in Spotter's
// own process (helper_windows.go says why), so a crash there is the
// window's.
package helper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

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

	// The helpers waiting for work (none on Windows).
	pool

	// For CallInProcess.
	setup    sync.Once
	setupErr error
}

// ErrCrashed is the error of a request whose helper died or ran past its
// limit.
var ErrCrashed = errors.New("the helper process crashed")

// crashes counts the requests that ended in ErrCrashed in this process.
var crashes atomic.Int64

// Crashes is how many requests' helpers have crashed in this process: a
// crash costs one file a message, so this is where a fuzz test sees it.
func Crashes() int64 { return crashes.Load() }

// ErrNoSetup is the error of a request whose helper could not set itself
// up.
var ErrNoSetup = errors.New("the helper process could not set itself up")

// ErrNoLockdown is the error of a request whose helper could not lock
// itself down.
var ErrNoLockdown = errors.New("the helper process could not confine itself (seccomp, Landlock or its limits were refused)")

// inProcess has every Call answered by CallInProcess: in a
// spotter_inprocess build, and after SetInProcess(true).
var inProcess atomic.Bool

func init() { inProcess.Store(inProcessBuild) }

// SetInProcess has every Call answered in this process, unconfined, or in
// helpers again: for benchmarks that measure what the sandbox costs by
// alternating the two in one run. Spotter itself never calls it.
func SetInProcess(on bool) { inProcess.Store(on) }

// CallInProcess answers req in this process, unconfined, as Spotter did
// before its C parsers ran in helpers: to measure what the sandbox costs
// (BenchmarkSandboxCost, and every Call in a spotter_inprocess build). A
// crash here is this process's.
func (s *Service) CallInProcess(ctx context.Context, req []byte, file *os.File, maxData int64) (head, data []byte, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	s.setup.Do(func() {
		if s.Setup == nil {
			return
		}
		for _, kv := range s.Env {
			k, v, _ := strings.Cut(kv, "=")
			os.Setenv(k, v)
		}
		s.setupErr = s.Setup()
	})
	if s.setupErr != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNoSetup, s.setupErr)
	}
	head, out, done, err := s.Serve(req, int(file.Fd()))
	if done != nil {
		defer done()
	}
	switch {
	case err != nil:
		return nil, nil, err
	case int64(len(out)) > maxData:
		return nil, nil, fmt.Errorf("a reply of %d bytes", len(out))
	}
	// What Serve returned may be freed by done.
	return bytes.Clone(head), bytes.Clone(out), nil
}

// A Source is the bytes a helper reads: a photo's own descriptor, passed
// as it is so that its bytes are never copied in Spotter's process, or a
// memfd holding bytes from memory, which the Source owns.
type Source struct {
	File  *os.File
	Size  int64
	owned bool
}

// FileSource shares f itself, which must stay open while it is shared; it
// is nil when f is no regular file (a pipe, a device), whose bytes must
// be read to be shared.
func FileSource(f *os.File) (*Source, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil
	}
	return &Source{File: f, Size: info.Size()}, nil
}

// Close closes the memfd a Source made; a photo's own file stays open.
func (s *Source) Close() {
	if s.owned {
		s.File.Close()
	}
}
