package logdriver

import (
	"io"
	"os"
	"syscall"
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

// rawPipe reads a pipe through raw reads, waiting in the runtime's poller
// (and so honouring read deadlines) while it is empty.
type rawPipe struct{ conn syscall.RawConn }

// rawPipeOf is r as a rawPipe where it is a pollable file, else r.
func rawPipeOf(r io.Reader) io.Reader {
	f, ok := r.(*os.File)
	if !ok {
		return r
	}
	conn, err := f.SyscallConn()
	if err != nil {
		return r
	}
	return rawPipe{conn}
}

func (p rawPipe) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := p.conn.Read(func(fd uintptr) bool {
		for {
			r, _, e := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
			switch e {
			case unix.EINTR:
				continue
			case unix.EAGAIN:
				return false // empty: wait in the poller
			}
			n, errno = int(r), e
			return true
		}
	})
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
