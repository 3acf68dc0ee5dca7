package logdriver

import (
	"bytes"
	"errors"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// maxLine is docker's split size: longer lines go to disk in pieces, all but
// the last without a newline.
const maxLine = 16 << 10

// partialFlush is how long an unterminated line (a prompt, a progress bar)
// waits for the rest before it is written as a partial entry. Programs that
// write block-buffered output finish their line in the next read, well
// within it, so their lines stay whole.
var partialFlush = 100 * time.Millisecond

// splitter cuts one stream into records.
type splitter struct {
	name    string
	q       *queue
	mu      sync.Mutex // pending, fed, idle, armed: shared with the idle-flush timer
	pending []byte
	joined  []byte      // pending and a read after it, reused
	fed     time.Time   // the last feed that left a partial line pending
	idle    *time.Timer // flushes pending once partialFlush passes without a feed
	armed   bool        // idle will fire
}

// busyRead is a read that says its stream is busy: a block-buffered program's
// block (stdio writes 4 KiB to a pipe), more than a line at a time writes.
const busyRead = 4 << 10

// readSize is the most one read takes: what a millisecond brings at 128 MB/s
// (a busy stream's gathered reads), an eighth of a wide pipe.
const readSize = 128 << 10

// widePipe is the pipe size the driver asks for: room for a millisecond of
// output at a GB/s, so that the container does not wait while it gathers.
const widePipe = 1 << 20

// copy reads src until EOF (or the drain deadline after SIGTERM).
//
// A busy stream's reads gather for a millisecond, where src gathers: a read
// and the wake-up before it cost as much CPU for a 4 KiB block as for a
// pipe's worth, so reading each block as it comes was most of the driver's
// CPU for a container logging flat out. The lines are stamped up to that
// much later, like the writer's gather. A stream writing a line at a time is
// read as it comes, in its order with the other stream's lines.
func (s *splitter) copy(src source, gathers bool) error {
	defer src.close()
	buf := make([]byte, readSize)
	busy := false
	for {
		var n int
		var err error
		if busy {
			n, err = src.readNow(buf) // what gathered; nothing means idle again
		} else {
			n, err = src.Read(buf)
		}
		busy = gathers && n >= busyRead
		if n > 0 {
			s.feed(buf[:n], busy)
		}
		if err != nil {
			s.flush()
			if errors.Is(err, io.EOF) || errors.Is(err, os.ErrDeadlineExceeded) {
				return nil
			}
			return err
		}
		if busy && n < len(buf) { // a full buffer: read on at once
			time.Sleep(gather)
		}
	}
}

// widen makes r's pipe widePipe bytes big, if it is a pipe; false when it is
// not, or stays smaller (another user's limits), where gathering would make
// the container wait.
func widen(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	conn, err := f.SyscallConn()
	if err != nil {
		return false
	}
	size := 0
	conn.Control(func(fd uintptr) {
		if size, err = unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0); err == nil && size < widePipe {
			size, err = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, widePipe)
		}
	})
	return err == nil && size >= widePipe
}

// feed queues the whole records b completes, in one chunk that the writer
// cuts (see cut), and keeps the partial line after them for the next read.
// busy says b is a read of a busy stream that gathers (see chunk).
func (s *splitter) feed(b []byte, busy bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rest := b // most reads end on a line's end: no copy through pending then
	if len(s.pending) > 0 {
		s.joined = append(append(s.joined[:0], s.pending...), b...)
		rest = s.joined
	}
	// The records end after the last newline, then every maxLine bytes of a
	// long line that has none yet.
	off := bytes.LastIndexByte(rest, '\n') + 1
	off += (len(rest) - off) / maxLine * maxLine
	if off > 0 {
		s.q.push(s.name, rest[:off], busy)
	}
	s.pending = append(s.pending[:0], rest[off:]...)
	if len(s.pending) > 0 {
		// One timer, armed once: a busy stream's reads leave a partial line
		// nearly every time, and the timer checks fed when it fires.
		s.fed = time.Now()
		if !s.armed {
			s.armed = true
			if s.idle == nil {
				s.idle = time.AfterFunc(partialFlush, s.flushIdle)
			} else {
				s.idle.Reset(partialFlush)
			}
		}
	}
}

// flushIdle writes the partial line once no feed came for partialFlush, and
// otherwise waits the rest of that time again.
func (s *splitter) flushIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if wait := partialFlush - time.Since(s.fed); len(s.pending) > 0 && wait > 0 {
		s.idle.Reset(wait)
		return
	}
	s.armed = false
	s.flushLocked()
}

func (s *splitter) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushLocked()
}

func (s *splitter) flushLocked() {
	if len(s.pending) > 0 {
		s.q.push(s.name, s.pending, false)
		s.pending = s.pending[:0]
	}
}
