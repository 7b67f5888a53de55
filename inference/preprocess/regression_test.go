package preprocess_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"

	"github.com/spotter-app/spotter/inference/model"
	"github.com/spotter-app/spotter/inference/preprocess"
)

// Fill must never draw into the caller's photo, even when the photo is
// already the model's size and needs neither crop nor resize.
func TestFillLeavesCallersPhotoAlone(t *testing.T) {
	in := quant(t).Input
	crop := model.Crop{Mode: model.CropEachSide, Fraction: 1}
	tensor := preprocess.NewTensor(in, crop)
	dst := make([]float32, tensor.Len())
	red := uniform(in.Width, in.Height, color.RGBA{255, 0, 0, 255})
	if err := tensor.Fill(preprocess.Photo{Image: red}, dst); err != nil {
		t.Fatal(err)
	}
	blue := image.NewNRGBA(image.Rect(0, 0, in.Width, in.Height))
	for i := 0; i < len(blue.Pix); i += 4 {
		blue.Pix[i+2], blue.Pix[i+3] = 255, 255
	}
	if err := tensor.Fill(preprocess.Photo{Image: blue}, dst); err != nil {
		t.Fatal(err)
	}
	if got := red.RGBAAt(0, 0); got != (color.RGBA{255, 0, 0, 255}) {
		t.Fatalf("the first photo was overwritten: pixel (0,0) is %v", got)
	}
}

// A 4:2:0 YCbCr image (as Go's JPEG and WebP decoders return) cropped at
// an odd row must keep its colours where they are: the tensor matches the
// same pixels given as RGBA.
func TestOddCropKeepsYCbCrColourInPlace(t *testing.T) {
	src := quadrants(320, 240)
	img, err := jpeg.Decode(bytes.NewReader(encodeJPEG(t, src, 100)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.(*image.YCbCr); !ok {
		t.Fatalf("decoded as %T, want *image.YCbCr", img)
	}
	p := preprocess.Photo{Image: img}
	d := quant(t) // each_side 0.875 of 240 rows starts at row 15
	got := fill(t, d.Input, d.Crop, p)
	// The reference: the same region of the same decoded pixels, as RGBA.
	// (CentralCrop may move a YCbCr crop by a pixel; take the region it chose.)
	region := preprocess.CentralCrop(p.Image, d.Crop).Bounds()
	twin := toRGBA(p.Image).SubImage(region)
	want := fill(t, d.Input, model.Crop{Mode: model.CropEachSide, Fraction: 1}, preprocess.Photo{Image: twin})
	if diff := maxDiff(t, got, want); diff > 12.0/128 {
		t.Errorf("JPEG tensor differs from its RGBA twin by %v (%.0f steps)", diff, diff*128)
	}
}

// A failed decode is explained from the file's first bytes, not from
// whatever the decoder left in the read buffer.
func TestDamagedPNGWithLongTextIsNotCalledText(t *testing.T) {
	good := encodePNG(t, noisy(64, 64))
	// Insert a 220 KB tEXt chunk after IHDR (8-byte signature + 25-byte IHDR).
	text := append([]byte("Comment\x00"), bytes.Repeat([]byte("words "), 220_000/6)...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(text)))
	body := append([]byte("tEXt"), text...)
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(body))
	data := append(append(append([]byte{}, good[:33]...), chunk...), good[33:]...)
	cut := data[:len(data)-200]
	_, err := loadBytes(t, "damaged.png", cut)
	if err == nil {
		t.Fatal("a cut PNG decoded")
	}
	if strings.Contains(err.Error(), "text file") {
		t.Errorf("a damaged PNG was called a text file: %v", err)
	}
}
