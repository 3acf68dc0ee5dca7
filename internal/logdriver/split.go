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
	mu      sync.Mutex // pending, gen: shared with the idle-flush timer
	pending []byte
	ends    []int // feed's cuts, reused
	gen     int   // bumped on every change, so a stale timer does nothing
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

func (s *splitter) feed(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	rest := b // most reads end on a line's end: no copy through pending then
	if len(s.pending) > 0 {
		rest = append(s.pending, b...)
	}
	// The records of one read are consecutive pieces of rest: cut it at their
	// ends, lines longer than maxLine in maxLine pieces, and queue them at once.
	ends, off := s.ends[:0], 0
	for {
		i := bytes.IndexByte(rest[off:], '\n')
		if i < 0 {
			break
		}
		end := off + i + 1
		for end-off > maxLine {
			off += maxLine
			ends = append(ends, off)
		}
		ends = append(ends, end)
		off = end
	}
	for len(rest)-off >= maxLine {
		off += maxLine
		ends = append(ends, off)
	}
	if len(ends) > 0 {
		s.q.push(s.name, rest[:off], ends)
	}
	s.ends = ends
	s.pending = append(s.pending[:0], rest[off:]...) // copy handles the overlap
	if len(s.pending) > 0 {
		gen := s.gen
		time.AfterFunc(partialFlush, func() { s.flushIf(gen) })
	}
}

func (s *splitter) flushIf(gen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen == s.gen {
		s.flushLocked()
	}
}

func (s *splitter) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushLocked()
}

func (s *splitter) flushLocked() {
	s.gen++
	if len(s.pending) > 0 {
		s.q.push(s.name, s.pending, []int{len(s.pending)})
		s.pending = s.pending[:0]
	}
}
