package compose

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// batchDelay bounds how long a line `logs` printed waits in its buffer: short
// for a person watching `logs -f`, long enough that reading back a big log
// costs one write per 64KiB rather than one per line.
const batchDelay = 20 * time.Millisecond

// batchWriter buffers writes and flushes them batchDelay after the first one
// it holds, or when the buffer fills.
type batchWriter struct {
	mu        sync.Mutex
	w         *bufio.Writer
	scheduled bool
}

func newBatchWriter(w io.Writer) *batchWriter {
	return &batchWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.w.Write(p)
	if !b.scheduled && b.w.Buffered() > 0 {
		b.scheduled = true
		time.AfterFunc(batchDelay, func() { b.Flush() })
	}
	return n, err
}

// Flush writes what is buffered now.
func (b *batchWriter) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.scheduled = false
	return b.w.Flush()
}
