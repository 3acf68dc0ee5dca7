package containerd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd/v2/pkg/cio"
	"golang.org/x/sys/unix"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/logdriver"
)

// labelStdinOpen marks a container of a service with stdin_open: its task gets a
// stdin FIFO that attach writes to.
const labelStdinOpen = "berth.stdin-open"

// A service's output goes through the binary:// log driver, and containerd's shim
// gives such a task no stdin. Two exceptions make stdin_open work:
//
//   - With a terminal the shim copies a stdin FIFO into the console whatever the
//     output's scheme: the task keeps its binary:// log driver and gets a FIFO.
//   - Without one, only FIFO IO has a stdin. The task's stdout and stderr are then
//     FIFOs too, read by the same log driver, which berth starts itself with the
//     shim's protocol (the FIFOs as fd 3 and 4, fd 5 closed when ready) in a session
//     of its own, so that it outlives berth. It ends when the shim closes the FIFOs,
//     at the task's end.
//
// The shim holds the stdin FIFO's write end open for the task's life, so the
// container never sees an end of file when an attach (or berth) goes away.

// stdioDir holds a container's FIFOs: in the run directory, gone at a reboot with
// the task they served.
func (r *Runtime) stdioDir(id string) string {
	return filepath.Join(r.o.RunDir, "stdio", id)
}

func (r *Runtime) stdinFifo(id string) string {
	return filepath.Join(r.stdioDir(id), "stdin")
}

// hasStdin tells a container whose task gets a stdin FIFO.
func hasStdin(labels map[string]string) bool {
	return labels[labelStdinOpen] == "true" && labels[labelNoLogs] != "true"
}

// stdinIO makes the IO of a task of a container with stdin_open; others keep their
// log IO. Its release must be called once the task is created (or failed to be).
type stdinIO struct {
	r       *Runtime
	id      string
	driver  string // the log driver binary
	once    sync.Once
	cfg     cio.Config
	err     error
	writers []*os.File // see startDriver
}

func (r *Runtime) newStdinIO(id, driver string) *stdinIO {
	return &stdinIO{r: r, id: id, driver: driver}
}

// creator is the task's IO: logs as given, plus a stdin for a stdin_open container.
// containerd may call it again when it retries the task; the IO is made once.
func (s *stdinIO) creator(labels map[string]string, logs cio.Creator) cio.Creator {
	if !hasStdin(labels) {
		return logs
	}
	tty := labels[labelTTY] == "true"
	return func(taskID string) (cio.IO, error) {
		s.once.Do(func() { s.cfg, s.err = s.make(taskID, tty, logs) })
		if s.err != nil {
			return nil, s.err
		}
		return &uriIO{cfg: s.cfg}, nil
	}
}

func (s *stdinIO) make(taskID string, tty bool, logs cio.Creator) (cio.Config, error) {
	dir := s.r.stdioDir(s.id)
	// FIFOs left by an earlier task may still hold its unread input.
	if err := os.RemoveAll(dir); err != nil {
		return cio.Config{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cio.Config{}, err
	}
	stdin := s.r.stdinFifo(s.id)
	if err := unix.Mkfifo(stdin, 0o600); err != nil {
		return cio.Config{}, fmt.Errorf("stdin of %s: %w", s.id, err)
	}
	if tty {
		got, err := logs(taskID)
		if err != nil {
			return cio.Config{}, err
		}
		cfg := got.Config()
		cfg.Stdin = stdin
		return cfg, nil
	}
	cfg := cio.Config{Stdin: stdin, Stdout: filepath.Join(dir, "stdout"), Stderr: filepath.Join(dir, "stderr")}
	if err := s.startDriver(cfg.Stdout, cfg.Stderr); err != nil {
		s.release()
		return cio.Config{}, fmt.Errorf("log driver of %s: %w", s.id, err)
	}
	return cfg, nil
}

// startDriver starts the log driver on the stdout and stderr FIFOs. berth holds a
// write end of each until release: a FIFO that no writer has opened yet reads as
// ended, and the shim opens its own only as it creates the task.
func (s *stdinIO) startDriver(stdout, stderr string) error {
	var readers []*os.File
	defer func() {
		for _, f := range readers {
			f.Close()
		}
	}()
	for _, path := range []string{stdout, stderr} {
		if err := unix.Mkfifo(path, 0o600); err != nil {
			return err
		}
		r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return err
		}
		readers = append(readers, r)
		// Non-blocking only to open without a writer: the driver gets the blocking
		// stream the shim's protocol promises.
		if err := blocking(r); err != nil {
			return err
		}
		w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0) // a reader is there
		if err != nil {
			return err
		}
		s.writers = append(s.writers, w)
	}
	ready, readyW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer ready.Close()
	cmd := exec.Command(s.driver, logdriver.DriverArg, s.r.logFile(s.id))
	cmd.ExtraFiles = []*os.File{readers[0], readers[1], readyW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // not ended with berth's terminal
	cmd.Dir = "/"                                        // holds no user's directory
	err = cmd.Start()
	readyW.Close()
	if err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }() // reaped here if it ends while berth runs
	// The driver writes a byte and closes fd 5 once its log file is open.
	_ = ready.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, _ := io.Copy(io.Discard, ready); n == 0 {
		_ = cmd.Process.Kill()
		return errors.New("it did not start")
	}
	return nil
}

func blocking(f *os.File) error {
	raw, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var setErr error
	if err := raw.Control(func(fd uintptr) { setErr = unix.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return setErr
}

// release lets the log driver see the end of the task's output once the shim, the
// one writer left, closes it.
func (s *stdinIO) release() {
	for _, w := range s.writers {
		w.Close()
	}
	s.writers = nil
}

// removeStdio removes the container's FIFOs, if it has any.
func (r *Runtime) removeStdio(id string) error {
	return os.RemoveAll(r.stdioDir(id))
}

// Stdin opens the running container's stdin for attach: compose.ErrNoStdin for a
// container that has none.
func (r *Runtime) Stdin(ctx context.Context, id string) (compose.ContainerStdin, error) {
	c, labels, err := r.load(ctx, id)
	if err != nil {
		return compose.ContainerStdin{}, err
	}
	if !hasStdin(labels) {
		reason := "the service has no stdin_open"
		if labels[labelStdinOpen] == "true" {
			reason = "the service logs nowhere (logging driver none)"
		}
		return compose.ContainerStdin{}, fmt.Errorf("%w: %s", compose.ErrNoStdin, reason)
	}
	// Non-blocking: with no task reading the FIFO, the open fails instead of waiting.
	f, err := os.OpenFile(r.stdinFifo(id), os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENXIO) {
		// Running, but not with berth's IO: containerd's restart monitor brought it
		// back with its log URI alone, and the agent has not yet replaced that task
		// (restoreStdin).
		return compose.ContainerStdin{}, fmt.Errorf("%w: its restart policy brought it back without one; berth's agent gives it one in a moment, `berth restart` at once", compose.ErrNoStdin)
	}
	if err != nil {
		return compose.ContainerStdin{}, err
	}
	resize := func(ctx context.Context, width, height uint32) error {
		task, err := c.Task(ctx, nil)
		if err != nil {
			return err
		}
		return task.Resize(ctx, width, height)
	}
	return compose.ContainerStdin{WriteCloser: f, TTY: labels[labelTTY] == "true", Resize: resize}, nil
}
