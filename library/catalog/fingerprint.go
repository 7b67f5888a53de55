package catalog

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"os"
)

// Fingerprint identifies a photo's content well enough to recognise it after a
// move or rename. The zero value means "not computed".
type Fingerprint [sha256.Size]byte

// String is the fingerprint in hex.
func (f Fingerprint) String() string { return hex.EncodeToString(f[:]) }

// IsZero reports whether the fingerprint was never computed.
func (f Fingerprint) IsZero() bool { return f == Fingerprint{} }

// fingerprintSpan is how much of each end of the file is read.
const fingerprintSpan = 64 << 10

// FingerprintFile is the SHA-256 of the file's size, its first 64 KiB and its
// last 64 KiB (the whole file when it is smaller than 128 KiB): two reads
// whatever the photo's size.
//
// That is enough to tell photos apart: the head holds the EXIF block with the
// capture time, camera serial and embedded preview, and the start of the
// compressed image; the tail holds the end of the compressed data. Any edit of
// the pixels re-encodes the whole stream, which changes the size and both ends;
// two different photos that agree on size and 128 KiB of compressed data at
// both ends do not occur in practice. It is not a defence against someone
// crafting collisions, which a photo library does not need.
func FingerprintFile(path string) (Fingerprint, error) {
	f, err := os.Open(path)
	if err != nil {
		return Fingerprint{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Fingerprint{}, err
	}
	size := fi.Size()
	h := sha256.New()
	var sz [8]byte
	binary.LittleEndian.PutUint64(sz[:], uint64(size))
	h.Write(sz[:])
	buf := make([]byte, 2*fingerprintSpan)
	if size <= 2*fingerprintSpan {
		n, err := io.ReadFull(f, buf[:size])
		if err != nil {
			return Fingerprint{}, err
		}
		h.Write(buf[:n])
	} else {
		if _, err := io.ReadFull(f, buf[:fingerprintSpan]); err != nil {
			return Fingerprint{}, err
		}
		if _, err := f.ReadAt(buf[fingerprintSpan:], size-fingerprintSpan); err != nil {
			return Fingerprint{}, err
		}
		h.Write(buf)
	}
	var fp Fingerprint
	h.Sum(fp[:0])
	return fp, nil
}
