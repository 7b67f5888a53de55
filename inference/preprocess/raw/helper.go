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
	"time"
	"unsafe"

	"github.com/spotter-app/spotter/inference/helper"
)

// LibRaw runs in helper processes (package helper): fuzzing found TIFFs
// that make LibRaw 0.20.2 write over its own memory and crash. The file's
// bytes go to it as the photo's own descriptor or a memfd, so they are
// copied at most once; the answer (a JPEG preview or a half-size picture)
// comes back on the socket.

var service = &helper.Service{Name: "libraw", Limit: helperLimit, Serve: answer}

func init() { service.ServeIfHelper() }

// helperLimit is how long one request may take: a half-size demosaic of
// 100 megapixels takes a few seconds here, so a helper past it is caught
// in a loop on a damaged file.
const helperLimit = 2 * time.Minute

type request struct {
	MinSide   int32
	MaxPixels int64
	Size      int64
}

// reply is spotter_raw_result as it crosses the socket; the image's data
// follows it.
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
}

// result is what a helper found: the status, the file's make and sizes,
// and the picture, if there is one.
type result struct {
	reply
	data []byte
}

func (r *result) ok() bool { return r.Status == C.LIBRAW_SUCCESS }

// shared is a file's bytes as a helper reads them, with the file's first
// bytes, for messages.
type shared struct {
	*helper.Source
	head []byte
}

// headSize is as much of a file's start as its messages look at.
const headSize = 16

const emptyFile = "is empty (0 bytes). It may still be downloading or copying; try again when it is complete"

func share(data []byte) (*shared, error) {
	if len(data) == 0 {
		return nil, errors.New(emptyFile)
	}
	s, err := helper.BytesSource("spotter-raw", data)
	if err != nil {
		return nil, memoryError(err)
	}
	return &shared{s, data[:min(len(data), headSize)]}, nil
}

// shareFile shares f itself, which must stay open while it is shared; a
// pipe's bytes are read and shared.
func shareFile(f *os.File) (*shared, error) {
	s, err := helper.FileSource(f)
	if err != nil {
		return nil, fmt.Errorf("could not be read (%v). Check that it is still there and try again", err)
	}
	if s == nil {
		data, err := io.ReadAll(f)
		if err != nil {
			return nil, fmt.Errorf("could not be read (%v). Try again", err)
		}
		return share(data)
	}
	if s.Size == 0 {
		return nil, errors.New(emptyFile)
	}
	head := make([]byte, headSize)
	n, _ := f.ReadAt(head, 0)
	return &shared{s, head[:n]}, nil
}

func memoryError(err error) error {
	return fmt.Errorf("could not be handed to the RAW reader (%v). Close other programs and try again", err)
}

// call sends one request to a helper and reads its result. A cancelled ctx
// gives ctx.Err(); a helper that dies or runs past helperLimit gives
// helper.ErrCrashed.
func call(ctx context.Context, s *shared, minSide int, maxPixels int64) (*result, error) {
	req, err := binary.Append(nil, binary.LittleEndian, request{MinSide: int32(minSide), MaxPixels: maxPixels, Size: s.Size})
	if err != nil {
		return nil, err
	}
	// The most a helper sends is a picture of the sensor's pixels or a
	// preview from inside the file.
	head, data, err := service.Call(ctx, req, s.File, max(s.Size, 3*maxPixels))
	if err != nil {
		return nil, err
	}
	res := &result{data: data}
	if _, err := binary.Decode(head, binary.LittleEndian, &res.reply); err != nil {
		return nil, fmt.Errorf("the RAW reader's reply: %w", err)
	}
	return res, nil
}

// answer decodes one request's file, in the helper.
func answer(msg []byte, file int) (head, pixels []byte, done func(), err error) {
	var req request
	if _, err := binary.Decode(msg, binary.LittleEndian, &req); err != nil {
		return nil, nil, nil, err
	}
	data, release, err := helper.Map(file, req.Size)
	if err != nil {
		return nil, nil, nil, err
	}
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
	done = release
	if res.image != nil {
		img := res.image
		done = func() { C.libraw_dcraw_clear_mem(img); release() }
		pixels = unsafe.Slice((*byte)(unsafe.Pointer(&img.data[0])), int(img.data_size))
		if img._type == C.LIBRAW_IMAGE_JPEG {
			out.JPEG = 1
		}
		out.Width, out.Height, out.Colors = int32(img.width), int32(img.height), int32(img.colors)
	}
	head, err = binary.Append(nil, binary.LittleEndian, out)
	return head, pixels, done, err
}
