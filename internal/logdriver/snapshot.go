package logdriver

import (
	"errors"
	"os"
	"slices"
)

type opened struct {
	f    *os.File
	info os.FileInfo
}

func closeAll(files []opened) {
	for _, o := range files {
		if o.f != nil {
			o.f.Close()
		}
	}
}

// snapshotTries bounds the retries while the driver keeps rotating.
const snapshotTries = 5

// snapshot opens the files of a log written after anchor (all of them when
// anchor is nil or was dropped), oldest first: rotated files, then path.
// stable is false when a rotation kept moving the files while it looked; the
// files are then possibly out of order.
func snapshot(path string, keep int, anchor os.FileInfo) (files []opened, stable bool, err error) {
	for try := 1; ; try++ {
		files, stable, err = trySnapshot(path, keep, anchor)
		if err != nil || stable || try == snapshotTries {
			return files, stable, err
		}
		closeAll(files)
	}
}

func trySnapshot(path string, keep int, anchor os.FileInfo) ([]opened, bool, error) {
	var head opened
	if err := openStat(path, func(f *os.File, st os.FileInfo) { head = opened{f, st} }); err != nil {
		return nil, false, err
	}
	files := []opened{} // newest first
	if head.f != nil {
		files = append(files, head)
	}
	moved := false
	err := eachRotated(path, keep, func(f *os.File, st os.FileInfo) bool {
		if anchor != nil && os.SameFile(st, anchor) {
			f.Close()
			return true // the rest is older
		}
		if head.f != nil && os.SameFile(st, head.info) {
			f.Close()
			moved = true // rotated under us; the names we saw are not one state
			return true
		}
		files = append(files, opened{f, st})
		return false
	})
	if err != nil {
		closeAll(files)
		return nil, false, err
	}
	// Each rotation moves the file at path away first, so path naming the same
	// file (or still nothing) means the rotated names did not move either.
	st, err := os.Stat(path)
	stable := !moved && (head.f == nil && errors.Is(err, os.ErrNotExist) || head.f != nil && err == nil && os.SameFile(st, head.info))
	slices.Reverse(files)
	return files, stable, nil
}

// openStat opens name and hands it to visit; a missing file is not an error.
func openStat(name string, visit func(*os.File, os.FileInfo)) error {
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	visit(f, st)
	return nil
}

// eachRotated hands path.1, path.2, … (newest first) to visit, which owns
// them, until it returns true or the files run out. A missing file within
// the kept range is skipped, not taken as the end: rotation shifts files one
// rename at a time.
func eachRotated(path string, keep int, visit func(*os.File, os.FileInfo) bool) error {
	for i := 1; ; i++ {
		f, err := os.Open(rotated(path, i))
		if errors.Is(err, os.ErrNotExist) {
			if i > keep {
				return nil
			}
			continue
		}
		if err != nil {
			return err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		if visit(f, st) {
			return nil
		}
	}
}
