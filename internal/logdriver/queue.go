package logdriver

import (
	"sync"
	"time"
)

// maxQueued bounds the bytes waiting for the disk. The readers never wait for
// a write unless the disk falls this far behind; then they block (and so does
// the container) rather than drop lines.
const maxQueued = 64 << 20

// queue hands records from the two pipe readers to the one writer goroutine.
type queue struct {
	mu     sync.Mutex
	cond   sync.Cond // writer waits for records, readers wait for room
	items  []record
	bytes  int
	closed bool
}

func newQueue() *queue {
	q := &queue{}
	q.cond.L = &q.mu
	return q
}

// push queues the records data holds, cut at ends (each the offset just past
// one record), stamped with one time under the lock, so times in the file never
// go backwards between the two streams. One string holds them all: a busy
// container's lines cost no allocation each.
func (q *queue) push(stream string, data []byte, ends []int) {
	text := string(data)
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.bytes > maxQueued && !q.closed {
		q.cond.Wait()
	}
	now, start := time.Now().UTC(), 0
	for _, end := range ends {
		q.items = append(q.items, record{Log: text[start:end], Stream: stream, Time: now})
		start = end
	}
	q.bytes += len(text)
	q.cond.Broadcast()
}

// take waits for records; ok is false once the queue is closed and empty. The
// writer hands back its previous batch, done with, to be filled again: a
// busy container's records then go into slices that no longer grow.
func (q *queue) take(prev []record) (batch []record, ok bool) {
	clear(prev) // let the written lines go
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	batch, q.items, q.bytes = q.items, prev[:0], 0
	q.cond.Broadcast()
	return batch, len(batch) > 0
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}
