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

// push stamps the record under the lock, so times in the file never go
// backwards between the two streams.
func (q *queue) push(stream string, text []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.bytes > maxQueued && !q.closed {
		q.cond.Wait()
	}
	q.items = append(q.items, record{Log: string(text), Stream: stream, Time: time.Now().UTC()})
	q.bytes += len(text)
	q.cond.Broadcast()
}

// take waits for records; ok is false once the queue is closed and empty.
func (q *queue) take() (batch []record, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	batch, q.items, q.bytes = q.items, nil, 0
	q.cond.Broadcast()
	return batch, len(batch) > 0
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}
