package logdriver

import (
	"io"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The driver's pipe reads and file writes are raw system calls, without the
// runtime's entry and exit bookkeeping: an ordinary system call wakes the
// runtime's monitor thread when it sleeps, and sets it polling every 20µs
// for the next millisecond, so a busy stream's read and write every
// millisecond kept it polling all the time (a sixth of the driver's CPU, and
// more in the thread switches it made). A raw read of a non-blocking pipe
// never blocks; a write to the log file blocks only while the kernel writes
// back, when the driver's one P waits with it (the container goes on into
// the widened pipe meanwhile).

// source is a stream as a splitter reads it.
type source interface {
	io.Reader // waits for data
	// readNow reads what there is without waiting for more, 0 bytes where
	// there is nothing (a source that cannot tell waits).
	readNow(b []byte) (int, error)
	// setDeadline ends reads at t (the drain), where the source can wait so
	// long; others end at EOF.
	setDeadline(t time.Time)
	close()
}

// sourceOf is r as a splitter reads it, and whether it gathers a busy
// stream's reads (see splitter.copy): only a pipe that could be widened does.
// A pipe that gathers is taken out of the runtime's poller (r is closed).
func sourceOf(r io.Reader) (src source, gathers bool) {
	f, ok := r.(*os.File)
	if !ok {
		return readerSource{r}, false
	}
	conn, err := f.SyscallConn()
	if err != nil {
		return readerSource{r}, false
	}
	polled := polledPipe{f, conn}
	if !widen(f) {
		return polled, false
	}
	p, err := newPipe(f, conn)
	if err != nil {
		return polled, true // it gathers, woken for nothing at every write meanwhile
	}
	return p, true
}

// readerSource is a reader that is no file: a test's.
type readerSource struct{ io.Reader }

func (r readerSource) readNow(b []byte) (int, error) { return r.Read(b) }
func (r readerSource) close()                        {}
func (r readerSource) setDeadline(t time.Time) {
	if d, ok := r.Reader.(interface{ SetReadDeadline(time.Time) error }); ok {
		d.SetReadDeadline(t) // unsupported (not pollable): wait for EOF
	}
}

// polledPipe reads a pipe in the runtime's poller through raw reads, waiting
// in the poller while it is empty.
type polledPipe struct {
	f    *os.File
	conn syscall.RawConn
}

func (p polledPipe) Read(b []byte) (int, error) {
	var n int
	var errno syscall.Errno
	err := p.conn.Read(func(fd uintptr) bool {
		n, errno = rawRead(int(fd), b)
		return errno != unix.EAGAIN // empty: wait in the poller
	})
	return readResult(n, errno, err)
}

func (p polledPipe) readNow(b []byte) (int, error) { return p.Read(b) }
func (p polledPipe) close()                        {}
func (p polledPipe) setDeadline(t time.Time) {
	p.f.SetReadDeadline(t) // unsupported (not pollable): wait for EOF
}

// pipe is a busy stream's pipe, out of the runtime's poller while the
// stream gathers: a pipe in the poller woke the driver at every write into
// it (a 4 KiB block of stdio's each, some 20,000 a second), though no
// goroutine waited for it, and those wake-ups were a third of the driver's
// CPU. While it waits for data, a duplicate of the pipe is in the poller.
type pipe struct {
	fd       int // the pipe, non-blocking, in no poller
	mu       sync.Mutex
	polled   *os.File // the duplicate in the poller while waiting, else nil
	deadline time.Time
}

// newPipe moves f's pipe out of the poller: a duplicate of its descriptor
// that the poller does not know stands for it, and f is closed.
func newPipe(f *os.File, conn syscall.RawConn) (*pipe, error) {
	fd, err := dupOf(conn)
	if err != nil {
		return nil, err
	}
	f.Close() // leaves the poller
	return &pipe{fd: fd}, nil
}

func dupOf(conn syscall.RawConn) (fd int, err error) {
	if cerr := conn.Control(func(sys uintptr) {
		fd, err = unix.FcntlInt(sys, unix.F_DUPFD_CLOEXEC, 0)
	}); cerr != nil {
		return -1, cerr
	}
	return fd, err
}

// Read waits for data in the poller.
func (p *pipe) Read(b []byte) (int, error) {
	f, err := p.poll()
	if err != nil {
		return 0, err
	}
	conn, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var errno syscall.Errno
	err = conn.Read(func(uintptr) bool {
		n, errno = rawRead(p.fd, b)
		return errno != unix.EAGAIN
	})
	return readResult(n, errno, err)
}

// readNow reads what the pipe holds, out of the poller.
func (p *pipe) readNow(b []byte) (int, error) {
	if err := p.unpoll(); err != nil {
		return 0, err
	}
	n, errno := rawRead(p.fd, b)
	if errno == unix.EAGAIN {
		return 0, nil
	}
	return readResult(n, errno, nil)
}

// poll puts a duplicate of the pipe in the poller, with the deadline.
func (p *pipe) poll() (*os.File, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.polled == nil {
		fd, err := unix.FcntlInt(uintptr(p.fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		p.polled = os.NewFile(uintptr(fd), "pipe") // non-blocking: in the poller
		if !p.deadline.IsZero() {
			p.polled.SetReadDeadline(p.deadline)
		}
	}
	return p.polled, nil
}

// unpoll takes the pipe out of the poller, and says when the deadline has
// passed.
func (p *pipe) unpoll() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.polled != nil {
		p.polled.Close()
		p.polled = nil
	}
	if !p.deadline.IsZero() && !time.Now().Before(p.deadline) {
		return os.ErrDeadlineExceeded
	}
	return nil
}

func (p *pipe) setDeadline(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deadline = t
	if p.polled != nil {
		p.polled.SetReadDeadline(t)
	}
}

func (p *pipe) close() {
	p.unpoll()
	unix.Close(p.fd)
}

// rawRead is read(2) without the runtime's bookkeeping, EINTR retried.
func rawRead(fd int, b []byte) (int, syscall.Errno) {
	if len(b) == 0 {
		return 0, 0
	}
	for {
		r, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
		if e != unix.EINTR {
			return int(r), e
		}
	}
}

// readResult is what Read returns for a raw read's n and errno, or the
// poller's err.
func readResult(n int, errno syscall.Errno, err error) (int, error) {
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, errno
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// rawWrite writes all of b to fd.
func rawWrite(fd int, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		r, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[n])), uintptr(len(b)-n))
		switch {
		case e == unix.EINTR:
			continue
		case e != 0:
			return n, e
		case r == 0:
			return n, io.ErrShortWrite
		}
		n += int(r)
	}
	return n, nil
}
