package containerd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/containerd/containerd/api/services/tasks/v1"
	apitask "github.com/containerd/containerd/api/types/task"
	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/leases"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/errdefs"
	"github.com/moby/sys/signal"
	"golang.org/x/sync/errgroup"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/health"
	"berth.dev/berth/internal/logdriver"
	"berth.dev/berth/internal/names"
	"berth.dev/berth/network"
	"berth.dev/berth/project"
)

// Containers lists the project's containers with their task state: one listing of
// containers and one of tasks, whatever the number of containers; the first under
// the project's lock is the one the lock made.
func (r *Runtime) Containers(ctx context.Context, projectName string) ([]compose.Container, error) {
	l, ok := r.takeLockListing(projectName)
	if !ok {
		filter := projectFilter(projectName)
		if projectName == "" {
			filter = fmt.Sprintf("labels.%q", project.LabelProject)
		}
		var err error
		if l.containers, l.tasks, err = r.containersAndTasks(ctx, filter); err != nil {
			return nil, err
		}
	}
	list, states := l.containers, l.tasks
	out := make([]compose.Container, 0, len(list))
	for _, c := range list {
		info, err := c.Info(ctx, ctrd.WithoutRefreshedMetadata)
		if err != nil {
			return nil, err
		}
		r.remember(c)
		l := info.Labels
		cc := compose.Container{
			ID: c.ID(), Name: l[project.LabelName], Project: l[project.LabelProject], Service: l[project.LabelService],
			Number: project.Number(l), OneOff: l[project.LabelOneOff] == "True", Image: l[labelImageRef],
			Command: l[labelCommand], Labels: l, Created: info.CreatedAt, Ports: portsOf(l), ImageDigest: l[project.LabelImage],
		}
		cc.State, cc.ExitCode = containerState(states[c.ID()], l)
		times(&cc, states[c.ID()])
		cc.Networks = networksOf(l)
		cc.Mounts, cc.LocalVolumes = r.mountsOf(info)
		cc.KeptRunning = keptRunning(l)
		if l[labelHealthcheck] != "" && cc.State == compose.StateRunning {
			cc.Health = compose.HealthStarting // until the agent's first record
			if h, err := health.Read(r.o.StateDir, c.ID()); err == nil {
				cc.Health = h.Status
			}
		}
		out = append(out, cc)
	}
	return out, nil
}

// containersAndTasks lists the containers filter matches and every task of the
// namespace at once: containerd 1.6 asks each task's shim for its state, so the
// task listing takes as long as the rest of a no-op up's reads together.
func (r *Runtime) containersAndTasks(ctx context.Context, filter string) ([]ctrd.Container, map[string]*apitask.Process, error) {
	var list []ctrd.Container
	var states map[string]*apitask.Process
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		if list, err = r.client.Containers(ctx, filter); err != nil {
			return fmt.Errorf("list containers: %w", err)
		}
		return nil
	})
	g.Go(func() (err error) {
		states, err = r.taskStates(ctx)
		return err
	})
	err := g.Wait()
	return list, states, err
}

// keptRunning tells whether a container's restart policy says it runs: always or
// unless-stopped, and not stopped by the user (Stop marks the restart status).
func keptRunning(labels map[string]string) bool {
	policy := labels[restartPolicy]
	return (policy == "always" || policy == "unless-stopped") && labels[restartStatus] == string(ctrd.Running)
}

// taskStates lists every task of the namespace by container ID.
func (r *Runtime) taskStates(ctx context.Context) (map[string]*apitask.Process, error) {
	// The raw task service does not add the client's default namespace.
	ctx = namespaces.WithNamespace(ctx, r.o.Namespace)
	resp, err := r.client.TaskService().List(ctx, &tasks.ListTasksRequest{})
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	out := make(map[string]*apitask.Process, len(resp.Tasks))
	for _, t := range resp.Tasks {
		// A task's ID is its container's; containerd 1.6 leaves ContainerID empty here.
		out[t.ID] = t
	}
	return out, nil
}

// containerState maps a task's status to docker's container states; no task is a
// container that was created and never started (or whose task berth deleted).
// One exception: a container stopped explicitly (stop, kill) whose restart policy
// containerd's restart monitor watches may lose its task to the monitor, which
// kills and deletes a task still running once the label says stopped (the moment
// between berth's label and the task's exit): it exited, killed (137), as docker
// would show it.
func containerState(t *apitask.Process, labels map[string]string) (string, int) {
	if t == nil {
		if labels[restartExplicit] == "true" {
			return compose.StateExited, 137
		}
		return compose.StateCreated, 0
	}
	switch t.Status {
	case apitask.Status_RUNNING:
		return compose.StateRunning, 0
	case apitask.Status_PAUSED, apitask.Status_PAUSING:
		return compose.StatePaused, 0
	case apitask.Status_CREATED:
		return compose.StateCreated, 0
	}
	return compose.StateExited, int(t.ExitStatus)
}

// running tells whether the container's task runs.
func running(ctx context.Context, c ctrd.Container) bool {
	task, err := c.Task(ctx, nil)
	if err != nil {
		return false
	}
	st, err := task.Status(ctx)
	return err == nil && st.Status == ctrd.Running
}

// remember keeps a container handle from this command's listing, so that acting on
// it later costs no second lookup in containerd.
func (r *Runtime) remember(c ctrd.Container) {
	r.mu.Lock()
	r.seen[c.ID()] = c
	r.mu.Unlock()
}

func (r *Runtime) forget(id string) {
	r.mu.Lock()
	delete(r.seen, id)
	r.mu.Unlock()
}

// load finds a container and its labels, from the listing when it is there.
func (r *Runtime) load(ctx context.Context, id string) (ctrd.Container, map[string]string, error) {
	r.mu.Lock()
	c, ok := r.seen[id]
	r.mu.Unlock()
	if !ok {
		var err error
		if c, err = r.client.LoadContainer(ctx, id); err != nil {
			return nil, nil, wrapNotFound(err)
		}
		r.remember(c)
	}
	info, err := c.Info(ctx, ctrd.WithoutRefreshedMetadata)
	if err != nil {
		return nil, nil, wrapNotFound(err)
	}
	return c, info.Labels, nil
}

// newID is a container ID: 64 random hex digits. Its first 12 are the container's
// default hostname, so, as Docker does, an ID whose first 12 are all decimal digits
// (about 1 in 280) is drawn again: resolvers take such a name for a number, and
// `hostname -i` in the container fails with "Unknown host".
func newID() string {
	b := make([]byte, 32)
	for {
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		if strings.Trim(id[:12], "0123456789") != "" {
			return id
		}
	}
}

// Create makes the container: its network namespace attached to its networks, its
// files, and the containerd container with spec, snapshot and labels. On failure
// nothing of it is left.
func (r *Runtime) Create(ctx context.Context, req compose.CreateRequest) (_ compose.Container, retErr error) {
	// Once begun, a creation runs to its end or is undone: interrupted half-way (a
	// Ctrl-C) it would leave a snapshot under a lease, a namespace or a half-made task.
	ctx = context.WithoutCancel(ctx)
	s := req.Service
	read := r.readImage
	if r.images != nil {
		read = r.images
	}
	img, facts, err := read(ctx, s)
	if err != nil {
		return compose.Container{}, err
	}
	plan, err := planCreate(s, facts, req.Project.WorkingDir)
	if err != nil {
		return compose.Container{}, err
	}
	logDriver, err := r.logDriverBinary()
	if err != nil {
		return compose.Container{}, err
	}

	id := newID()
	if err := r.markCreating(req.Project.Name, id); err != nil {
		return compose.Container{}, err
	}
	defer func() {
		if retErr != nil {
			r.cleanup(context.WithoutCancel(ctx), id, nil)
		}
		// A record left here is swept at the project's next lock.
		_ = r.unmarkCreating(req.Project.Name, id)
	}()
	netw, err := r.setupNetwork(ctx, id, req, plan.Ports)
	if err != nil {
		return compose.Container{}, err
	}
	fromOthers, err := r.volumesFromMounts(ctx, s, req.VolumesFrom)
	if err != nil {
		return compose.Container{}, fmt.Errorf("service %q: volumes_from: %w", s.Name, err)
	}
	s, volumeKeys, anonymous, err := r.withAnonymousVolumes(ctx, req, facts.Config, fromOthers)
	if err != nil {
		return compose.Container{}, err
	}
	for _, name := range volumeKeys {
		// Names from the file, a label or volumes_from become paths below.
		if err := names.Check(names.Volume, name); err != nil {
			return compose.Container{}, fmt.Errorf("service %q: %w", s.Name, err)
		}
	}
	if len(volumeKeys) > 0 {
		if err := r.privateVolumesDir(); err != nil {
			return compose.Container{}, err
		}
	}
	if err := r.mountVolumes(volumeKeys); err != nil {
		return compose.Container{}, err
	}
	volumes := map[string]string{}
	for key, name := range volumeKeys {
		volumes[key] = r.volumeData(name)
	}
	files, err := fileMounts(req.Project, s, r.containerDir(id))
	if err != nil {
		return compose.Container{}, err
	}
	files = append(files, fromOthers...)
	shared, err := r.sharedProcs(ctx, id, req)
	if err != nil {
		return compose.Container{}, err
	}
	opts, err := specOpts(specInput{
		Service: s, Image: facts.Config, Hostname: netw.Host, NetNS: netw.NetNS,
		Files: netw.Files, Volumes: volumes, Extra: files,
		ProjectDir: req.Project.WorkingDir, Shared: shared,
	}, img)
	if err != nil {
		return compose.Container{}, err
	}
	if len(req.Devices) > 0 {
		opts = append(opts, r.injectDevices(s.Name, req.Devices))
	}

	logURI := logdriver.URI(logDriver, r.logFile(id))
	lo, writeLogOptions, err := logOptions(s, logdriver.ContainerInfo{ID: id, Name: req.Name, ImageName: s.Image,
		ImageID: facts.Digest, Command: strings.Join(plan.Args, " "), Created: time.Now().UTC()})
	if err != nil {
		return compose.Container{}, err
	}
	if writeLogOptions {
		if err := logdriver.WriteOptions(r.logFile(id), lo); err != nil {
			return compose.Container{}, err
		}
	}
	labels := containerLabels(req, s, plan, madeParts{LogURI: logURI, Anonymous: anonymous,
		MountTargets: mountTargets(s, fromOthers), Ports: withHostPorts(s.Ports, netw.Ports), Endpoint: netw.Endpoint})
	opts = append(opts, withSpecVersionOf(ctx, plan.Runtime.Binary))
	lease, err := r.createLease(ctx, req.Project.Name)
	if err != nil {
		return compose.Container{}, fmt.Errorf("container %s: %w", req.Name, err)
	}
	c, err := r.client.NewContainer(leases.WithLease(ctx, lease.ID), id,
		ctrd.WithImage(img),
		ctrd.WithSnapshotter(snapshotter),
		ctrd.WithNewSnapshot(id, img),
		withRuntime(plan.Runtime),
		ctrd.WithNewSpec(opts...),
		ctrd.WithContainerLabels(labels),
	)
	if err != nil {
		return compose.Container{}, fmt.Errorf("container %s: %w", req.Name, err)
	}
	r.remember(c)
	if err := r.fillVolumes(ctx, id, s, volumeKeys); err != nil {
		c.Delete(ctx, ctrd.WithSnapshotCleanup)
		return compose.Container{}, fmt.Errorf("container %s: %w", req.Name, err)
	}
	return compose.Container{ID: c.ID(), Name: req.Name, Project: req.Project.Name, Service: s.Name,
		Labels: labels, State: compose.StateCreated, Image: s.Image}, nil
}

// gateways are the resolver addresses a container's resolv.conf names: the gateway
// of each of its networks, where the resolver listens.
func (r *Runtime) gateways(ep *network.Endpoint) ([]string, error) {
	var out []string
	for _, n := range ep.Networks {
		net, err := r.net.Get(n.Network)
		if err != nil {
			return nil, err
		}
		out = append(out, net.Gateway)
	}
	return out, nil
}

// Start starts the container's task, replacing an exited one. Its output goes to
// berth's log driver. A container whose network namespace is gone (a reboot) is
// attached again first.
func (r *Runtime) Start(ctx context.Context, id string) error {
	logDriver, err := r.logDriverBinary()
	if err != nil {
		return err
	}
	uri, err := parseURI(logdriver.URI(logDriver, r.logFile(id)))
	if err != nil {
		return err
	}
	stdin := r.newStdinIO(id, logDriver)
	defer stdin.release()
	_, err = r.startTask(ctx, id, func(labels map[string]string) cio.Creator {
		if labels[labelNoLogs] == "true" {
			return cio.NullIO // logging driver none: the output goes nowhere
		}
		return stdin.creator(labels, logIO(uri, labels[labelTTY] == "true"))
	})
	return err
}

// StartAttached starts the container's task with its standard streams connected to
// the caller's (`run` without -d) and returns its exit status once it exits.
func (r *Runtime) StartAttached(ctx context.Context, id string, stdio compose.Stdio) (int, error) {
	in, eof := withStdinEOF(stdio.In)
	streams := []cio.Opt{cio.WithStreams(in, stdio.Out, stdio.Err)}
	if stdio.TTY {
		streams = append(streams, cio.WithTerminal)
		restore, err := rawConsole()
		if err != nil {
			return 0, err
		}
		defer restore()
	}
	task, err := r.startTask(ctx, id, func(map[string]string) cio.Creator { return cio.NewCreator(streams...) })
	eof.started(task)
	if err != nil {
		return 0, err
	}
	if stdio.TTY {
		if w, h, ok := consoleSize(); ok {
			_ = task.Resize(ctx, w, h)
		}
	}
	code, err := waitTask(ctx, task)
	// The last output may still be in the pipes when the process has exited.
	task.IO().Wait()
	return code, err
}

// startTask starts a container's task with the given IO, replacing an exited task. A
// container whose network namespace is gone (a reboot) is attached again first.
func (r *Runtime) startTask(ctx context.Context, id string, io func(labels map[string]string) cio.Creator) (ctrd.Task, error) {
	// Not interruptible, like Create: a task cut off while the shim starts leaves a
	// bundle behind that no later start can get past.
	ctx = context.WithoutCancel(ctx)
	c, labels, err := r.load(ctx, id)
	if err != nil {
		return nil, err
	}
	old, err := c.Task(ctx, nil)
	if err == nil {
		st, err := old.Status(ctx)
		if err == nil && (st.Status == ctrd.Running || st.Status == ctrd.Paused) {
			return old, nil
		}
	}
	// A start by the user also begins a new count of failures (see EnforceRestartLimits).
	if err := unmonitored(ctx, c, labels, map[string]string{labelFailures: ""}); err != nil {
		return nil, err
	}
	if old != nil {
		if _, err := deleteTask(ctx, old); err != nil && !errdefs.IsNotFound(err) {
			return nil, fmt.Errorf("delete old task of %s: %w", labels[project.LabelName], err)
		}
	}
	if err := r.ensureAttached(ctx, id, labels); err != nil {
		return nil, err
	}
	task, err := newTask(ctx, c, io(labels))
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", labels[project.LabelName], err)
	}
	if err := task.Start(ctx); err != nil {
		task.Delete(context.WithoutCancel(ctx), ctrd.WithProcessKill)
		return nil, fmt.Errorf("start %s: %w", labels[project.LabelName], err)
	}
	if labels[restartPolicy] != "" {
		// From here containerd's restart monitor keeps the container up per its policy.
		if _, err := c.SetLabels(ctx, map[string]string{restartStatus: string(ctrd.Running), restartExplicit: ""}); err != nil {
			return nil, err
		}
	}
	return task, nil
}

// unmonitored takes a container out of containerd's restart monitor (it drops the
// status label, with the other labels given) while berth starts or stops its task.
// The monitor reads a container's status label, then its task, and acts later on
// what it read: a task being started while the label still says stopped would be
// killed by it, and one in its stop grace period while the label says stopped
// would be SIGKILLed at once. Without the label it leaves the container alone.
func unmonitored(ctx context.Context, c ctrd.Container, labels, also map[string]string) error {
	if labels[restartPolicy] == "" {
		return nil
	}
	set := map[string]string{restartStatus: ""}
	maps.Copy(set, also)
	maps.DeleteFunc(set, func(k, v string) bool { return labels[k] == v }) // already so
	if len(set) == 0 {
		return nil
	}
	_, err := c.SetLabels(ctx, set)
	return err
}

// newTask creates a container's task (a service's or the agent's). containerd
// removes the bundle of a task whose creator went away mid-way (a berth killed while
// starting it), but only a moment later; until then a new task of the container
// fails with "file exists", which is waited out here, for a bounded time.
func newTask(ctx context.Context, c ctrd.Container, io cio.Creator) (ctrd.Task, error) {
	task, err := c.NewTask(ctx, io)
	for wait := 100 * time.Millisecond; err != nil && bundleLeft(err) && wait <= 3*time.Second; wait *= 2 {
		time.Sleep(wait)
		task, err = c.NewTask(ctx, io)
	}
	return task, err
}

// bundleLeft tells containerd's error for a task bundle that is still there.
func bundleLeft(err error) bool {
	return strings.Contains(err.Error(), "io.containerd.runtime.v2.task") && strings.Contains(err.Error(), "file exists")
}

// ensureAttached recreates the network namespace and its attachments when they are
// gone, from the container's labels.
func (r *Runtime) ensureAttached(ctx context.Context, id string, labels map[string]string) error {
	if mode := labels[labelNetworkMode]; mode != "" && mode != "none" {
		return nil // the host's network or another container's: nothing of its own
	}
	if _, err := os.Stat(r.net.NetNSPath(id)); err == nil {
		return nil
	}
	// The addresses it had stay its own, as in docker: /etc/hosts in the container
	// and whoever noted them still hold them.
	attachments := attachmentsOf(labels)
	if old, err := r.net.Endpoint(id); err == nil {
		keepAddresses(attachments, old)
	}
	if err := r.net.Teardown(ctx, id); err != nil {
		return err
	}
	// After a reboot the bridges and berth's rules went with the namespace.
	for _, a := range attachments {
		if _, err := r.net.Ensure(ctx, network.Config{Name: a.Network}); err != nil {
			return err
		}
	}
	nsPath, err := r.net.CreateNetNS(id)
	if err != nil {
		return err
	}
	var s types.ServiceConfig
	s.Name = labels[project.LabelService]
	s.Ports = portsOf(labels)
	ports, err := publishedPorts(s)
	if err != nil {
		return err
	}
	ep := endpointOf(labels)
	ep.ContainerID, ep.NetNS = id, nsPath
	_, err = r.net.Setup(ctx, ep, attachments, ports)
	return err
}

// keepAddresses asks, on each network, for the addresses an earlier attachment had
// where the service names none.
func keepAddresses(attachments []network.Attachment, old *network.Endpoint) {
	for i, a := range attachments {
		for _, n := range old.Networks {
			if n.Network != a.Network {
				continue
			}
			if a.IPv4 == "" {
				attachments[i].IPv4 = n.IP
			}
			if a.IPv6 == "" {
				attachments[i].IPv6 = n.IPv6
			}
			if a.MAC == "" {
				attachments[i].MAC = n.MAC
			}
		}
	}
}

// Stop sends the container's stop signal, waits up to timeout for the task to exit,
// then kills it; the task is deleted. The restart monitor is told first, so it does
// not bring the container back.
func (r *Runtime) Stop(ctx context.Context, id string, timeout time.Duration) error {
	c, labels, err := r.load(ctx, id)
	if err != nil {
		return err
	}
	if err := unmonitored(ctx, c, labels, map[string]string{restartExplicit: "true"}); err != nil {
		return err
	}
	if labels[restartPolicy] != "" {
		// Stopped for good once the task is down, whatever happens to this stop.
		defer c.SetLabels(context.WithoutCancel(ctx), map[string]string{restartStatus: string(ctrd.Stopped)})
	}
	task, err := c.Task(ctx, nil)
	if errdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	exited, err := task.Wait(ctx)
	if err != nil {
		return err
	}
	initProc := holdInit(task) // before the status, which says whether its pid is still the task's
	defer initProc.Close()
	st, err := task.Status(ctx)
	if err == nil && st.Status != ctrd.Stopped {
		sig, err := signal.ParseSignal(labels[labelStopSignal])
		if err != nil {
			sig = syscall.SIGTERM
		}
		if st.Status == ctrd.Paused {
			_ = task.Resume(ctx)
		}
		if timeout > 0 {
			if err := initProc.signal(ctx, sig, st.Status); err != nil && !errdefs.IsNotFound(err) {
				return fmt.Errorf("stop %s: %w", labels[project.LabelName], err)
			}
			select {
			case <-exited:
			case <-time.After(timeout):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		select {
		case <-exited:
		default:
			if err := task.Kill(ctx, syscall.SIGKILL, ctrd.WithKillAll); err != nil && !errdefs.IsNotFound(err) {
				return fmt.Errorf("kill %s: %w", labels[project.LabelName], err)
			}
			select {
			case <-exited:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	// The exit status stays readable: the task is kept until the next start or removal.
	return nil
}

// Remove deletes the container and everything berth made for it.
func (r *Runtime) Remove(ctx context.Context, id string, o compose.RemoveOptions) error {
	c, labels, err := r.load(ctx, id)
	if err == nil {
		defer r.forget(id)
		if labels[restartPolicy] != "" {
			// Keep the restart monitor away while the container goes.
			_, _ = c.SetLabels(ctx, map[string]string{restartStatus: string(ctrd.Stopped)})
		}
		if task, err := c.Task(ctx, nil); err == nil {
			if _, err := deleteTask(ctx, task); err != nil && !errdefs.IsNotFound(err) {
				return fmt.Errorf("remove container %s: %w", id, err)
			}
		}
		if err := c.Delete(ctx, ctrd.WithSnapshotCleanup); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("remove container %s: %w", id, err)
		}
	} else if !errors.Is(err, compose.ErrNotFound) {
		return err
	}
	return r.cleanup(ctx, id, o.NetworksGoing)
}

// cleanup removes what berth made beside the containerd container: the network
// attachments and namespace (or leaves the attachments to the removal of networks
// going next), the container's files and logs.
func (r *Runtime) cleanup(ctx context.Context, id string, networksGoing []string) error {
	var errs []error
	teardown := r.net.Teardown
	if len(networksGoing) > 0 {
		teardown = func(ctx context.Context, id string) error { return r.net.Depart(ctx, id, networksGoing) }
	}
	if err := teardown(ctx, id); err != nil {
		errs = append(errs, err)
	}
	if err := r.unmountShm(id); err != nil {
		errs = append(errs, err)
	}
	if err := os.RemoveAll(r.containerDir(id)); err != nil {
		errs = append(errs, err)
	}
	if err := r.removeStdio(id); err != nil {
		errs = append(errs, err)
	}
	if err := logdriver.Remove(r.logFile(id)); err != nil {
		errs = append(errs, err)
	}
	if err := health.Remove(r.o.StateDir, id); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// deleteTask deletes a task, killing its processes first only while they run:
// containerd's WithProcessKill has the shim run `runc kill --all` even for a task
// that has exited, an exec of runc (some 40 ms of CPU) per container removed.
func deleteTask(ctx context.Context, task ctrd.Task) (*ctrd.ExitStatus, error) {
	st, err := task.Delete(ctx)
	if errdefs.IsFailedPrecondition(err) { // created, running or paused
		return task.Delete(ctx, ctrd.WithProcessKill)
	}
	return st, err
}

// Wait returns the exit status of the container's current task once it exits.
func (r *Runtime) Wait(ctx context.Context, id string) (int, error) {
	c, _, err := r.load(ctx, id)
	if err != nil {
		return 0, err
	}
	task, err := c.Task(ctx, nil)
	if err != nil {
		return 0, wrapNotFound(err)
	}
	return waitTask(ctx, task)
}

func waitTask(ctx context.Context, task ctrd.Task) (int, error) {
	ch, err := task.Wait(ctx)
	if err != nil {
		return 0, err
	}
	select {
	case st := <-ch:
		return int(st.ExitCode()), st.Error()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func wrapNotFound(err error) error {
	if errdefs.IsNotFound(err) {
		return fmt.Errorf("%w: %w", compose.ErrNotFound, err)
	}
	return err
}

// logIO sends a task's output to the log driver; unlike cio.LogURI it can ask for a
// terminal, whose output the shim then hands to the driver as stdout.
func logIO(uri *url.URL, tty bool) cio.Creator {
	return func(string) (cio.IO, error) {
		return &uriIO{cfg: cio.Config{Stdout: uri.String(), Stderr: uri.String(), Terminal: tty}}, nil
	}
}

type uriIO struct{ cfg cio.Config }

func (u *uriIO) Config() cio.Config { return u.cfg }
func (u *uriIO) Cancel()            {}
func (u *uriIO) Wait()              {}
func (u *uriIO) Close() error       { return nil }
