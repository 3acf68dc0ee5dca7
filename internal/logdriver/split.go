package logdriver

import (
	"bytes"
	"errors"
	"io"
	"os"
	"sync"
	"time"
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

// copy reads r until EOF (or the drain deadline after SIGTERM).
func (s *splitter) copy(r io.Reader) error {
	buf := make([]byte, 64<<10) // a pipe's capacity: a full pipe in one read
	for {
		n, err := r.Read(buf)
		if n > 0 {
			s.feed(buf[:n])
		}
		if err != nil {
			s.flush()
			if errors.Is(err, io.EOF) || errors.Is(err, os.ErrDeadlineExceeded) {
				return nil
			}
			return err
		}
	}
}

// feed queues the whole records b completes, in one chunk that the writer
// cuts (see cut), and keeps the partial line after them for the next read.
func (s *splitter) feed(b []byte) {
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
		s.q.push(s.name, rest[:off])
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
		s.q.push(s.name, s.pending)
		s.pending = s.pending[:0]
	}
}
