package compose

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

// fakeRuntime is an in-memory Runtime for the engine's tests: containers and their
// tasks, exits, health and events, with no containerd and no root. Every change is
// written to a journal ("create demo-web-1", "start demo-web-1", …) the tests read
// to check order.
type fakeRuntime struct {
	// Runtime is nil: a method the fake lacks (one added to Runtime later) panics
	// when a test calls it, and the fake still compiles.
	Runtime

	mu         sync.Mutex
	next       int
	containers map[string]*fakeContainer // by ID
	networks   map[string]Network
	volumes    map[string]Volume
	images     map[string]string // ref → digest
	agent      bool
	journal    []string
	subs       []chan Event

	// behave is what a service's containers do once started; failCreate makes the
	// next Create of a container name fail with the error (once); published is the
	// digest a pull of a ref gets (default sha256:<ref>); failPull makes every
	// pull of a ref fail with the error.
	behave     map[string]behaviour
	failCreate map[string]error
	published  map[string]string
	failPull   map[string]error
}

// behaviour scripts a service's task: Exit set means it exits at once with that
// status; Health is the health it reports while running ("" = no healthcheck).
type behaviour struct {
	Exit   *int
	Health string
}

func exitsWith(code int) behaviour { return behaviour{Exit: &code} }

type fakeContainer struct {
	Container
	exited chan struct{} // closed when the current task ends
}

var _ Runtime = (*fakeRuntime)(nil)

func newFakeRuntime() *fakeRuntime {
	return &fakeRuntime{
		containers: map[string]*fakeContainer{}, networks: map[string]Network{}, volumes: map[string]Volume{},
		images: map[string]string{}, behave: map[string]behaviour{}, failCreate: map[string]error{}, published: map[string]string{}, failPull: map[string]error{},
	}
}

// record appends to the journal; called with mu held.
func (f *fakeRuntime) record(format string, args ...any) {
	f.journal = append(f.journal, fmt.Sprintf(format, args...))
}

// emit sends an event to every subscriber that has room; called with mu held.
func (f *fakeRuntime) emit(action string, c *fakeContainer) {
	for _, ch := range f.subs {
		select {
		case ch <- Event{Time: time.Now(), Action: action, ContainerID: c.ID, ExitCode: c.ExitCode}:
		default:
		}
	}
}

// Journal is a copy of what has happened so far.
func (f *fakeRuntime) Journal() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.journal...)
}

func (f *fakeRuntime) get(id string) (*fakeContainer, error) {
	c, ok := f.containers[id]
	if !ok {
		return nil, fmt.Errorf("container %s: %w", id, ErrNotFound)
	}
	return c, nil
}

func (f *fakeRuntime) Lock(context.Context, string) (func(), error) { return func() {}, nil }

func (f *fakeRuntime) Containers(_ context.Context, projectName string) ([]Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Container
	for _, c := range f.containers {
		if projectName == "" || c.Project == projectName {
			out = append(out, c.Container)
		}
	}
	return out, nil
}

func (f *fakeRuntime) Create(_ context.Context, req CreateRequest) (Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err, ok := f.failCreate[req.Name]; ok {
		delete(f.failCreate, req.Name)
		f.record("create %s failed", req.Name)
		return Container{}, err
	}
	for _, c := range f.containers {
		if c.Name == req.Name {
			return Container{}, fmt.Errorf("container name %s is in use", req.Name)
		}
	}
	f.next++
	n, _ := strconv.Atoi(req.Labels[project.LabelNumber])
	c := &fakeContainer{Container: Container{
		ID: fmt.Sprintf("id%d", f.next), Name: req.Name, Project: req.Project.Name, Service: req.Service.Name,
		Number: n, Image: req.Service.Image, Labels: req.Labels, State: StateCreated, Created: time.Now(),
		ImageDigest: f.images[req.Service.Image],
	}}
	f.containers[c.ID] = c
	f.record("create %s", c.Name)
	f.emit("create", c)
	return c.Container, nil
}

func (f *fakeRuntime) Start(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return err
	}
	if !f.agent {
		return fmt.Errorf("start %s: the agent does not run", c.Name)
	}
	c.State, c.ExitCode, c.exited = StateRunning, 0, make(chan struct{})
	f.record("start %s", c.Name)
	f.emit("start", c)
	b := f.behave[c.Service]
	c.Health = b.Health
	if b.Exit != nil {
		f.exit(c, *b.Exit)
	}
	return nil
}

// exit ends c's task with code; called with mu held.
func (f *fakeRuntime) exit(c *fakeContainer, code int) {
	c.State, c.ExitCode, c.Health = StateExited, code, ""
	close(c.exited)
	f.emit("die", c)
}

func (f *fakeRuntime) StartAttached(ctx context.Context, id string, _ Stdio) (int, error) {
	if err := f.Start(ctx, id); err != nil {
		return 0, err
	}
	return f.Wait(ctx, id)
}

func (f *fakeRuntime) Stop(_ context.Context, id string, _ time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return err
	}
	if c.State == StateRunning || c.State == StatePaused {
		f.record("stop %s", c.Name)
		f.exit(c, 0)
	}
	return nil
}

func (f *fakeRuntime) Remove(_ context.Context, id string, _ RemoveOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return err
	}
	if c.State == StateRunning || c.State == StatePaused {
		return fmt.Errorf("remove %s: it runs", c.Name)
	}
	delete(f.containers, id)
	f.record("remove %s", c.Name)
	f.emit("destroy", c)
	return nil
}

func (f *fakeRuntime) Kill(_ context.Context, id, signal string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return err
	}
	if c.State == StateRunning {
		f.record("kill %s %s", c.Name, signal)
		f.exit(c, 137)
	}
	return nil
}

func (f *fakeRuntime) setState(id, from, to, verb string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return err
	}
	if c.State != from {
		return fmt.Errorf("%s %s: it is %s", verb, c.Name, c.State)
	}
	c.State = to
	f.record("%s %s", verb, c.Name)
	f.emit(verb, c)
	return nil
}

func (f *fakeRuntime) Pause(_ context.Context, id string) error {
	return f.setState(id, StateRunning, StatePaused, "pause")
}

func (f *fakeRuntime) Unpause(_ context.Context, id string) error {
	return f.setState(id, StatePaused, StateRunning, "unpause")
}

func (f *fakeRuntime) Top(context.Context, string) ([]string, [][]string, error) {
	return []string{"PID", "CMD"}, nil, nil
}

func (f *fakeRuntime) Stats(context.Context, string) (Stats, error) {
	return Stats{Time: time.Now()}, nil
}

func (f *fakeRuntime) FilesRoot(context.Context, string) (string, func(), error) {
	return "", nil, fmt.Errorf("the fake runtime has no files")
}

func (f *fakeRuntime) Wait(ctx context.Context, id string) (int, error) {
	f.mu.Lock()
	c, err := f.get(id)
	if err != nil {
		f.mu.Unlock()
		return 0, err
	}
	if c.State != StateRunning && c.State != StatePaused {
		code := c.ExitCode
		f.mu.Unlock()
		return code, nil
	}
	exited := c.exited
	f.mu.Unlock()
	select {
	case <-exited:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return c.ExitCode, nil
}

func (f *fakeRuntime) Exec(_ context.Context, id string, req ExecRequest) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return 0, err
	}
	f.record("exec %s %s", c.Name, strings.Join(req.Cmd, " "))
	return 0, nil
}

func (f *fakeRuntime) Logs(context.Context, string, LogOptions, func(LogEntry) error) error {
	return nil
}

func (f *fakeRuntime) Events(ctx context.Context) (<-chan Event, error) {
	ch := make(chan Event, 64)
	f.mu.Lock()
	f.subs = append(f.subs, ch)
	f.mu.Unlock()
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, s := range f.subs {
			if s == ch {
				f.subs = append(f.subs[:i], f.subs[i+1:]...)
				break
			}
		}
		close(ch)
	}()
	return ch, nil
}

func (f *fakeRuntime) CheckPorts(context.Context, string, types.ServiceConfig) error { return nil }

func (f *fakeRuntime) ImageDigest(_ context.Context, ref string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d, ok := f.images[ref]; ok {
		return d, nil
	}
	return "", ErrImageNotFound
}

func (f *fakeRuntime) ImagePulled(context.Context, string) (time.Time, error) {
	return time.Time{}, nil
}

func (f *fakeRuntime) Pull(_ context.Context, ref, _ string, _ func(Progress)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err, ok := f.failPull[ref]; ok {
		f.record("pull %s failed", ref)
		return err
	}
	f.images[ref] = "sha256:" + ref
	if d, ok := f.published[ref]; ok {
		f.images[ref] = d
	}
	f.record("pull %s", ref)
	return nil
}

func (f *fakeRuntime) Push(_ context.Context, ref string, _ func(Progress)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("push %s", ref)
	return nil
}

func (f *fakeRuntime) RemoveImage(_ context.Context, ref string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.images[ref]; !ok {
		return ErrImageNotFound
	}
	delete(f.images, ref)
	f.record("remove image %s", ref)
	return nil
}

func (f *fakeRuntime) Build(_ context.Context, req BuildRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.images[req.Ref] = "sha256:built-" + req.Ref
	f.record("build %s", req.Ref)
	return nil
}

func (f *fakeRuntime) Networks(_ context.Context, projectName string) ([]Network, error) {
	return fakeList(f, f.networks, projectName, func(n Network) string { return n.Project }), nil
}

func (f *fakeRuntime) EnsureNetwork(_ context.Context, n Network) error {
	fakeEnsure(f, f.networks, "network", n.Name, n)
	return nil
}

func (f *fakeRuntime) RemoveNetwork(_ context.Context, name string) error {
	return fakeRemove(f, f.networks, "network", name)
}

func (f *fakeRuntime) NetworkMembers(context.Context, string) ([]NetworkMember, error) {
	return nil, nil
}

func (f *fakeRuntime) Volumes(_ context.Context, projectName string) ([]Volume, error) {
	return fakeList(f, f.volumes, projectName, func(v Volume) string { return v.Project }), nil
}

func (f *fakeRuntime) EnsureVolume(_ context.Context, v Volume) error {
	fakeEnsure(f, f.volumes, "volume", v.Name, v)
	return nil
}

func (f *fakeRuntime) RemoveVolume(_ context.Context, name string) error {
	return fakeRemove(f, f.volumes, "volume", name)
}

// fakeList, fakeEnsure and fakeRemove keep the fake's networks and volumes alike.
func fakeList[T any](f *fakeRuntime, m map[string]T, projectName string, projectOf func(T) string) []T {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []T
	for _, x := range m {
		if projectName == "" || projectOf(x) == projectName {
			out = append(out, x)
		}
	}
	return out
}

func fakeEnsure[T any](f *fakeRuntime, m map[string]T, kind, name string, x T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := m[name]; !ok {
		m[name] = x
		f.record("create %s %s", kind, name)
	}
}

func fakeRemove[T any](f *fakeRuntime, m map[string]T, kind, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := m[name]; !ok {
		return ErrNotFound
	}
	delete(m, name)
	f.record("remove %s %s", kind, name)
	return nil
}

func (f *fakeRuntime) EnsureAgent(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.agent {
		f.agent = true
		f.record("start agent")
	}
	return nil
}

func (f *fakeRuntime) RemoveAgentIfIdle(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.agent && len(f.networks) == 0 {
		f.agent = false
		f.record("remove agent")
	}
	return nil
}

func (f *fakeRuntime) AgentProblem(context.Context) error { return nil }

// byName is the container of that name as the fake holds it now.
func (f *fakeRuntime) byName(t *testing.T, name string) Container {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.containers {
		if c.Name == name {
			return c.Container
		}
	}
	t.Fatalf("no container %s; journal:\n%s", name, strings.Join(f.journal, "\n"))
	return Container{}
}
