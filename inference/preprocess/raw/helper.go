package raw

/*
#include <stdlib.h>
#include "rawglue.h"
*/
import "C"

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
	"unsafe"

	"golang.org/x/sys/unix"
)

// LibRaw runs in helper processes, never in Spotter's own: fuzzing found
// TIFFs that make LibRaw 0.20.2 write over its own memory and crash, and a
// crash in the window's process would take the window down with every
// result in it. A helper is this same executable started again with
// helperEnv set; it serves requests on a socket until Spotter closes it.
// The file's bytes go to it in a memfd, so they are copied once; the
// answer (a JPEG preview or a half-size picture) comes back on the socket.
//
// A crashed helper costs its request; the next one starts a new helper.
// Cancelling kills the helper, which stops LibRaw wherever it is.

const helperEnv = "SPOTTER_LIBRAW_HELPER"

func init() {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(serve(os.NewFile(3, "socket")))
	}
}

// helperLimit is how long one request may take: a half-size demosaic of
// 100 megapixels takes a few seconds here, so a helper past it is caught
// in a loop on a damaged file.
const helperLimit = 2 * time.Minute

type request struct {
	MinSide   int32
	MaxPixels int64
	Size      int64
}

// reply is spotter_raw_result as it crosses the socket, followed by
// DataLen bytes of the image's data.
type reply struct {
	Status     int32
	Identified int32
	Flip       int32
	RawWidth   int32
	RawHeight  int32
	DNGVersion uint32
	Make       [64]byte
	Model      [64]byte
	Preview    int32
	JPEG       int32
	Width      int32
	Height     int32
	Colors     int32
	DataLen    int64
}

// result is what a helper found: the status, the file's make and sizes,
// and the picture, if there is one.
type result struct {
	reply
	data []byte
}

func (r *result) ok() bool { return r.Status == C.LIBRAW_SUCCESS }

// helper is one running helper process and Spotter's end of its socket.
type helper struct {
	cmd  *exec.Cmd
	conn *os.File
}

// idle holds helpers between requests, as many as can work at once.
var idle struct {
	sync.Mutex
	helpers []*helper
}

func startHelper() (*helper, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	conn := os.NewFile(uintptr(fds[0]), "libraw helper")
	theirs := os.NewFile(uintptr(fds[1]), "libraw helper")
	defer theirs.Close()
	// /proc/self/exe rather than the path: it is this program even when
	// its file was replaced by an update since it started.
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.ExtraFiles = []*os.File{theirs}
	if err := cmd.Start(); err != nil {
		conn.Close()
		return nil, err
	}
	return &helper{cmd: cmd, conn: conn}, nil
}

func takeHelper() (*helper, error) {
	idle.Lock()
	if n := len(idle.helpers); n > 0 {
		h := idle.helpers[n-1]
		idle.helpers = idle.helpers[:n-1]
		idle.Unlock()
		return h, nil
	}
	idle.Unlock()
	return startHelper()
}

func (h *helper) release() {
	idle.Lock()
	defer idle.Unlock()
	if len(idle.helpers) < runtime.GOMAXPROCS(0) {
		idle.helpers = append(idle.helpers, h)
		return
	}
	h.stop()
}

// stop ends the helper: closing its socket ends one that waits for work,
// the kill one that is busy.
func (h *helper) stop() {
	h.conn.Close()
	h.cmd.Process.Kill()
	h.cmd.Wait()
}

// shared is a file's bytes as a file a helper can map: the photo's own,
// or a memfd holding bytes from memory, which shared owns. head is the
// file's first bytes, for messages.
type shared struct {
	file  *os.File
	owned bool
	size  int64
	head  []byte
}

// headSize is as much of a file's start as its messages look at.
const headSize = 16

const emptyFile = "is empty (0 bytes). It may still be downloading or copying; try again when it is complete"

func share(data []byte) (*shared, error) {
	if len(data) == 0 {
		return nil, errors.New(emptyFile)
	}
	fd, err := unix.MemfdCreate("spotter-raw", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, memoryError(err)
	}
	// os.File's Write writes all of data, in as many calls as it takes.
	f := os.NewFile(uintptr(fd), "spotter-raw")
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, memoryError(err)
	}
	return &shared{file: f, owned: true, size: int64(len(data)), head: data[:min(len(data), headSize)]}, nil
}

// shareFile shares f itself, which must stay open while it is shared.
func shareFile(f *os.File) (*shared, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("could not be read (%v). Check that it is still there and try again", err)
	}
	if info.Size() == 0 {
		return nil, errors.New(emptyFile)
	}
	head := make([]byte, headSize)
	n, _ := f.ReadAt(head, 0)
	return &shared{file: f, size: info.Size(), head: head[:n]}, nil
}

func memoryError(err error) error {
	return fmt.Errorf("could not be handed to the RAW reader (%v). Close other programs and try again", err)
}

func (s *shared) close() {
	if s.owned {
		s.file.Close()
	}
}

// errHelperCrashed is the error of a request whose helper died.
var errHelperCrashed = errors.New("the RAW reader crashed")

// call sends one request to a helper and reads its result. A cancelled ctx
// gives ctx.Err(); a helper that dies or runs past helperLimit gives
// errHelperCrashed.
func call(ctx context.Context, s *shared, minSide int, maxPixels int64) (*result, error) {
	h, err := takeHelper()
	if err != nil {
		return nil, fmt.Errorf("the RAW reader could not start: %w", err)
	}
	stopCancel := context.AfterFunc(ctx, func() { h.cmd.Process.Kill() })
	timer := time.AfterFunc(helperLimit, func() { h.cmd.Process.Kill() })
	res, err := h.exchange(s, request{MinSide: int32(minSide), MaxPixels: maxPixels, Size: s.size})
	inTime, notCancelled := timer.Stop(), stopCancel()
	if err != nil || !inTime || !notCancelled {
		h.stop()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errHelperCrashed
	}
	h.release()
	return res, nil
}

func (h *helper) exchange(s *shared, req request) (*result, error) {
	msg, err := binary.Append(nil, binary.LittleEndian, req)
	if err != nil {
		return nil, err
	}
	raw, err := h.conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	var sendErr error
	err = raw.Write(func(fd uintptr) bool {
		sendErr = syscall.Sendmsg(int(fd), msg, syscall.UnixRights(int(s.file.Fd())), nil, 0)
		return sendErr != syscall.EAGAIN
	})
	if err = errors.Join(err, sendErr); err != nil {
		return nil, err
	}
	var res result
	if err := binary.Read(h.conn, binary.LittleEndian, &res.reply); err != nil {
		return nil, err
	}
	// The most a helper sends is a picture of the sensor's pixels or a
	// preview from inside the file.
	if res.DataLen < 0 || res.DataLen > max(s.size, 3*req.MaxPixels) {
		return nil, fmt.Errorf("a reply of %d bytes", res.DataLen)
	}
	res.data = make([]byte, res.DataLen)
	if _, err := io.ReadFull(h.conn, res.data); err != nil {
		return nil, err
	}
	return &res, nil
}

// serve answers requests on conn until it closes, in the helper process.
func serve(conn *os.File) int {
	fd := int(conn.Fd())
	for {
		req, file, err := receive(fd)
		if err != nil {
			return 0
		}
		err = answer(conn, req, file)
		unix.Close(file)
		if err != nil {
			return 1
		}
	}
}

func receive(fd int) (req request, file int, err error) {
	msg := make([]byte, binary.Size(req))
	oob := make([]byte, syscall.CmsgSpace(4))
	n, oobn, _, _, err := syscall.Recvmsg(fd, msg, oob, 0)
	if err != nil {
		return req, -1, err
	}
	if n != len(msg) {
		return req, -1, io.ErrUnexpectedEOF
	}
	cmsgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(cmsgs) != 1 {
		return req, -1, errors.New("no file in the request")
	}
	fds, err := syscall.ParseUnixRights(&cmsgs[0])
	if err != nil || len(fds) != 1 {
		return req, -1, errors.New("no file in the request")
	}
	_, err = binary.Decode(msg, binary.LittleEndian, &req)
	return req, fds[0], err
}

func answer(conn *os.File, req request, file int) error {
	data, err := unix.Mmap(file, 0, int(req.Size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return err
	}
	defer unix.Munmap(data)
	var res C.struct_spotter_raw_result
	C.spotter_raw_decode(unsafe.Pointer(unsafe.SliceData(data)), C.size_t(len(data)), C.int(req.MinSide), C.int64_t(req.MaxPixels), &res)
	out := reply{
		Status:     int32(res.status),
		Identified: int32(res.identified),
		Flip:       int32(res.info.flip),
		RawWidth:   int32(res.info.raw_width),
		RawHeight:  int32(res.info.raw_height),
		DNGVersion: uint32(res.info.dng_version),
		Preview:    int32(res.is_preview),
	}
	for i := range out.Make {
		out.Make[i], out.Model[i] = byte(res.info.make[i]), byte(res.info.model[i])
	}
	var pixels []byte
	if res.image != nil {
		defer C.libraw_dcraw_clear_mem(res.image)
		pixels = unsafe.Slice((*byte)(unsafe.Pointer(&res.image.data[0])), int(res.image.data_size))
		if res.image._type == C.LIBRAW_IMAGE_JPEG {
			out.JPEG = 1
		}
		out.Width, out.Height, out.Colors = int32(res.image.width), int32(res.image.height), int32(res.image.colors)
		out.DataLen = int64(len(pixels))
	}
	msg, err := binary.Append(nil, binary.LittleEndian, out)
	if err != nil {
		return err
	}
	if _, err := conn.Write(msg); err != nil {
		return err
	}
	_, err = conn.Write(pixels)
	return err
}
