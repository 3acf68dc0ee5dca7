package logdriver

import (
	"slices"
	"sync"
	"time"
)

// maxQueued bounds the bytes waiting for the disk. The readers never wait for
// a write unless the disk falls this far behind; then they block (and so does
// the container) rather than drop lines.
const maxQueued = 64 << 20

// queue hands the records of each read from the two pipe readers to the one
// writer goroutine, a chunk per read: a busy container's lines then cost the
// queue nothing each.
type queue struct {
	mu     sync.Mutex
	cond   sync.Cond // writer waits for chunks, readers wait for room
	items  []chunk
	bytes  int
	closed bool
}

// chunk is the records of one read: text cut at ends (each the offset just
// past one record), all stamped with the time the read was queued.
type chunk struct {
	stream string
	text   string
	ends   []int
	time   time.Time
}

// records appends the chunk's records to recs.
func (c chunk) records(recs []record) []record {
	start := 0
	for _, end := range c.ends {
		recs = append(recs, record{Log: c.text[start:end], Stream: c.stream, Time: c.time})
		start = end
	}
	return recs
}

func newQueue() *queue {
	q := &queue{}
	q.cond.L = &q.mu
	return q
}

// push queues the records data holds, cut at ends, stamped under the lock so
// that times in the file never go backwards between the two streams.
func (q *queue) push(stream string, data []byte, ends []int) {
	c := chunk{stream: stream, text: string(data), ends: slices.Clone(ends)}
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.bytes > maxQueued && !q.closed {
		q.cond.Wait()
	}
	c.time = time.Now().UTC()
	q.items = append(q.items, c)
	q.bytes += len(c.text)
	q.cond.Broadcast()
}

// take waits for chunks; ok is false once the queue is closed and empty. The
// writer hands back its previous batch, done with, to be filled again.
func (q *queue) take(prev []chunk) (batch []chunk, ok bool) {
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
