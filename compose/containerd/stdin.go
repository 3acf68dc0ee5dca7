package containerd

import (
	"context"
	"io"
	"sync"

	ctrd "github.com/containerd/containerd/v2/client"
)

// stdinEOF passes the caller's stdin to a process and, at its end, closes the
// process's stdin: containerd's shim holds the stdin fifo open, so only CloseIO
// gives the process its end of file (`echo hi | berth exec -i svc cat`). The end
// may come before the process has started: the close waits for started.
type stdinEOF struct {
	r       io.Reader
	once    sync.Once
	process chan ctrd.Process
}

// withStdinEOF wraps in; nil (no stdin attached) stays nil.
func withStdinEOF(in io.Reader) (io.Reader, *stdinEOF) {
	if in == nil {
		return nil, nil
	}
	s := &stdinEOF{r: in, process: make(chan ctrd.Process, 1)}
	return s, s
}

func (s *stdinEOF) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF {
		s.once.Do(func() {
			go func() {
				if proc, ok := <-s.process; ok {
					_ = proc.CloseIO(context.Background(), ctrd.WithStdinCloser)
				}
			}()
		})
	}
	return n, err
}

// started hands over the running process whose stdin the end closes; nil when it
// did not start.
func (s *stdinEOF) started(proc ctrd.Process) {
	if s == nil {
		return
	}
	if proc != nil {
		s.process <- proc
	}
	close(s.process)
}
