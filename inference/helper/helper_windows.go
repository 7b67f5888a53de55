package helper

import (
	"context"
	"errors"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows has the parts of a sandbox (a job object to bound a helper's
// memory and kill it with its parent, a restricted token and a low
// integrity level to keep it from the person's files) but not the Linux
// helpers' transport: no descriptor passing over a socket, no memfd. Until
// a helper speaks over a pipe with a shared section, the Windows build
// decodes in its own process, and says so in the README: a file that
// crashes a C decoder there ends the window. Wine, where this build is
// tested, enforces neither tokens nor integrity levels, so such a helper
// could not be tested here either.
type pool struct{}

// ServeIfHelper returns at once: a Windows Spotter starts no helpers.
func (s *Service) ServeIfHelper() {}

// Call answers req in this process (CallInProcess).
func (s *Service) Call(ctx context.Context, req []byte, file *os.File, maxData int64) (head, data []byte, err error) {
	return s.CallInProcess(ctx, req, file, maxData)
}

// Close has nothing to stop.
func (s *Service) Close() {}

// PIDs is empty: there are no helpers.
func (s *Service) PIDs() []int { return nil }

// BytesSource shares data through a temporary file that Windows deletes
// when it is closed: Serve reads a handle, as it reads a photo's own.
func BytesSource(name string, data []byte) (*Source, error) {
	f, err := os.CreateTemp("", name+"-*")
	if err != nil {
		return nil, err
	}
	path := f.Name()
	f.Close()
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE, windows.FILE_SHARE_READ|windows.FILE_SHARE_DELETE,
		nil, windows.TRUNCATE_EXISTING, windows.FILE_ATTRIBUTE_TEMPORARY|windows.FILE_FLAG_DELETE_ON_CLOSE, 0)
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	shared := os.NewFile(uintptr(h), path)
	if _, err := shared.Write(data); err != nil {
		shared.Close()
		return nil, err
	}
	return &Source{File: shared, Size: int64(len(data)), owned: true}, nil
}

// Map gives size bytes of the file behind handle file to read; release
// frees them. A file that shrank since its size was taken is mapped as it
// is now, and one that cannot be mapped (some network shares) is read.
func Map(file int, size int64) (data []byte, release func(), err error) {
	h := windows.Handle(file)
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		return nil, nil, err
	}
	size = min(size, int64(info.FileSizeHigh)<<32|int64(info.FileSizeLow))
	if size <= 0 {
		return nil, nil, errors.New("nothing to map")
	}
	if section, err := windows.CreateFileMapping(h, nil, windows.PAGE_READONLY, 0, 0, nil); err == nil {
		addr, err := windows.MapViewOfFile(section, windows.FILE_MAP_READ, 0, 0, uintptr(size))
		windows.CloseHandle(section)
		if err == nil {
			// The view is memory Windows maps, outside Go's heap: no collector moves it.
			return unsafe.Slice((*byte)(unsafe.Add(nil, addr)), size), func() { windows.UnmapViewOfFile(addr) }, nil
		}
	}
	data = make([]byte, size)
	n := 0
	for int64(n) < size {
		var got uint32
		at := windows.Overlapped{Offset: uint32(n), OffsetHigh: uint32(int64(n) >> 32)}
		if err := windows.ReadFile(h, data[n:], &got, &at); err != nil && err != windows.ERROR_HANDLE_EOF {
			return nil, nil, err
		}
		if got == 0 {
			break
		}
		n += int(got)
	}
	return data[:n], func() {}, nil
}
