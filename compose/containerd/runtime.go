// Package containerd is berth's runtime on containerd: the only code that talks to
// it. It turns services into OCI specs, runs containers and tasks, pulls images,
// attaches containers to berth's networks and starts the resolver task.
package containerd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	ctrd "github.com/containerd/containerd/v2/client"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/filelock"
	"berth.dev/berth/network"
	"berth.dev/berth/project"
)

// Options locate containerd and berth's state.
type Options struct {
	Address   string // containerd socket
	Namespace string // containerd namespace, "berth" by default
	StateDir  string // /var/lib/berth/<namespace>
	RunDir    string // /run/berth/<namespace>
	// Upstreams are the resolver's upstream DNS servers ("ip:port"); nil = those of
	// the host's /etc/resolv.conf.
	Upstreams []string
	// HostsDir holds containerd's hosts.toml registry configuration, one directory
	// per registry host; "" means DefaultHostsDir.
	HostsDir string
}

// Runtime implements compose.Runtime on containerd.
type Runtime struct {
	o      Options
	client *ctrd.Client
	net    *network.Manager

	mu   sync.Mutex
	seen map[string]ctrd.Container // handles from this command's listings (see load)
}

var _ compose.Runtime = (*Runtime)(nil)

const snapshotter = "overlayfs"

// New connects to containerd.
func New(o Options) (*Runtime, error) {
	c, err := ctrd.New(o.Address, ctrd.WithDefaultNamespace(o.Namespace))
	if err != nil {
		return nil, fmt.Errorf("connect to containerd at %s: %w", o.Address, err)
	}
	for _, d := range []string{o.StateDir, o.RunDir} {
		if err := os.MkdirAll(d, 0o711); err != nil {
			c.Close()
			return nil, err
		}
	}
	return &Runtime{
		o:      o,
		client: c,
		net:    network.NewManager(network.Paths{StateDir: o.StateDir, RunDir: o.RunDir}),
		seen:   map[string]ctrd.Container{},
	}, nil
}

// Close ends the connection.
func (r *Runtime) Close() error { return r.client.Close() }

// Network gives the network manager, for commands that inspect networks.
func (r *Runtime) Network() *network.Manager { return r.net }

// Lock takes the project's file lock, blocking until no other berth holds it.
func (r *Runtime) Lock(ctx context.Context, project string) (func(), error) {
	unlock, err := filelock.Acquire(ctx, filepath.Join(r.o.StateDir, "locks", project+".lock"))
	if err != nil {
		return nil, fmt.Errorf("lock project %s: %w", project, err)
	}
	if err := r.sweep(ctx, project); err != nil {
		unlock()
		return nil, fmt.Errorf("project %s: %w", project, err)
	}
	return unlock, nil
}

// sweep takes away what a berth process killed half-way through a create (SIGKILL,
// a crash) left of the project: the network records, attachments and files of a
// container containerd does not have. Creates of a project run under its lock, so
// such a container is not being made; left, its record would answer for its name
// and keep its network from being removed.
func (r *Runtime) sweep(ctx context.Context, projectName string) error {
	ids, err := r.net.Records(projectName)
	if err != nil || len(ids) == 0 {
		return err
	}
	list, err := r.client.Containers(ctx, fmt.Sprintf("labels.%q==%s", project.LabelProject, projectName))
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	have := map[string]bool{}
	for _, c := range list {
		have[c.ID()] = true
	}
	for _, id := range ids {
		if !have[id] {
			if err := r.cleanup(ctx, id, nil); err != nil {
				return fmt.Errorf("clean up after an interrupted create: %w", err)
			}
		}
	}
	return nil
}

func (r *Runtime) containerDir(id string) string {
	return filepath.Join(r.o.StateDir, "containers", id)
}

func (r *Runtime) logFile(id string) string {
	return filepath.Join(r.o.StateDir, "logs", id+".log")
}
