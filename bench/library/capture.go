package main

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include <string.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

// grab copies window w's pixels (32 bits each) into buf, which holds
// width*height of them; it returns 0 when the window cannot be read (not
// mapped yet, or gone).
static int grab(Display *d, Window w, unsigned int *buf, int width, int height) {
	XWindowAttributes a;
	if (!XGetWindowAttributes(d, w, &a) || a.map_state != IsViewable || a.width < width || a.height < height) {
		return 0;
	}
	XImage *img = XGetImage(d, w, 0, 0, width, height, AllPlanes, ZPixmap);
	if (img == NULL) {
		return 0;
	}
	for (int y = 0; y < height; y++) {
		memcpy(buf + y * width, img->data + y * img->bytes_per_line, width * 4);
	}
	XDestroyImage(img);
	return 1;
}

static int size(Display *d, Window w, int *width, int *height) {
	XWindowAttributes a;
	if (!XGetWindowAttributes(d, w, &a)) {
		return 0;
	}
	*width = a.width;
	*height = a.height;
	return a.map_state == IsViewable;
}

static int ignore(Display *d, XErrorEvent *e) { return 0; }

static Display *open(void) {
	XSetErrorHandler(ignore); // a window that goes away is not an error here
	return XOpenDisplay(NULL);
}
*/
import "C"

import (
	"errors"
	"hash/maphash"
	"image"
	"image/png"
	"os"
	"time"
	"unsafe"
)

// screen reads a window's pixels straight from the X server: a few
// milliseconds a frame, where `import` takes a tenth of a second.
type screen struct{ d *C.Display }

func openScreen() (*screen, error) {
	d := C.open()
	if d == nil {
		return nil, errors.New("cannot open the X display $DISPLAY")
	}
	return &screen{d}, nil
}

func (s *screen) close() { C.XCloseDisplay(s.d) }

// frame is one picture of the window and when it was taken.
type frame struct {
	at     time.Time
	w, h   int
	pixels []uint32
	sum    uint64
}

var seed = maphash.MakeSeed()

// grab takes a picture of window id, or returns false while it is not
// viewable.
func (s *screen) grab(id uint64) (frame, bool) {
	var w, h C.int
	if C.size(s.d, C.Window(id), &w, &h) == 0 || w <= 0 || h <= 0 {
		return frame{}, false
	}
	f := frame{w: int(w), h: int(h), pixels: make([]uint32, int(w)*int(h))}
	if C.grab(s.d, C.Window(id), (*C.uint)(unsafe.Pointer(&f.pixels[0])), w, h) == 0 {
		return frame{}, false
	}
	f.at = time.Now()
	f.sum = maphash.Bytes(seed, unsafe.Slice((*byte)(unsafe.Pointer(&f.pixels[0])), len(f.pixels)*4))
	return f, true
}

// save writes the frame as a PNG.
func (f frame) save(path string) error {
	img := image.NewRGBA(image.Rect(0, 0, f.w, f.h))
	for i, p := range f.pixels {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = byte(p>>16), byte(p>>8), byte(p), 0xff
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(out, img); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
