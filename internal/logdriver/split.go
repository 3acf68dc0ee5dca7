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
	gen     int // bumped on every change, so a stale timer does nothing
}

// copy reads r until EOF (or the drain deadline after SIGTERM).
func (s *splitter) copy(r io.Reader) error {
	buf := make([]byte, 32<<10)
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
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		s.emit(rest[:i+1])
		rest = rest[i+1:]
	}
	for len(rest) >= maxLine {
		s.q.push(s.name, rest[:maxLine])
		rest = rest[maxLine:]
	}
	s.pending = append(s.pending[:0], rest...) // copy handles the overlap
	if len(s.pending) > 0 {
		gen := s.gen
		time.AfterFunc(partialFlush, func() { s.flushIf(gen) })
	}
}

// emit pushes a whole line, in maxLine pieces if it is long.
func (s *splitter) emit(line []byte) {
	for len(line) > maxLine {
		s.q.push(s.name, line[:maxLine])
		line = line[maxLine:]
	}
	s.q.push(s.name, line)
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
		s.q.push(s.name, s.pending)
		s.pending = s.pending[:0]
	}
}
