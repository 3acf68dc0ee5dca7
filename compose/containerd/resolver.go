package containerd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"berth.dev/berth/internal/logdriver"
	"berth.dev/berth/network/resolver"
)

// The resolver runs as a containerd task in the host's network namespace, under
// containerd's restart monitor: it keeps answering after the CLI exits, with no
// daemon of berth's.
const resolverID = "berth-resolver"

const (
	labelResolverBinary    = "berth.resolver.binary"
	labelResolverUpstreams = "berth.resolver.upstreams"
)

// lockGlobal serialises work on what all projects share (the resolver).
func (r *Runtime) lockGlobal(ctx context.Context) (func(), error) {
	return r.Lock(ctx, ".global")
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

// EnsureResolver starts the resolver task unless it runs with this berth binary and
// these upstreams.
func (r *Runtime) EnsureResolver(ctx context.Context) error {
	unlock, err := r.lockGlobal(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	self, err := r.selfBinary()
	if err != nil {
		return err
	}
	ups, err := r.upstreams()
	if err != nil {
		return fmt.Errorf("resolver upstreams: %w", err)
	}
	upsLabel := strings.Join(ups, ",")
	if c, err := r.client.LoadContainer(ctx, resolverID); err == nil {
		labels, _ := c.Labels(ctx)
		if labels[labelResolverBinary] == self && labels[labelResolverUpstreams] == upsLabel && running(ctx, c) {
			return nil
		}
		if err := r.removeResolver(ctx); err != nil {
			return err
		}
	}

	rootfs := filepath.Join(r.o.StateDir, "resolver", "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		return err
	}
	args := []string{"/berth", "_resolver", "--state-dir", r.o.StateDir, "--upstreams", upsLabel}
	logFile := filepath.Join(r.o.StateDir, "logs", resolverID+".log")
	uri := logdriver.URI(self, logFile)
	c, err := r.client.NewContainer(ctx, resolverID,
		ctrd.WithRuntime("io.containerd.runc.v2", nil),
		ctrd.WithNewSpec(
			oci.WithRootFSPath(rootfs),
			oci.WithProcessArgs(args...),
			oci.WithHostNamespace(specs.NetworkNamespace),
			oci.WithMounts([]specs.Mount{
				{Destination: "/berth", Type: "bind", Source: self, Options: []string{"rbind", "ro"}},
				{Destination: r.o.StateDir, Type: "bind", Source: r.o.StateDir, Options: []string{"rbind", "ro"}},
			}),
		),
		ctrd.WithContainerLabels(map[string]string{
			labelResolverBinary:    self,
			labelResolverUpstreams: upsLabel,
			restartPolicy:          "always",
			restartLogURI:          uri,
		}),
	)
	if err != nil {
		return fmt.Errorf("create resolver: %w", err)
	}
	u, err := parseURI(uri)
	if err != nil {
		return err
	}
	task, err := c.NewTask(ctx, logIO(u, false))
	if err != nil {
		c.Delete(context.WithoutCancel(ctx))
		return fmt.Errorf("start resolver: %w", err)
	}
	if err := task.Start(ctx); err != nil {
		task.Delete(context.WithoutCancel(ctx), ctrd.WithProcessKill)
		c.Delete(context.WithoutCancel(ctx))
		return fmt.Errorf("start resolver: %w", err)
	}
	_, err = c.SetLabels(ctx, map[string]string{restartStatus: string(ctrd.Running)})
	return err
}

// RemoveResolverIfIdle removes the resolver when no network of berth is left.
func (r *Runtime) RemoveResolverIfIdle(ctx context.Context) error {
	unlock, err := r.lockGlobal(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	nets, err := r.net.List()
	if err != nil || len(nets) > 0 {
		return err
	}
	return r.removeResolver(ctx)
}

func (r *Runtime) removeResolver(ctx context.Context) error {
	c, err := r.client.LoadContainer(ctx, resolverID)
	if errdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	_, _ = c.SetLabels(ctx, map[string]string{restartStatus: string(ctrd.Stopped)})
	if task, err := c.Task(ctx, nil); err == nil {
		_ = task.Kill(ctx, syscall.SIGKILL)
		if _, err := task.Delete(ctx, ctrd.WithProcessKill); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("remove resolver: %w", err)
		}
	}
	if err := c.Delete(ctx); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("remove resolver: %w", err)
	}
	_ = logdriver.Remove(filepath.Join(r.o.StateDir, "logs", resolverID+".log"))
	return os.RemoveAll(filepath.Join(r.o.StateDir, "resolver"))
}
