package containerd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"sync"
	"syscall"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/errdefs"

	"berth.dev/berth/internal/health"
)

// HealthChecked lists the containers with a healthcheck whose task runs now: the
// agent's health monitor checks those, and no other.
func (r *Runtime) HealthChecked(ctx context.Context) ([]string, error) {
	list, err := r.client.Containers(ctx, fmt.Sprintf("labels.%q", labelHealthcheck))
	if err != nil {
		return nil, err
	}
	var up []string
	for _, c := range list {
		r.remember(c)
		if running(ctx, c) {
			up = append(up, c.ID())
		}
	}
	return up, nil
}

// HealthCheck is the container's healthcheck, nil when it has none.
func (r *Runtime) HealthCheck(ctx context.Context, id string) (*health.Check, error) {
	r.forget(id) // labels may be new: the container was just started
	_, labels, err := r.load(ctx, id)
	if err != nil || labels[labelHealthcheck] == "" {
		return nil, nil // gone already, or nothing to check
	}
	var check health.Check
	if err := json.Unmarshal([]byte(labels[labelHealthcheck]), &check); err != nil {
		return nil, fmt.Errorf("container %s: bad healthcheck label: %w", id, err)
	}
	return &check, nil
}

// Forget drops what this process remembers of a container (see load).
func (r *Runtime) Forget(id string) { r.forget(id) }

// lockedBuffer gathers a check's stdout and stderr, written from two goroutines. It
// keeps the first health.MaxOutput bytes, all that a result keeps, and drops the rest
// while still taking it: a check printing without end must not grow the agent, and
// must not see its writes fail either.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := health.MaxOutput - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// RunCheck runs a healthcheck's command once in the container, within its timeout:
// the agent's health monitor calls it on the check's schedule. An error means the
// check could not be asked of containerd at all (it is down or restarting): that
// says nothing of the container, so the caller records no result for it.
func (r *Runtime) RunCheck(ctx context.Context, id string, check health.Check) (res health.Result, err error) {
	res = health.Result{Start: time.Now(), ExitCode: -1}
	defer func() { res.End = time.Now() }()
	// failed records err as the check's output, unless containerd did not answer.
	failed := func(err error) (health.Result, error) {
		if errdefs.IsUnavailable(err) {
			return res, err
		}
		res.Output = err.Error()
		return res, nil
	}
	c, _, err := r.load(ctx, id)
	if err != nil {
		return failed(err)
	}
	args, err := check.Args()
	if err != nil {
		return failed(err)
	}
	spec, err := c.Spec(ctx)
	if err != nil {
		return failed(err)
	}
	task, err := c.Task(ctx, nil)
	if err != nil {
		return failed(err)
	}
	p := *spec.Process
	p.Args, p.Terminal = args, false
	var out lockedBuffer
	proc, err := task.Exec(ctx, "health-"+newID()[:12], &p, cio.NewCreator(cio.WithStreams(nil, &out, &out)))
	if err != nil {
		return failed(err)
	}
	defer proc.Delete(context.WithoutCancel(ctx), ctrd.WithProcessKill)
	exited, err := proc.Wait(ctx)
	if err != nil {
		return failed(err)
	}
	if err := proc.Start(ctx); err != nil {
		return failed(err)
	}
	select {
	case st := <-exited:
		if err := st.Error(); err != nil {
			// containerd went away while the check ran: its exit is unknown.
			return failed(err)
		}
		proc.IO().Wait()
		res.ExitCode, res.Output = int(st.ExitCode()), out.String()
	case <-time.After(check.Timeout):
		if err := proc.Kill(ctx, syscall.SIGKILL); err != nil && !errdefs.IsNotFound(err) {
			log.Printf("health: %s: kill timed-out check: %v", c.ID(), err)
		}
		res.Output = fmt.Sprintf("health check exceeded timeout (%s)", check.Timeout)
	case <-ctx.Done():
	}
	return res, nil
}
