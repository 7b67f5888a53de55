package text

/*
#cgo CFLAGS: -O2 -Wall -Wextra
#cgo pkg-config: tesseract
#include <stdlib.h>
#include "tessglue.h"
*/
import "C"

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unsafe"

	"github.com/spotter-app/spotter/inference/helper"
	"github.com/spotter-app/spotter/inference/prediction"
)

// Tesseract runs in helpers (package helper), as LibRaw does: it parses
// pixels from files Spotter did not make, and a crash or a loop in it must
// cost one photo's text, not the window. One thread each: OpenMP's threads
// cost more than they gained on two cores (the `tesseract` command read the
// dev set's pages faster with OMP_THREAD_LIMIT=1), and the model runs
// beside it.
// A helper loads Tesseract with the languages its environment names before
// it is locked down, then reads pictures. Each Reader has its own service,
// so its helpers have its languages.
const (
	dirEnv   = "SPOTTER_TESSDATA"
	langsEnv = "SPOTTER_TEXT_LANGUAGES"
)

func init() {
	(&helper.Service{Name: serviceName, Setup: load, Serve: serve}).ServeIfHelper()
}

const serviceName = "tesseract"

// load loads Tesseract, in the helper.
func load() error {
	dir, langs := C.CString(os.Getenv(dirEnv)), C.CString(os.Getenv(langsEnv))
	defer C.free(unsafe.Pointer(dir))
	defer C.free(unsafe.Pointer(langs))
	if status := C.spotter_text_load(dir, langs); status != C.SPOTTER_TEXT_OK {
		return fmt.Errorf("Tesseract could not load %s from %s (status %d)", os.Getenv(langsEnv), os.Getenv(dirEnv), int(status))
	}
	return nil
}

// limit is the most one photo's reading may take. A dense page of 500
// words takes about 2 s here; a page past this is a picture of noise that
// Tesseract takes for letters, and what it read so far is kept.
const limit = 20 * time.Second

type request struct {
	Width, Height int32
	DeadlineMS    int32
}

type reply struct{ Status int32 }

// NoLanguage is what Settings says when no language model is installed.
const NoLanguage = "No Tesseract language is installed, so Spotter cannot read text. Install one (on Debian or Ubuntu: sudo apt install tesseract-ocr-eng) and open Settings again."

// Reader reads the words in pictures with the languages it was made for.
// It is safe for concurrent use: each reading takes a helper of its own.
type Reader struct {
	dir, langs string
	files      []string
	service    *helper.Service
}

// NewReader makes a Reader of langs, English when empty. It fails when a
// language's model is not installed.
func NewReader(langs []string) (*Reader, error) {
	if len(langs) == 0 {
		langs = []string{DefaultLanguage}
	}
	files, err := ModelFiles(langs)
	if err != nil {
		return nil, err
	}
	r := &Reader{dir: filepath.Dir(files[0]), langs: strings.Join(langs, "+"), files: files}
	r.service = &helper.Service{Name: serviceName, Limit: limit + 10*time.Second,
		Env: []string{"OMP_THREAD_LIMIT=1", dirEnv + "=" + r.dir, langsEnv + "=" + r.langs}}
	return r, nil
}

// Close stops r's helpers that wait for work.
func (r *Reader) Close() { r.service.Close() }

// ModelFiles are the language models r reads with.
func (r *Reader) ModelFiles() []string { return r.files }

// Read returns the lines of text in pic, in reading order, boxes in pic's
// pixels. A cancelled ctx stops Tesseract where it is.
func (r *Reader) Read(ctx context.Context, pic *Picture) ([]prediction.Line, error) {
	w, h := pic.Width, pic.Height
	if w < minSide || h < minSide || len(pic.Pix) != w*h {
		return nil, nil
	}
	req := request{Width: int32(w), Height: int32(h), DeadlineMS: int32(limit / time.Millisecond)}
	msg, err := binary.Append(nil, binary.LittleEndian, req)
	if err != nil {
		return nil, err
	}
	f, err := helper.Share("spotter-text", pic.Pix)
	if err != nil {
		return nil, fmt.Errorf("could not be handed to the text reader (%v). Close other programs and try again", err)
	}
	defer f.Close()
	// Every letter read covers pixels of its own, so the picture's size
	// bounds an honest reply.
	head, data, err := r.service.Call(ctx, msg, f, int64(w)*int64(h)+1<<20)
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, helper.ErrNoSetup):
		return nil, r.noModel()
	case errors.Is(err, helper.ErrCrashed):
		return nil, errors.New("made Tesseract, Spotter's text reader, crash or run too long: the picture is damaged, or not one Tesseract can read. Its other answers stand")
	case err != nil:
		return nil, fmt.Errorf("could not be read for text: %v. Close other programs and try again", err)
	}
	var rep reply
	if _, err := binary.Decode(head, binary.LittleEndian, &rep); err != nil {
		return nil, fmt.Errorf("the text reader's reply: %w", err)
	}
	switch rep.Status {
	case C.SPOTTER_TEXT_OK:
		return parseLines(data)
	case C.SPOTTER_TEXT_NO_MODEL:
		return nil, r.noModel()
	case C.SPOTTER_TEXT_MEMORY:
		return nil, errors.New("could not be read for text: there was not enough memory. Close other programs and try again")
	}
	return nil, errors.New("could not be read for text: Tesseract could not take the picture. Its other answers stand")
}

func (r *Reader) noModel() error {
	return fmt.Errorf("could not be read for text: Tesseract could not load its %s model from %s. Reinstall Spotter, or choose other languages in Settings", r.langs, r.dir)
}

// minSide is the smallest picture worth reading: no line of text fits in
// fewer pixels.
const minSide = 8

// parseLines reads the lines spotter_text_read laid out.
func parseLines(data []byte) ([]prediction.Line, error) {
	var lines []prediction.Line
	for len(data) > 0 {
		var rec struct {
			Box  [4]int32
			Conf float32
			Len  int32
		}
		n, err := binary.Decode(data, binary.LittleEndian, &rec)
		if err != nil || rec.Len < 0 || int(rec.Len) > len(data)-n {
			return nil, errors.New("the text reader's reply is broken")
		}
		data = data[n:]
		text := strings.TrimSpace(string(data[:rec.Len]))
		data = data[rec.Len:]
		if text == "" {
			continue
		}
		conf := rec.Conf / 100
		if math.IsNaN(float64(conf)) {
			conf = 0
		}
		lines = append(lines, prediction.Line{
			Text:       text,
			Confidence: min(max(conf, 0), 1),
			Box:        prediction.Box{float32(rec.Box[0]), float32(rec.Box[1]), float32(rec.Box[2]), float32(rec.Box[3])},
		})
	}
	return lines, nil
}

// serve reads one picture, in the helper.
func serve(msg []byte, file int) (head, data []byte, done func(), err error) {
	var req request
	if _, err := binary.Decode(msg, binary.LittleEndian, &req); err != nil {
		return nil, nil, nil, err
	}
	if req.Width < minSide || req.Height < minSide {
		return nil, nil, nil, errors.New("a picture too small to read")
	}
	pix, release, err := helper.Map(file, int64(req.Width)*int64(req.Height))
	if err != nil {
		return nil, nil, nil, err
	}
	var out *C.uint8_t
	var outLen C.size_t
	status := C.spotter_text_read((*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(pix))), C.int(req.Width), C.int(req.Height),
		C.int(req.DeadlineMS), &out, &outLen)
	done = func() {
		C.free(unsafe.Pointer(out))
		release()
	}
	if out != nil {
		data = unsafe.Slice((*byte)(unsafe.Pointer(out)), int(outLen))
	}
	head, err = binary.Append(nil, binary.LittleEndian, reply{Status: int32(status)})
	return head, data, done, err
}
