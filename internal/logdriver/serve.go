package logdriver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// drainGrace bounds the drain after the shim's SIGTERM; the shim kills the
// driver 12s after it. A var for tests.
var drainGrace = 5 * time.Second

// gather is how long the writer lets a small batch's successors gather: at
// most this much later on disk, for far fewer wake-ups and writes.
const gather = time.Millisecond

// Serve is the body of `berth _logdriver <logFile>` as started by containerd's
// shim for a binary:// log URI: fd 3 and 4 are the container's stdout and
// stderr, fd 5 is closed to tell the shim the driver is ready. It returns when
// both streams are closed. SIGTERM (sent by the shim when the task is deleted)
// or ctx ending starts a drain bounded by a few seconds.
//
// containerd's logging.Run speaks the same protocol but exits the process, so
// Serve wires the fds itself and leaves exiting to its caller.
func Serve(ctx context.Context, logFile string) error {
	if logFile == "" {
		return errors.New("logdriver: no log file given")
	}
	stdout, err := inheritedFile(3, "container-stdout")
	if err != nil {
		return err
	}
	stderr, err := inheritedFile(4, "container-stderr")
	if err != nil {
		return err
	}
	wait, err := inheritedFile(5, "container-wait")
	if err != nil {
		return err
	}
	// The driver mostly waits on its pipes and hands each read to the writer:
	// with one P, the goroutine a read or a timer readies runs on the thread
	// at hand instead of waking another, which was a good part of its CPU.
	runtime.GOMAXPROCS(1)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	ready := func() error {
		// containerd 2's binary-v2 wants a byte before the close; 1.6 takes the close alone.
		_, err := wait.Write([]byte{0})
		return errors.Join(err, wait.Close())
	}
	return serve(ctx, logFile, stdout, stderr, ready)
}

func inheritedFile(fd int, name string) (*os.File, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("logdriver: fd %d (%s): %w (not started by a containerd shim?)", fd, name, err)
	}
	// Non-blocking makes the file pollable, so the drain can have a deadline.
	if err := syscall.SetNonblock(fd, true); err != nil {
		return nil, fmt.Errorf("logdriver: fd %d (%s): %w", fd, name, err)
	}
	return os.NewFile(uintptr(fd), name), nil
}

// serve is Serve with its plumbing passed in. It calls ready once the log
// file is open, then copies both streams until they are closed. A stream
// that is a pipe it can widen is read through a duplicate of its descriptor
// (see sourceOf), and the *os.File passed in is closed.
func serve(ctx context.Context, logFile string, stdout, stderr io.Reader, ready func() error) error {
	opts, optErr := loadOptions(logFile) // a bad file must not stop the logs: use defaults
	w := newFileWriter(logFile, opts)
	var fw *forwarder
	if opts.Forward != nil {
		fw = newForwarder(opts.Forward, os.Stderr)
		defer fw.close()
	}
	writeErr := w.open() // early, but a failure only means the first write retries
	if err := ready(); err != nil {
		w.close()
		return fmt.Errorf("logdriver: signal ready: %w", err)
	}

	q := newQueue()
	streams := []struct {
		name string
		r    io.Reader
	}{{"stdout", stdout}, {"stderr", stderr}}
	readErrs := make([]error, len(streams))
	srcs := make([]source, len(streams))
	var wg sync.WaitGroup
	for i, st := range streams {
		src, gathers := sourceOf(st.r)
		srcs[i] = src
		wg.Add(1)
		go func() {
			defer wg.Done()
			readErrs[i] = (&splitter{name: st.name, q: q}).copy(src, gathers)
		}()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		q.close()
		close(done)
	}()
	go func() {
		select {
		case <-ctx.Done():
			deadline := time.Now().Add(drainGrace)
			for _, src := range srcs {
				src.setDeadline(deadline)
			}
		case <-done:
		}
	}()

	// The one writer: every record goes through here, in queue order.
	var batch []chunk
	var slabs [][]byte // the batch's text, handed back with it
	var recs []record  // one chunk's for the forwarder, reused
	for {
		var ok bool
		batch, slabs, ok = q.take(batch, slabs)
		if !ok {
			break
		}
		var forward []record // the batch's records for the forwarder, which keeps them
		size := 0
		for _, c := range batch {
			size += len(c.text)
			if err := w.addChunk(c); err != nil && writeErr == nil {
				writeErr = err
			}
			if fw != nil {
				recs = c.records(recs[:0])
				forward = appendOwned(forward, recs)
			}
		}
		// One write for the batch, however small the reads that made it.
		if err := w.flush(); err != nil && writeErr == nil {
			writeErr = err
		}
		if fw != nil {
			fw.write(forward)
		}
		if size < writeChunk && !anyBusy(batch) {
			// A container writing small pieces fast (a line at a time) would
			// otherwise cost a wake-up and a write per piece: let them gather.
			// A busy stream's reads have gathered already, where its pipe
			// could be widened; where not, its reads gather here.
			time.Sleep(gather)
		}
	}
	<-done
	err := errors.Join(optErr, writeErr, w.close(), readErrs[0], readErrs[1])
	if err != nil {
		return fmt.Errorf("logdriver: %s: %w", logFile, err)
	}
	return nil
}

// anyBusy says whether the batch holds a read of a busy stream that gathers.
func anyBusy(batch []chunk) bool {
	for _, c := range batch {
		if c.busy {
			return true
		}
	}
	return false
}

// appendOwned appends copies of recs, whose text is in the queue's slabs, to
// forward, for the forwarder to keep after the slabs are reused.
func appendOwned(forward, recs []record) []record {
	for _, r := range recs {
		r.Log = strings.Clone(r.Log)
		forward = append(forward, r)
	}
	return forward
}
