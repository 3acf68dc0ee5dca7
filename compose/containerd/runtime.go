// Package containerd is berth's runtime on containerd: the only code that talks to
// it. It turns services into OCI specs, runs containers and tasks, pulls images,
// attaches containers to berth's networks and starts the resolver task.
package containerd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	apitask "github.com/containerd/containerd/api/types/task"
	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/leases"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sync/errgroup"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/filelock"
	"berth.dev/berth/internal/names"
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
	// LogDriver is the log driver's binary as the host sees it, for the containers
	// the agent starts; "" means a copy of the one beside this process (see
	// logDriverBinary).
	LogDriver string
	// HostsDir holds containerd's hosts.toml registry configuration, one directory
	// per registry host; "" means DefaultHostsDir.
	HostsDir string
	// Devices injects the CDI devices a container is given; nil gives none.
	Devices DeviceInjector
}

// DeviceInjector edits an OCI spec as the named CDI devices' specs say.
type DeviceInjector interface {
	Inject(spec *specs.Spec, names []string) error
}

// Runtime implements compose.Runtime on containerd.
type Runtime struct {
	o      Options
	client *ctrd.Client
	net    *network.Manager

	mu   sync.Mutex
	seen map[string]ctrd.Container // handles from this command's listings (see load)
	// lockListings are the listings the project locks of this command made, each
	// for the first Containers under its lock (see keepLockListing).
	lockListings map[string]lockListing
	// createLeases hold the snapshots of a project's creates until their containers
	// do, one per project locked by this command (see createLease).
	createLeases map[string]leases.Lease
	// images, when set, stands in for readImage: a unit test's images, with no
	// containerd behind them.
	images func(context.Context, types.ServiceConfig) (ctrd.Image, imageFacts, error)
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
	// Before this command mounts any network namespace there: the agent's reach the
	// host only through a shared mount (see ShareRunRoot).
	paths := network.Paths{StateDir: o.StateDir, RunDir: o.RunDir}
	if err := network.ShareRunRoot(paths); err != nil {
		c.Close()
		return nil, err
	}
	return &Runtime{
		o:      o,
		client: c,
		net:    network.NewManager(paths),
		seen:   map[string]ctrd.Container{},
	}, nil
}

// Close ends the connection.
func (r *Runtime) Close() error { return r.client.Close() }

// Network gives the network manager, for commands that inspect networks.
func (r *Runtime) Network() *network.Manager { return r.net }

// Lock takes the project's file lock, blocking until no other berth holds it, and
// sweeps away what a berth killed under it left (see sweep).
func (r *Runtime) Lock(ctx context.Context, project string) (func(), error) {
	if err := names.Check(names.Project, project); err != nil {
		return nil, err
	}
	unlock, err := r.lockFile(ctx, project)
	if err != nil {
		return nil, err
	}
	if err := r.sweep(ctx, project); err != nil {
		unlock()
		return nil, fmt.Errorf("project %s: %w", project, err)
	}
	return func() {
		// A listing the verb did not use is not the next lock's.
		r.takeLockListing(project)
		// The containers made under the lock hold their snapshots by now.
		_ = r.dropCreateLease(context.Background(), project)
		unlock()
	}, nil
}

// lockFile takes the lock file of a name (a project, or .global).
func (r *Runtime) lockFile(ctx context.Context, name string) (func(), error) {
	unlock, err := filelock.Acquire(ctx, filepath.Join(r.o.StateDir, "locks", name+".lock"))
	if err != nil {
		return nil, fmt.Errorf("lock project %s: %w", name, err)
	}
	return unlock, nil
}

// sweep takes away what a berth process killed half-way through a create (SIGKILL,
// a crash) left of the project: the lease of a snapshot no container holds, and the
// network records, attachments and files of a container containerd does not have. Creates of a project run under its lock, so
// such a container is not being made; left, its record would answer for its name
// and keep its network from being removed.
func (r *Runtime) sweep(ctx context.Context, projectName string) error {
	// The leases, the project's containers and the namespace's tasks are read at
	// once; the listing then serves the verb's first one (see takeLockListing).
	var l lockListing
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return r.sweepLeases(gctx, projectName) })
	g.Go(func() (err error) {
		l.containers, l.tasks, err = r.containersAndTasks(gctx, projectFilter(projectName))
		return err
	})
	if err := g.Wait(); err != nil {
		return err
	}
	have := make(map[string]bool, len(l.containers))
	for _, c := range l.containers {
		have[c.ID()] = true
	}
	if err := r.sweepCreating(ctx, projectName, have); err != nil {
		return err
	}
	ids, err := r.net.Records(projectName)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !have[id] {
			if err := r.cleanup(ctx, id, nil); err != nil {
				return fmt.Errorf("clean up after an interrupted create: %w", err)
			}
		}
	}
	// What the sweep cleaned up was never a container of containerd's: the
	// listing still holds.
	r.keepLockListing(projectName, l)
	return nil
}

// lockListing is the project's containers and the namespace's tasks as the
// project's lock found them.
type lockListing struct {
	containers []ctrd.Container
	tasks      map[string]*apitask.Process
}

// keepLockListing keeps the listing a lock made for the first Containers of the
// project under it. Every verb that holds the lock lists the project's
// containers before it changes any, so a no-op up lists them once.
func (r *Runtime) keepLockListing(projectName string, l lockListing) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lockListings == nil {
		r.lockListings = map[string]lockListing{}
	}
	r.lockListings[projectName] = l
}

// takeLockListing gives the listing the project's lock made, once.
func (r *Runtime) takeLockListing(projectName string) (lockListing, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.lockListings[projectName]
	delete(r.lockListings, projectName)
	return l, ok
}

// projectFilter selects the containers of a project from containerd's listing.
func projectFilter(projectName string) string {
	return fmt.Sprintf("labels.%q==%s", project.LabelProject, projectName)
}

// createLeasePrefix names the leases Create holds a new container's snapshot under.
const createLeasePrefix = "berth-create-"

// createLease is the lease a project's creates make their snapshots under until
// their containers hold them: berth's own, labelled with the project, one for all
// the creates under one lock, deleted at unlock. A berth killed meanwhile leaves it,
// and the next lock of the project sweeps it away with the snapshots only it holds
// (the client's own lease would keep them a day).
func (r *Runtime) createLease(ctx context.Context, projectName string) (leases.Lease, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.createLeases[projectName]; ok {
		return l, nil
	}
	l, err := r.client.LeasesService().Create(ctx, leases.WithID(createLeasePrefix+projectName+"-"+newID()[:12]),
		leases.WithLabels(map[string]string{project.LabelProject: projectName}),
		// A backstop for a project never locked again.
		leases.WithExpiration(time.Hour))
	if err != nil {
		return l, err
	}
	if r.createLeases == nil {
		r.createLeases = map[string]leases.Lease{}
	}
	r.createLeases[projectName] = l
	return l, nil
}

// lockShared takes the lock of something all projects share (named by a name no
// project can have: it starts with a dot) and sweeps the lease a berth killed
// while it made that thing left.
func (r *Runtime) lockShared(ctx context.Context, name string) (func(), error) {
	unlock, err := r.lockFile(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := r.sweepLeases(ctx, name); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// sharedCreateLease is the create lease, under the lock name, of a container all
// projects share (the agent, buildkitd): without a lease in ctx containerd's client
// makes one of its own for the create, which a berth killed meanwhile leaves for a
// day. The returned function drops it once the container is made.
func (r *Runtime) sharedCreateLease(ctx context.Context, name string) (context.Context, func(), error) {
	l, err := r.createLease(ctx, name)
	if err != nil {
		return ctx, nil, err
	}
	return leases.WithLease(ctx, l.ID), func() { _ = r.dropCreateLease(context.WithoutCancel(ctx), name) }, nil
}

func (r *Runtime) dropCreateLease(ctx context.Context, projectName string) error {
	r.mu.Lock()
	l, ok := r.createLeases[projectName]
	delete(r.createLeases, projectName)
	r.mu.Unlock()
	if !ok {
		return nil
	}
	return r.dropLease(ctx, l)
}

// dropLease deletes a create lease; what only it held (the snapshot of a create that
// failed) goes at once, not at containerd's next collection.
func (r *Runtime) dropLease(ctx context.Context, l leases.Lease) error {
	err := r.client.LeasesService().Delete(ctx, l, leases.SynchronousDelete)
	if errdefs.IsNotFound(err) {
		return nil
	}
	return err
}

// sweepLeases deletes the create leases of the project (or of a shared lock's
// name): under its lock no create runs, so each is what a killed berth left, with
// the snapshot only it holds.
func (r *Runtime) sweepLeases(ctx context.Context, projectName string) error {
	list, err := r.client.LeasesService().List(ctx, fmt.Sprintf("labels.%q==%q", project.LabelProject, projectName))
	if err != nil {
		return fmt.Errorf("list leases: %w", err)
	}
	for _, l := range list {
		if strings.HasPrefix(l.ID, createLeasePrefix) {
			if err := r.dropLease(ctx, l); err != nil {
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
