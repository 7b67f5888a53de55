package sidecar

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
)

// writeData is the one place bytes reach the disk, so tests can make it fail as a full disk does.
var writeData = func(f *os.File, b []byte) error {
	_, err := f.Write(b)
	return err
}

// replace puts s.out in place of the sidecar: a temporary file beside it, synced, then renamed
// over it, so a crash leaves either the old file or the new one, never half of one.
func (s *sidecar) replace() error {
	dir := filepath.Dir(s.path)
	var suffix [6]byte
	rand.Read(suffix[:])
	tmp := filepath.Join(dir, "."+filepath.Base(s.path)+"."+hex.EncodeToString(suffix[:])+".tmp")
	perm := os.FileMode(0o644) // less the umask, as any new file
	if s.info != nil {
		perm = 0o600 // until it is given the old file's mode below
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|noFollow, perm)
	if err != nil {
		return s.failed(err)
	}
	err = s.fill(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.unchanged()
	}
	if err == nil {
		err = os.Rename(tmp, s.path)
	}
	if err != nil {
		os.Remove(tmp)
		return s.failed(err)
	}
	syncDir(dir)
	return nil
}

func (s *sidecar) fill(f *os.File) error {
	if s.info != nil {
		if err := f.Chmod(s.info.Mode().Perm()); err != nil && !errors.Is(err, syscall.EPERM) {
			return err // EPERM: a file system without permissions (FAT on a memory card) has none to keep
		}
		keepOwner(f, s.info)
	}
	if err := writeData(f, s.out); err != nil {
		return err
	}
	return f.Sync()
}

// remove deletes a sidecar Spotter made and has emptied.
func (s *sidecar) remove() error {
	if err := s.unchanged(); err != nil {
		return s.failed(err)
	}
	if err := os.Remove(s.path); err != nil {
		return s.failed(err)
	}
	syncDir(filepath.Dir(s.path))
	return nil
}

var errChanged = errors.New("changed")

// unchanged checks that no other program wrote the sidecar since Spotter read it, so its
// change is not lost.
func (s *sidecar) unchanged() error {
	fi, err := os.Lstat(s.path)
	if s.info == nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return errChanged
	}
	if err != nil || !os.SameFile(fi, s.info) || !fi.ModTime().Equal(s.info.ModTime()) || fi.Size() != s.info.Size() {
		return errChanged
	}
	return nil
}

// syncDir makes the rename itself durable. Its error is not reported: the new file is already
// complete and in place, and some file systems cannot sync a folder at all.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func (s *sidecar) failed(err error) error {
	left := "Nothing was written."
	if s.info != nil {
		left = "The sidecar is left as it was."
	}
	var why string
	switch {
	case errors.Is(err, errChanged):
		why = "another program changed it while Spotter was writing; tag again"
	case isAny(err, diskFull):
		why = "the disk is full; free some space, then tag again"
	case isAny(err, readOnly):
		why = fmt.Sprintf("the folder %s is read-only for you; make it writable or copy the photos somewhere you can write, then tag again", filepath.Dir(s.path))
	default:
		why = err.Error()
	}
	return fmt.Errorf("Spotter could not write %s: %s. %s", s.path, why, left)
}

func isAny(err error, targets []error) bool {
	return slices.ContainsFunc(targets, func(t error) bool { return errors.Is(err, t) })
}
