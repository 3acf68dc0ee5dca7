package containerd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/errdefs"
	"github.com/moby/sys/signal"

	"berth.dev/berth/compose"
)

// Kill sends a signal to the container's process. SIGKILL counts as the user
// stopping the container: containerd's restart monitor then leaves it stopped, as
// Docker does after `kill`.
func (r *Runtime) Kill(ctx context.Context, id, sig string) error {
	s, err := signal.ParseSignal(sig)
	if err != nil {
		return fmt.Errorf("kill: %w", err)
	}
	c, labels, err := r.load(ctx, id)
	if err != nil {
		return err
	}
	if s == syscall.SIGKILL && labels[restartPolicy] != "" {
		if _, err := c.SetLabels(ctx, map[string]string{restartStatus: string(ctrd.Stopped), restartExplicit: "true"}); err != nil {
			return err
		}
	}
	task, err := c.Task(ctx, nil)
	if err != nil {
		return fmt.Errorf("%w: %w", compose.ErrNotRunning, err)
	}
	if err := signalTask(ctx, task, s); err != nil {
		if errdefs.IsNotFound(err) {
			return compose.ErrNotRunning
		}
		return err
	}
	return nil
}

// Pause freezes the container's processes.
func (r *Runtime) Pause(ctx context.Context, id string) error {
	task, err := r.task(ctx, id)
	if err != nil {
		return err
	}
	return task.Pause(ctx)
}

// Unpause thaws them.
func (r *Runtime) Unpause(ctx context.Context, id string) error {
	task, err := r.task(ctx, id)
	if err != nil {
		return err
	}
	return task.Resume(ctx)
}

func (r *Runtime) task(ctx context.Context, id string) (ctrd.Task, error) {
	c, _, err := r.load(ctx, id)
	if err != nil {
		return nil, err
	}
	task, err := c.Task(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", compose.ErrNotRunning, err)
	}
	return task, nil
}

// Top lists the container's processes from the host's /proc, as `docker top` does
// with ps's default columns.
func (r *Runtime) Top(ctx context.Context, id string) ([]string, [][]string, error) {
	task, err := r.task(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	pids, err := task.Pids(ctx)
	if err != nil {
		return nil, nil, err
	}
	header := []string{"UID", "PID", "PPID", "CMD"}
	var rows [][]string
	for _, p := range pids {
		pid := strconv.Itoa(int(p.Pid))
		status, err := os.ReadFile(filepath.Join("/proc", pid, "status"))
		if err != nil {
			continue // gone since
		}
		uid, ppid := statusField(string(status), "Uid"), statusField(string(status), "PPid")
		cmd, _ := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
		rows = append(rows, []string{uid, pid, ppid, strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))})
	}
	return header, rows, nil
}

// statusField reads the first value of a /proc/<pid>/status line.
func statusField(status, key string) string {
	for _, line := range strings.Split(status, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == key {
			if f := strings.Fields(v); len(f) > 0 {
				return f[0]
			}
		}
	}
	return ""
}
