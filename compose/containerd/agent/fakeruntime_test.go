package agent

import (
	"context"

	"github.com/containerd/errdefs"

	"berth.dev/berth/compose"
	"berth.dev/berth/compose/containerd"
	"berth.dev/berth/internal/health"
)

// fakeRuntime is one on-failure:2 container's restart labels, and what the agent
// did to it; or the running set and the events a running-set test replays.
type fakeRuntime struct {
	count  containerd.RestartCount
	killed bool

	running map[string]bool
	events  []compose.Event

	// checks are what RunCheck answers, one per call; once they are all given,
	// RunCheck calls done and answers that containerd is away.
	checks []checkOutcome
	done   func()
}

type checkOutcome struct {
	res health.Result
	err error
}

func (f *fakeRuntime) RestartCount(context.Context, string) (containerd.RestartCount, error) {
	return f.count, nil
}
func (f *fakeRuntime) SetFailures(_ context.Context, _ string, n int) error {
	f.count.Failures = n
	return nil
}
func (f *fakeRuntime) KeepStopped(context.Context, string) error { f.count.Stopped = true; return nil }
func (f *fakeRuntime) Kill(context.Context, string, string) error {
	f.killed = true
	return nil
}

// FollowEvents syncs, then replays f.events.
func (f *fakeRuntime) FollowEvents(ctx context.Context, _ string, sync func(context.Context) error, handle func(compose.Event)) (func() error, error) {
	if err := sync(ctx); err != nil {
		return nil, err
	}
	return func() error {
		for _, ev := range f.events {
			handle(ev)
		}
		return nil
	}, nil
}
func (f *fakeRuntime) RunningSet(context.Context) (map[string]bool, error) { return f.running, nil }
func (f *fakeRuntime) HealthChecked(context.Context) ([]string, error)     { panic("not used") }
func (f *fakeRuntime) HealthCheck(context.Context, string) (*health.Check, error) {
	panic("not used")
}
func (f *fakeRuntime) RunCheck(context.Context, string, health.Check) (health.Result, error) {
	if len(f.checks) == 0 {
		f.done()
		return health.Result{}, errdefs.ErrUnavailable
	}
	next := f.checks[0]
	f.checks = f.checks[1:]
	return next.res, next.err
}
func (f *fakeRuntime) Forget(string)                                              {}
func (f *fakeRuntime) StartedWithoutStdin(context.Context, string) (string, bool) { return "", false }
func (f *fakeRuntime) StartWithStdin(context.Context, string) error               { return nil }
