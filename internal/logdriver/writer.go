package logdriver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// writeChunk is the most a write buffers before it goes to the file: big
// enough for few syscalls, small enough that a burst does not grow the buffer.
const writeChunk = 256 << 10

// fileWriter appends records to a log file and rotates it. It is used by one
// goroutine only.
type fileWriter struct {
	path string
	opts Options
	f    *os.File
	fd   int    // f's, written to raw (see rawWrite)
	size int64  // bytes in f
	buf  []byte // records encoded, not yet written
	last stamp
}

func newFileWriter(path string, o Options) *fileWriter {
	return &fileWriter{path: path, opts: o}
}

// open appends to the existing file: a restarted task gets a new driver on
// the same log, and its earlier output must stay.
func (w *fileWriter) open() error {
	if err := os.MkdirAll(filepath.Dir(w.path), 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(w.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	w.f, w.fd, w.size = f, int(f.Fd()), st.Size()
	// A driver killed mid-write leaves a torn last line; end it so that our
	// first record does not get glued onto it and skipped by readers.
	if w.size > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, w.size-1); err == nil && last[0] != '\n' {
			if _, err := f.Write([]byte{'\n'}); err == nil {
				w.size++
			}
		}
	}
	return nil
}

// write appends the batch and writes it out.
func (w *fileWriter) write(batch []record) error {
	if err := w.add(batch); err != nil {
		return err
	}
	return w.flush()
}

// add appends the batch, rotating before a record that would push the file
// past MaxSize (a record is never split across files), and writes what it
// holds once that is writeChunk; flush writes the rest.
func (w *fileWriter) add(batch []record) error {
	if err := w.ensureOpen(); err != nil {
		return err
	}
	for _, r := range batch {
		if err := w.addRecord(r); err != nil {
			return err
		}
	}
	return nil
}

// addChunk is add for a chunk's records, without making them a batch first.
func (w *fileWriter) addChunk(c chunk) error {
	if err := w.ensureOpen(); err != nil {
		return err
	}
	for text := c.text; text != ""; {
		n := cut(text)
		if err := w.addRecord(record{Log: text[:n], Stream: c.stream, Time: c.time}); err != nil {
			return err
		}
		text = text[n:]
	}
	return nil
}

// ensureOpen opens the file where an earlier open or rotation failed.
func (w *fileWriter) ensureOpen() error {
	if w.f == nil {
		return w.open() // on failure, the next batch tries again
	}
	return nil
}

func (w *fileWriter) addRecord(r record) error {
	mark := len(w.buf)
	w.buf = w.last.appendRecord(w.buf, r)
	// A record alone in a fresh file stays even if it is bigger than MaxSize.
	if w.opts.MaxSize > 0 && w.size+int64(len(w.buf)) > w.opts.MaxSize && w.size+int64(mark) > 0 {
		rec := slices.Clone(w.buf[mark:])
		w.buf = w.buf[:mark]
		if err := w.flush(); err != nil {
			return err
		}
		w.buf = append(w.buf, rec...) // kept for the next write if rotate fails
		if err := w.rotate(); err != nil {
			return err
		}
	}
	if len(w.buf) >= writeChunk {
		return w.flush()
	}
	return nil
}

func (w *fileWriter) flush() error {
	if len(w.buf) == 0 || w.f == nil { // no file after a failed rotation: the next add opens one
		return nil
	}
	n, err := rawWrite(w.fd, w.buf)
	w.size += int64(n)
	w.buf = w.buf[:0]
	if err != nil {
		return &os.PathError{Op: "write", Path: w.path, Err: err}
	}
	return nil
}

// rotate shifts path.(n-1) to path.n … path to path.1, keeping MaxFiles files
// in all, and opens a fresh path.
func (w *fileWriter) rotate() error {
	w.f.Close() // all written; a close error cannot lose anything now
	w.f = nil
	keep := w.opts.MaxFiles - 1 // rotated files kept
	// Drop the oldest, and anything left from an earlier, larger max-file.
	for i := max(keep, 1); ; i++ {
		if err := os.Remove(rotated(w.path, i)); errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	for i := keep - 1; i >= 1; i-- {
		if err := os.Rename(rotated(w.path, i), rotated(w.path, i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	var err error
	if keep > 0 {
		err = os.Rename(w.path, rotated(w.path, 1))
	} else {
		err = os.Remove(w.path)
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return w.open()
}

func (w *fileWriter) close() error {
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

// rotated is the name of the i-th rotated file of path; 1 is the newest.
func rotated(path string, i int) string { return fmt.Sprintf("%s.%d", path, i) }
