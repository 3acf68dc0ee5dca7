package logdriver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// safetyPoll is a slow fallback next to fsnotify: inotify drops events when
// its queue overflows and sees nothing on some network file systems.
const safetyPoll = 2 * time.Second

// follower prints what is appended to a log, moving to the next file when the
// driver rotates it.
type follower struct {
	path    string
	keep    int // rotated files kept, per the options file
	emit    func(Entry) error
	cur     *os.File // newest file read so far, positioned after what was printed
	info    os.FileInfo
	pending []byte // a line whose end is not written yet
	buf     []byte
	dec     decoder
}

func (fl *follower) run(ctx context.Context) error {
	var w *watch
	defer func() {
		if fl.cur != nil {
			fl.cur.Close()
		}
		if w != nil {
			w.Close()
		}
	}()
	tick := time.NewTicker(safetyPoll)
	defer tick.Stop()
	for {
		// Watch before reading, so nothing written after the read goes unseen.
		for {
			changed, err := ensureWatch(&w, fl.path)
			if err != nil {
				return err
			}
			if !changed {
				break
			}
		}
		if err := fl.poll(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.C:
		case <-tick.C:
		}
	}
}

// ensureWatch watches the log's directory, or while that does not exist yet
// the nearest ancestor that does (a change there may be the directory
// appearing). changed says the watch moved and the caller should look again.
func ensureWatch(w **watch, path string) (changed bool, err error) {
	dir := filepath.Dir(path)
	if *w != nil && (*w).dir == dir {
		return false, nil
	}
	target, prefix := dir, filepath.Base(path)
	for {
		if _, err := os.Stat(target); err == nil {
			break
		}
		parent := filepath.Dir(target)
		if parent == target {
			break
		}
		target, prefix = parent, ""
	}
	if *w != nil && (*w).dir == target {
		return false, nil
	}
	nw, err := newWatch(target, prefix)
	if err != nil {
		return false, fmt.Errorf("follow %s: %w", path, err)
	}
	if *w != nil {
		(*w).Close()
	}
	*w = nw
	return true, nil
}

// poll prints what is new in the current file and, when the path now names
// another file, in every file written after it.
func (fl *follower) poll() error {
	if err := fl.drain(); err != nil {
		return err
	}
	st, err := os.Stat(fl.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // not created yet, or between rename and create of a rotation
	}
	if err != nil {
		return err
	}
	if fl.cur != nil && os.SameFile(fl.info, st) {
		return nil
	}
	if err := fl.drain(); err != nil { // what was written just before the rotation
		return err
	}
	var anchor os.FileInfo
	if fl.cur != nil {
		anchor = fl.info
	}
	next, stable, err := snapshot(fl.path, fl.keep, anchor)
	if err != nil || !stable {
		closeAll(next)
		return err // unstable: still rotating; the next event looks again
	}
	for i, o := range next {
		if fl.cur != nil {
			fl.cur.Close()
		}
		fl.cur, fl.info, fl.pending = o.f, o.info, nil // a torn line left behind is lost anyway
		if err := fl.drain(); err != nil {
			for _, o := range next[i+1:] {
				o.f.Close()
			}
			return err
		}
	}
	return nil
}

// drain reads the current file to its end.
func (fl *follower) drain() error {
	if fl.cur == nil {
		return nil
	}
	if fl.buf == nil {
		fl.buf = make([]byte, 64<<10)
	}
	for {
		n, err := fl.cur.Read(fl.buf)
		if n > 0 {
			data := fl.buf[:n] // no copy through pending when the last read ended on a line's end
			if len(fl.pending) > 0 {
				data = append(fl.pending, data...)
			}
			for {
				i := bytes.IndexByte(data, '\n')
				if i < 0 {
					break
				}
				if e, ok := fl.dec.decode(data[:i]); ok {
					if err := fl.emit(e); err != nil {
						return err
					}
				}
				data = data[i+1:]
			}
			fl.pending = append(fl.pending[:0], data...)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
