package containerd

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/containerd/console"
	"github.com/containerd/containerd/v2/pkg/cap"
	"github.com/containerd/containerd/v2/pkg/cio"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"berth.dev/berth/compose"
)

// Exec runs a process in the container's running task and returns its exit status.
func (r *Runtime) Exec(ctx context.Context, id string, req compose.ExecRequest) (int, error) {
	c, _, err := r.load(ctx, id)
	if err != nil {
		return 0, err
	}
	spec, err := c.Spec(ctx)
	if err != nil {
		return 0, err
	}
	task, err := c.Task(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", compose.ErrNotRunning, err)
	}
	p := *spec.Process
	p.Args = req.Cmd
	p.Terminal = req.TTY
	p.Env = append(append([]string{}, p.Env...), req.Env...)
	if req.TTY {
		p.Env = withTerm(p.Env)
	}
	if req.WorkDir != "" {
		p.Cwd = req.WorkDir
	}
	if req.User != "" {
		u, err := numericUser(req.User)
		if err != nil {
			return 0, err
		}
		p.User = u
	}
	if req.Privileged {
		// Every capability berth itself holds: those the host's kernel and runc know.
		all, err := cap.Current()
		if err != nil {
			return 0, err
		}
		p.Capabilities = &specs.LinuxCapabilities{Bounding: all, Effective: all, Permitted: all}
	}
	execID := "exec-" + newID()[:12]
	if req.Detach {
		// Nothing waits for a detached process: it ends with its own exit, or with the
		// container's task.
		p.Terminal = false
		proc, err := task.Exec(ctx, execID, &p, cio.NullIO)
		if err != nil {
			return 0, err
		}
		return 0, proc.Start(ctx)
	}

	in, eof := withStdinEOF(req.In)
	streams := []cio.Opt{cio.WithStreams(in, req.Out, req.Err)}
	if req.TTY {
		streams = append(streams, cio.WithTerminal)
		restore, err := rawConsole()
		if err != nil {
			return 0, err
		}
		defer restore()
	}
	proc, err := task.Exec(ctx, execID, &p, cio.NewCreator(streams...))
	if err != nil {
		eof.started(nil)
		return 0, err
	}
	defer proc.Delete(context.WithoutCancel(ctx))
	exited, err := proc.Wait(ctx)
	if err != nil {
		eof.started(nil)
		return 0, err
	}
	if err := proc.Start(ctx); err != nil {
		eof.started(nil)
		return 0, err
	}
	eof.started(proc)
	if req.TTY {
		if w, h, ok := consoleSize(); ok {
			_ = proc.Resize(ctx, w, h)
		}
	}
	st := <-exited
	proc.IO().Wait()
	code, _, err := st.Result()
	return int(code), err
}

// numericUser reads exec's -u: "uid", "uid:gid", or "root". Names other than root
// would need the container's /etc/passwd; they are refused for now.
func numericUser(u string) (specs.User, error) {
	if u == "root" {
		return specs.User{}, nil
	}
	us, gs, hasGroup := strings.Cut(u, ":")
	uid, err := strconv.ParseUint(us, 10, 32)
	if err != nil {
		return specs.User{}, fmt.Errorf("exec -u %q: only numeric uid[:gid] or root is supported yet", u)
	}
	out := specs.User{UID: uint32(uid), GID: uint32(uid)}
	if hasGroup {
		gid, err := strconv.ParseUint(gs, 10, 32)
		if err != nil {
			return specs.User{}, fmt.Errorf("exec -u %q: only numeric uid[:gid] is supported yet", u)
		}
		out.GID = uint32(gid)
	}
	return out, nil
}

// rawConsole puts the user's terminal in raw mode for a TTY session; the returned
// function restores it.
func rawConsole() (func(), error) {
	con, err := console.ConsoleFromFile(os.Stdin)
	if err != nil {
		return func() {}, nil // not a terminal: nothing to set
	}
	if err := con.SetRaw(); err != nil {
		return nil, err
	}
	return func() { _ = con.Reset() }, nil
}

func consoleSize() (uint32, uint32, bool) {
	con, err := console.ConsoleFromFile(os.Stdin)
	if err != nil {
		return 0, 0, false
	}
	size, err := con.Size()
	if err != nil {
		return 0, 0, false
	}
	return uint32(size.Width), uint32(size.Height), true
}
