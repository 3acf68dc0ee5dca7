package containerd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/containerd/api/services/tasks/v1"
	apitask "github.com/containerd/containerd/api/types/task"
	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"
	"github.com/containerd/errdefs/pkg/errgrpc"
)

// agentStartLimit bounds the wait for a started agent to serve. It serves within
// a fraction of a second; an agent that cannot run exits sooner still.
const agentStartLimit = 10 * time.Second

// AgentSocket is the abstract unix socket on which the agent of a namespace says
// that it serves, in the host's network namespace where the agent runs. Abstract:
// nothing is left on disk, and it goes with the process that holds it.
func AgentSocket(namespace string) string { return "@berth-agent/" + namespace }

// agentLog is the agent's log file, named in every report that it is not serving.
func (r *Runtime) agentLog() string { return filepath.Join(r.o.StateDir, "logs", agentID+".log") }

// errAgentNotServing starts every report of an agent that does not serve.
var errAgentNotServing = errors.New("berth's agent is not serving: names do not resolve and healthchecks do not run")

// agentServes tells whether the agent task, process pid, is the process holding
// the agent socket, from the socket peer's credentials.
func (r *Runtime) agentServes(pid uint32) error {
	c, err := net.Dial("unix", AgentSocket(r.o.Namespace))
	if err != nil {
		return err
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		return err
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if credErr != nil {
		return credErr
	}
	if uint32(cred.Pid) != pid {
		return fmt.Errorf("the agent socket is held by process %d, not by the agent task (%d)", cred.Pid, pid)
	}
	return nil
}

// agentState says whether the agent task serves now: nil when it does, else why
// not, naming its log. One request to the task service gives the task's state
// (the client's task handle asks once for the task and again for its status).
func (r *Runtime) agentState(ctx context.Context, c ctrd.Container) (serving bool, exited bool, err error) {
	resp, err := r.client.TaskService().Get(namespaces.WithNamespace(ctx, r.o.Namespace), &tasks.GetRequest{ContainerID: c.ID()})
	err = errgrpc.ToNative(err)
	if errdefs.IsNotFound(err) {
		return false, true, fmt.Errorf("%w (no task; its log: %s)", errAgentNotServing, r.agentLog())
	}
	if err != nil {
		return false, false, err
	}
	p := resp.Process
	switch p.Status {
	case apitask.Status_RUNNING:
		if err := r.agentServes(p.Pid); err != nil {
			return false, false, fmt.Errorf("%w (running, but %v; its log: %s)", errAgentNotServing, err, r.agentLog())
		}
		return true, false, nil
	case apitask.Status_STOPPED:
		return false, true, fmt.Errorf("%w (exited with status %d; its log: %s)", errAgentNotServing, p.ExitStatus, r.agentLog())
	}
	return false, false, fmt.Errorf("%w (%s; its log: %s)", errAgentNotServing, strings.ToLower(p.Status.String()), r.agentLog())
}

// waitAgentServing waits, within agentStartLimit, until the agent started in c
// serves; it fails at once when the agent exits.
func (r *Runtime) waitAgentServing(ctx context.Context, c ctrd.Container) error {
	deadline := time.Now().Add(agentStartLimit)
	for {
		serving, exited, err := r.agentState(ctx, c)
		if serving || exited || time.Now().After(deadline) {
			return err
		}
		// No event says "serving": poll the socket, briefly and within the bound.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// AgentProblem says what is wrong with berth's agent: nil when it serves or when
// nothing needs it (no agent and no network of berth).
func (r *Runtime) AgentProblem(ctx context.Context) error {
	c, err := r.client.LoadContainer(ctx, agentID)
	if errdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	_, _, err = r.agentState(ctx, c)
	return err
}
