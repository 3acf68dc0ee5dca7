package logdriver

import (
	"strings"
	"sync"
	"time"
	"unsafe"
)

// maxQueued bounds the bytes waiting for the disk. The readers never wait for
// a write unless the disk falls this far behind; then they block (and so does
// the container) rather than drop lines.
const maxQueued = 64 << 20

// slabSize is the size of the buffers the queue copies reads into: the text of
// a few reads each (at least a readSize one and the partial line before it),
// so that a busy container's output costs no allocation (and no garbage
// collection) per read. keptSlabs bounds those kept for reuse, enough for
// what a writer has in hand at once at a container's full speed.
const (
	slabSize  = 2 * readSize
	keptSlabs = 4
)

// queue hands the records of each read from the two pipe readers to the one
// writer goroutine, a chunk per read: a busy container's lines then cost the
// queue nothing each.
type queue struct {
	mu     sync.Mutex
	cond   sync.Cond // writer waits for chunks, readers wait for room
	items  []chunk
	bytes  int
	closed bool
	// fill is the slab pushes copy into; full are the slabs filled since the
	// writer's last take, whose chunks are all in items; free are the slabs
	// the writer is done with.
	fill []byte
	full [][]byte
	free [][]byte
}

// chunk is the records of one read: consecutive pieces of text, each ending
// in a newline or maxLine long, the last one possibly neither (see cut), all
// stamped with the time the read was queued. text is in one of the queue's
// slabs: the writer must be done with it before handing the slab back.
// busy marks a busy stream's read where that stream gathers its reads (see
// splitter.copy): the writer need not let more gather after it.
type chunk struct {
	stream string
	text   string
	time   time.Time
	busy   bool
}

// records appends the chunk's records to recs.
func (c chunk) records(recs []record) []record {
	for text := c.text; text != ""; {
		n := cut(text)
		recs = append(recs, record{Log: text[:n], Stream: c.stream, Time: c.time})
		text = text[n:]
	}
	return recs
}

// cut is the length of text's first record: through its first newline, at
// most maxLine (docker's split of a longer line), or all of a shorter text
// without one (a partial line).
func cut(text string) int {
	if i := strings.IndexByte(text[:min(len(text), maxLine)], '\n'); i >= 0 {
		return i + 1
	}
	return min(len(text), maxLine)
}

func newQueue() *queue {
	q := &queue{}
	q.cond.L = &q.mu
	return q
}

// push queues the records of one read, data cut as chunk says, stamped under
// the lock so that times in the file never go backwards between the two
// streams.
func (q *queue) push(stream string, data []byte, busy bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.bytes > maxQueued && !q.closed {
		q.cond.Wait()
	}
	q.items = append(q.items, chunk{stream: stream, text: q.copyIn(data), time: time.Now().UTC(), busy: busy})
	q.bytes += len(data)
	q.cond.Broadcast()
}

// copyIn copies data into the fill slab, starting another when it is full,
// and returns the copy. The string shares the slab's memory: nothing writes
// those bytes again until the writer hands the slab back.
func (q *queue) copyIn(data []byte) string {
	if len(q.fill)+len(data) > cap(q.fill) {
		if len(q.fill) > 0 {
			q.full = append(q.full, q.fill)
		}
		q.fill = q.slab(len(data))
	}
	start := len(q.fill)
	q.fill = append(q.fill, data...)
	return unsafe.String(&q.fill[start], len(data))
}

// slab is an empty buffer for at least n bytes, a kept one where it will do.
func (q *queue) slab(n int) []byte {
	if k := len(q.free); k > 0 && n <= slabSize {
		s := q.free[k-1]
		q.free = q.free[:k-1]
		return s[:0]
	}
	return make([]byte, 0, max(n, slabSize))
}

// take waits for chunks; ok is false once the queue is closed and empty. The
// writer hands back its previous batch and the slabs that came with it, done
// with, to be filled again; done are the slabs to hand back with this batch.
func (q *queue) take(prev []chunk, prevDone [][]byte) (batch []chunk, done [][]byte, ok bool) {
	clear(prev) // let the written lines go
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, s := range prevDone {
		if len(q.free) < keptSlabs && cap(s) == slabSize {
			q.free = append(q.free, s)
		}
	}
	clear(prevDone)
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	batch, q.items, q.bytes = q.items, prev[:0], 0
	done, q.full = q.full, prevDone[:0]
	q.cond.Broadcast()
	return batch, done, len(batch) > 0
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}
