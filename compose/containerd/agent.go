package containerd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	tasks "github.com/containerd/containerd/api/services/tasks/v1"
	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"berth.dev/berth/internal/logdriver"
	"berth.dev/berth/network/resolver"
)

// berth's agent runs as a containerd task in the host's network namespace, under
// containerd's restart monitor: the DNS resolver and the healthchecks keep working
// after the CLI exits, with no daemon of berth's.
const agentID = "berth-agent"

const (
	labelAgentBinary    = "berth.agent.binary"
	labelAgentLogDriver = "berth.agent.logdriver"
	labelAgentUpstreams = "berth.agent.upstreams"
)

// globalLock names the lock of what all projects share (the agent).
const globalLock = ".global"

// lockGlobal serialises work on what all projects share (the agent).
func (r *Runtime) lockGlobal(ctx context.Context) (func(), error) {
	return r.lockShared(ctx, globalLock)
}

func (r *Runtime) upstreams() ([]string, error) {
	if r.o.Upstreams != nil {
		return r.o.Upstreams, nil
	}
	ups, err := resolver.UpstreamsFromResolvConf("/etc/resolv.conf")
	if os.IsNotExist(err) {
		return nil, nil
	}
	return ups, err
}

// EnsureAgent starts the agent task (resolver and healthchecks) unless it runs
// with the agent binary and log driver of this berth, and these upstreams. The task
// runs compose/containerd/agent: the berth-agent beside berth, else berth itself.
func (r *Runtime) EnsureAgent(ctx context.Context) error {
	unlock, err := r.lockGlobal(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	bin, err := r.agentBinary()
	if err != nil {
		return err
	}
	logDriver, err := r.logDriverBinary()
	if err != nil {
		return err
	}
	ups, err := r.upstreams()
	if err != nil {
		return fmt.Errorf("resolver upstreams: %w", err)
	}
	upsLabel := strings.Join(ups, ",")
	if c, err := r.client.LoadContainer(ctx, agentID); err == nil {
		// The labels came with the container: no second request for them.
		info, _ := c.Info(ctx, ctrd.WithoutRefreshedMetadata)
		if labels := info.Labels; labels[labelAgentBinary] == bin && labels[labelAgentLogDriver] == logDriver && labels[labelAgentUpstreams] == upsLabel {
			if serving, _, _ := r.agentState(ctx, c); serving {
				return nil
			}
		}
		if err := r.removeAgent(ctx); err != nil {
			return err
		}
	}

	rootfs := filepath.Join(r.o.StateDir, "agent", "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		return err
	}
	// berth-agent and berth answer the same command line.
	args := []string{"/agent", "_agent", "--state-dir", r.o.StateDir, "--run-dir", r.o.RunDir,
		"--address", r.o.Address, "--namespace", r.o.Namespace, "--upstreams", upsLabel, "--log-driver", logDriver}
	uri := logdriver.URI(logDriver, r.agentLog())
	mounts := []specs.Mount{
		{Destination: "/agent", Type: "bind", Source: bin, Options: []string{"rbind", "ro"}},
		// The agent writes health records and, at boot, network state.
		{Destination: r.o.StateDir, Type: "bind", Source: r.o.StateDir, Options: []string{"rbind", "rw"}},
		// /run holds containerd's socket and exec FIFOs, iptables' lock and berth's
		// run directory, which may be gone at boot: the agent makes it again, and the
		// namespaces it mounts there reach the host (rshared).
		{Destination: "/run", Type: "bind", Source: "/run", Options: []string{"rbind", "rw", "rshared"}},
	}
	if dir := filepath.Dir(r.o.Address); !strings.HasPrefix(dir+"/", "/run/") {
		mounts = append(mounts, specs.Mount{Destination: dir, Type: "bind", Source: dir, Options: []string{"rbind", "rw"}})
	}
	ctx, dropLease, err := r.sharedCreateLease(ctx, globalLock)
	if err != nil {
		return err
	}
	defer dropLease()
	c, err := r.client.NewContainer(ctx, agentID,
		ctrd.WithRuntime("io.containerd.runc.v2", nil),
		ctrd.WithNewSpec(
			oci.WithRootFSPath(rootfs),
			oci.WithProcessArgs(args...),
			oci.WithDefaultPathEnv, // for iptables and the CNI plugins
			oci.WithHostNamespace(specs.NetworkNamespace),
			// At boot it makes bridges, rules and namespaces, as berth's CLI does.
			oci.WithPrivileged,
			withRootfsPropagation("rshared"),
			oci.WithMounts(hostProgramMounts()),
			oci.WithMounts(mounts),
		),
		ctrd.WithContainerLabels(map[string]string{
			labelAgentBinary:    bin,
			labelAgentLogDriver: logDriver,
			labelAgentUpstreams: upsLabel,
			restartPolicy:       "always",
			restartLogURI:       uri,
		}),
	)
	if err != nil {
		return fmt.Errorf("create berth's agent: %w", err)
	}
	u, err := parseURI(uri)
	if err != nil {
		return err
	}
	// Not interruptible, like a container's start: a task cut off while its shim
	// starts leaves a bundle behind.
	ctx = context.WithoutCancel(ctx)
	task, err := newTask(ctx, c, logIO(u, false))
	if err != nil {
		c.Delete(context.WithoutCancel(ctx))
		return fmt.Errorf("start berth's agent: %w", err)
	}
	if err := task.Start(ctx); err != nil {
		task.Delete(context.WithoutCancel(ctx), ctrd.WithProcessKill)
		c.Delete(context.WithoutCancel(ctx))
		return fmt.Errorf("start berth's agent: %w", err)
	}
	if _, err := c.SetLabels(ctx, map[string]string{restartStatus: string(ctrd.Running)}); err != nil {
		return err
	}
	return r.waitAgentServing(ctx, c)
}

// RemoveAgentIfIdle removes the agent when it has nothing left to do: no network
// of berth (names to answer) and no container with a healthcheck or a restart
// policy (checks to run, limits and boots to see to), whatever its network.
func (r *Runtime) RemoveAgentIfIdle(ctx context.Context) error {
	unlock, err := r.lockGlobal(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	nets, err := r.net.List()
	if err != nil || len(nets) > 0 {
		return err
	}
	// Filters are or'ed: every container with either label.
	served, err := r.client.Containers(ctx, fmt.Sprintf("labels.%q", labelHealthcheck), fmt.Sprintf("labels.%q", restartPolicy))
	if err != nil {
		return err
	}
	for _, c := range served {
		// berth's own tasks (the agent, the buildkitd) are not the agent's to serve.
		if c.ID() != agentID && c.ID() != buildkitdID {
			return nil
		}
	}
	return r.removeAgent(ctx)
}

func (r *Runtime) removeAgent(ctx context.Context) error {
	if err := r.removeTask(ctx, agentID, "berth's agent"); err != nil {
		return err
	}
	_ = logdriver.Remove(r.agentLog())
	if err := r.removeAgentDir(ctx); err != nil {
		return err
	}
	// The copies the agent ran may be needed by nothing else now.
	return r.pruneBinaries(ctx)
}

// removeAgentDir removes the agent's directory. A berth killed while it started
// the agent leaves a task create that containerd finishes on its own: runc may
// still be making mount points in the rootfs (the removal then finds it not
// empty) and the task outlives its container. So, a bounded number of times,
// such a task is deleted by its ID and the removal tried again.
func (r *Runtime) removeAgentDir(ctx context.Context) error {
	dir := filepath.Join(r.o.StateDir, "agent")
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); !errors.Is(err, syscall.ENOTEMPTY) {
			return err
		}
		_, _ = r.client.TaskService().Kill(ctx, &tasks.KillRequest{ContainerID: agentID, Signal: uint32(syscall.SIGKILL), All: true})
		_, _ = r.client.TaskService().Delete(ctx, &tasks.DeleteTaskRequest{ContainerID: agentID})
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// removeTask stops one of berth's own tasks (the agent, the buildkitd), so that
// containerd's restart monitor leaves it stopped, and removes its container.
func (r *Runtime) removeTask(ctx context.Context, id, what string) error {
	c, err := r.client.LoadContainer(ctx, id)
	if errdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	_, _ = c.SetLabels(ctx, map[string]string{restartStatus: string(ctrd.Stopped)})
	if task, err := c.Task(ctx, nil); err == nil {
		if _, err := deleteTask(ctx, task); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("remove %s: %w", what, err)
		}
	}
	if err := c.Delete(ctx); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("remove %s: %w", what, err)
	}
	return nil
}
