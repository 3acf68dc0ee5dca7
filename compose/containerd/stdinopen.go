package containerd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/containerd/containerd/v2/pkg/cio"
	"golang.org/x/sys/unix"

	"berth.dev/berth/compose"
)

// labelStdinOpen marks a container of a service with stdin_open: its task gets a
// stdin FIFO that attach writes to.
const labelStdinOpen = "berth.stdin-open"

// A service's output goes through the binary:// log driver, and containerd's shim
// gives such a task no stdin, except with a terminal: then the shim copies a stdin
// FIFO into the console whatever the output's scheme. So a stdin_open service with
// a tty keeps its log driver and gets a FIFO under the run directory as stdin. The
// shim itself holds the FIFO's write end open for the task's life, so the container
// never sees an end of file when an attach (or berth) goes away.

// stdinFifo is where a container's stdin FIFO lives: in the run directory, gone at
// a reboot with the task it served.
func (r *Runtime) stdinFifo(id string) string {
	return filepath.Join(r.o.RunDir, "stdin", id)
}

// hasStdin tells a container whose task gets a stdin FIFO.
func hasStdin(labels map[string]string) bool {
	return labels[labelStdinOpen] == "true" && labels[labelTTY] == "true" && labels[labelNoLogs] != "true"
}

// withStdinFifo gives the task of a container with stdin_open and a tty a fresh
// stdin FIFO; other containers' IO stays as it is.
func (r *Runtime) withStdinFifo(id string, labels map[string]string, io cio.Creator) cio.Creator {
	if !hasStdin(labels) {
		return io
	}
	return func(taskID string) (cio.IO, error) {
		path := r.stdinFifo(id)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		// A FIFO left by an earlier task may still hold its unread input.
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if err := unix.Mkfifo(path, 0o600); err != nil {
			return nil, fmt.Errorf("stdin of %s: %w", id, err)
		}
		got, err := io(taskID)
		if err != nil {
			return nil, err
		}
		cfg := got.Config()
		cfg.Stdin = path
		return &uriIO{cfg: cfg}, nil
	}
}

// removeStdinFifo removes the container's stdin FIFO, if it has one.
func (r *Runtime) removeStdinFifo(id string) error {
	if err := os.Remove(r.stdinFifo(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// Stdin opens the running container's stdin for attach: compose.ErrNoStdin for a
// container that has none, compose.ErrNotRunning when its task is gone.
func (r *Runtime) Stdin(ctx context.Context, id string) (compose.ContainerStdin, error) {
	c, labels, err := r.load(ctx, id)
	if err != nil {
		return compose.ContainerStdin{}, err
	}
	if !hasStdin(labels) {
		reason := "it has no stdin_open"
		if labels[labelStdinOpen] == "true" {
			reason = "berth passes stdin only to a service with both stdin_open and tty"
		}
		return compose.ContainerStdin{}, fmt.Errorf("%w: %s", compose.ErrNoStdin, reason)
	}
	// Non-blocking: with no task reading the FIFO, the open fails instead of waiting.
	f, err := os.OpenFile(r.stdinFifo(id), os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENXIO) {
		return compose.ContainerStdin{}, compose.ErrNotRunning
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
	return compose.ContainerStdin{WriteCloser: f, TTY: true, Resize: resize}, nil
}
