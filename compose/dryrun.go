package compose

import (
	"context"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// DryRun is a Runtime for --dry-run, as docker compose's dry-run client is an API
// client: everything that reads passes through to the real runtime, and everything
// that would change the host succeeds without doing anything. A verb then runs its
// whole course (its plan, its order, its progress lines) on the state as it is, and
// changes nothing.
type DryRun struct{ Runtime }

var _ Runtime = DryRun{}

// Lock takes no lock and sweeps nothing: a dry run changes nothing another berth
// could trip over.
func (DryRun) Lock(context.Context, string) (func(), error) { return func() {}, nil }

// Create makes nothing; the container it gives stands for the one a real run would
// make, for the steps after it.
func (DryRun) Create(_ context.Context, req CreateRequest) (Container, error) {
	return Container{ID: "dry-run-" + req.Name, Name: req.Name, Project: req.Project.Name, Service: req.Service.Name,
		Labels: req.Labels, State: StateCreated, Image: req.Service.Image}, nil
}

func (DryRun) Start(context.Context, string) error { return nil }
func (DryRun) StartAttached(context.Context, string, Stdio) (int, error) {
	return 0, nil
}
func (DryRun) Stop(context.Context, string, time.Duration) error                { return nil }
func (DryRun) Remove(context.Context, string, RemoveOptions) error              { return nil }
func (DryRun) Kill(context.Context, string, string) error                       { return nil }
func (DryRun) Pause(context.Context, string) error                              { return nil }
func (DryRun) Unpause(context.Context, string) error                            { return nil }
func (DryRun) Exec(context.Context, string, ExecRequest) (int, error)           { return 0, nil }
func (DryRun) Pull(context.Context, string, string, func(Progress)) error       { return nil }
func (DryRun) Push(context.Context, string, func(Progress)) error               { return nil }
func (DryRun) PushArtifact(context.Context, string, []ocispec.Descriptor) error { return nil }
func (DryRun) PushImageTo(context.Context, string, string) (ocispec.Descriptor, error) {
	return ocispec.Descriptor{}, nil
}
func (DryRun) RemoveImage(context.Context, string) error { return nil }
func (DryRun) Build(context.Context, BuildRequest) error { return nil }
func (DryRun) Commit(context.Context, string, CommitRequest) (string, error) {
	return "", nil
}
func (DryRun) EnsureNetwork(context.Context, Network) error { return nil }
func (DryRun) RemoveNetwork(context.Context, string) error  { return nil }
func (DryRun) EnsureVolume(context.Context, Volume) error   { return nil }
func (DryRun) RemoveVolume(context.Context, string) error   { return nil }
func (DryRun) EnsureAgent(context.Context) error            { return nil }
func (DryRun) RemoveAgentIfIdle(context.Context) error      { return nil }
