package compose

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/hashicorp/go-multierror"

	"berth.dev/berth/project"
	"berth.dev/berth/scheduler"
)

// executor carries out a plan (up, down, start, stop, pull, push, build...): one
// scheduler node per operation, waiting for the operations the plan says, and
// nothing else.
type executor struct {
	e   *Engine
	p   *types.Project
	obs Observed
	up  UpOptions
	// timeout overrides the services' stop_grace_period (-t); remove is what
	// containers are removed with (down: the networks that go after them).
	timeout *time.Duration
	remove  RemoveOptions
	// build is how images are built; quietPull and quietPush hide transfers;
	// tolerate makes a failed pull or push a warning.
	build                BuildOptions
	quietPull, quietPush bool
	tolerate             bool
	// signal is what kill sends; anonVolumes removes the anonymous volumes of the
	// containers removed (rm -v).
	signal      string
	anonVolumes bool

	mu      sync.Mutex
	images  map[string]string    // ref → digest of the images this run pulled or built
	created map[string]Container // by name: made (or a refresh kept) by this run, for their start
	started map[string]bool      // names of the containers this run started, for attach
}

func (e *Engine) newExecutor(p *types.Project, obs Observed) *executor {
	return &executor{e: e, p: p, obs: obs, images: map[string]string{}, created: map[string]Container{}, started: map[string]bool{}}
}

// execute runs the plan's operations as parallel as their edges allow. Under
// --dry-run it prints the plan first; the dry runtime then changes nothing.
func (x *executor) execute(ctx context.Context, plan Plan) error {
	if _, dry := x.e.Runtime.(DryRun); dry {
		fmt.Fprint(x.e.Out, plan.String())
	}
	nodes := make([]scheduler.Node, 0, len(plan.Ops))
	for _, op := range plan.Ops {
		deps := make([]string, len(op.After))
		for i, id := range op.After {
			deps[i] = id.String()
		}
		nodes = append(nodes, scheduler.Node{ID: op.ID().String(), Deps: deps, Run: func(ctx context.Context) error {
			return x.do(ctx, op)
		}})
	}
	return x.e.run(ctx, nodes)
}

// do carries out one operation.
func (x *executor) do(ctx context.Context, op Op) error {
	e, s := x.e, x.p.Services[op.Service]
	switch op.Kind {
	case OpCreateNetwork:
		n := projectNetwork(x.p, keyOf(x.p, x.p.Networks, project.NetworkName, op.Target), op.Target)
		return e.ensure(ctx, "Network", op.Target, func(ctx context.Context) error { return e.Runtime.EnsureNetwork(ctx, n) })
	case OpCreateVolume:
		v := projectVolume(x.p, keyOf(x.p, x.p.Volumes, project.VolumeName, op.Target), op.Target)
		return e.ensure(ctx, "Volume", op.Target, func(ctx context.Context) error { return e.Runtime.EnsureVolume(ctx, v) })
	case OpStartAgent:
		return e.Runtime.EnsureAgent(ctx)
	case OpPull:
		if err := e.pull(ctx, x.p, op, x.quietPull, x.tolerate); err != nil {
			return err
		}
		return x.learnDigest(ctx, op.Target)
	case OpBuild:
		if err := e.build(ctx, x.p, op, x.build); err != nil {
			return err
		}
		return x.learnDigest(ctx, op.Target)
	case OpPush:
		return e.push(ctx, op, x.quietPush, x.tolerate)
	case OpCreate, OpRecreate, OpRefresh:
		obs := x.observed()
		if op.Kind == OpRefresh && obs.Images[s.Image] == op.Existing.Labels[project.LabelImage] {
			x.mu.Lock()
			x.created[op.Target] = *op.Existing // the same image: kept as it is
			x.mu.Unlock()
			return nil
		}
		c, err := e.create(ctx, x.p, obs, op, x.up)
		if err == nil {
			x.mu.Lock()
			x.created[op.Target] = c
			x.mu.Unlock()
		}
		return err
	case OpStart:
		c := Container{}
		if op.Existing != nil {
			c = *op.Existing
		} else {
			x.mu.Lock()
			c = x.created[op.Target]
			x.mu.Unlock()
			if c.State == StateRunning || c.State == StatePaused {
				return nil // a refresh kept it running
			}
		}
		return e.start(ctx, s, op.Target, c.ID, x.markStarted)
	case OpRestart:
		if err := e.stopContainer(ctx, *op.Existing, s, stopTimeout(s, x.timeout)); err != nil {
			return e.failed("Container", op.Target, err)
		}
		return e.start(ctx, s, op.Target, op.Existing.ID, x.markStarted)
	case OpStop:
		e.event("Container", op.Target, "Stopping", false)
		if err := e.stopContainer(ctx, *op.Existing, s, stopTimeout(s, x.timeout)); err != nil {
			return e.failed("Container", op.Target, err)
		}
		e.event("Container", op.Target, "Stopped", true)
		return nil
	case OpKill:
		e.event("Container", op.Target, "Killing", false)
		if err := e.Runtime.Kill(ctx, op.Existing.ID, x.signal); err != nil && !errors.Is(err, ErrNotRunning) {
			return e.failed("Container", op.Target, err)
		}
		e.event("Container", op.Target, "Killed", true)
		return nil
	case OpPause, OpUnpause:
		act, done := e.Runtime.Pause, "Paused"
		if op.Kind == OpUnpause {
			act, done = e.Runtime.Unpause, "Unpaused"
		}
		if err := act(ctx, op.Existing.ID); err != nil {
			return e.failed("Container", op.Target, err)
		}
		e.event("Container", op.Target, done, true)
		return nil
	case OpKeep:
		return nil
	case OpRemove:
		if err := e.stopAndRemove(ctx, *op.Existing, x.timeout, s, x.remove); err != nil || !x.anonVolumes {
			return err
		}
		if anon := op.Existing.Labels[LabelAnonymousVolumes]; anon != "" {
			return e.removeEach(ctx, "Volume", strings.Split(anon, ","), e.Runtime.RemoveVolume, ErrNotFound)
		}
		return nil
	case OpServiceStarted, OpImagesReady:
		return nil // its edges are the wait
	case OpServiceHealthy, OpServiceCompleted:
		return e.await(ctx, x.p.Name, op)
	case OpRemoveNetwork:
		return e.removeOne(ctx, "Network", op.Target, e.Runtime.RemoveNetwork, ErrNotFound)
	case OpRemoveVolume:
		return e.removeOne(ctx, "Volume", op.Target, e.Runtime.RemoveVolume, ErrNotFound)
	case OpRemoveImage:
		return e.removeOne(ctx, "Image", op.Target, e.Runtime.RemoveImage, ErrImageNotFound)
	case OpRemoveAgent:
		return e.Runtime.RemoveAgentIfIdle(ctx)
	}
	return fmt.Errorf("%s: not an operation berth executes", op.ID())
}

// learnDigest records the digest of an image this run pulled or built, for the
// containers made from it. One a failure left out (tolerated) or a dry run did not
// make is not there: its containers compare with no digest.
func (x *executor) learnDigest(ctx context.Context, ref string) error {
	d, err := x.e.Runtime.ImageDigest(ctx, ref)
	if errors.Is(err, ErrImageNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("image %s: %w", ref, err)
	}
	x.mu.Lock()
	x.images[ref] = d
	x.mu.Unlock()
	return nil
}

// observed is the state the plan started from, with the digests of the images
// this run pulled or built so far.
func (x *executor) observed() Observed {
	obs := x.obs
	x.mu.Lock()
	obs.Images = maps.Clone(obs.Images)
	if obs.Images == nil {
		obs.Images = map[string]string{}
	}
	maps.Copy(obs.Images, x.images)
	x.mu.Unlock()
	return obs
}

func (x *executor) markStarted(name string) {
	x.mu.Lock()
	x.started[name] = true
	x.mu.Unlock()
}

// ensure creates a network or volume, reporting progress.
func (e *Engine) ensure(ctx context.Context, kind, name string, ensure func(context.Context) error) error {
	e.event(kind, name, "Creating", false)
	if err := ensure(ctx); err != nil {
		return e.failed(kind, name, err)
	}
	e.event(kind, name, "Created", true)
	return nil
}

// removeOne removes a network, volume or image, reporting it; one already gone
// (absent) is no error.
func (e *Engine) removeOne(ctx context.Context, kind, name string, remove func(context.Context, string) error, absent error) error {
	e.event(kind, name, "Removing", false)
	if err := remove(ctx, name); err != nil && !errors.Is(err, absent) {
		return e.failed(kind, name, err)
	}
	e.event(kind, name, "Removed", true)
	return nil
}

// removeEach removes resources one by one with removeOne; every failure is gathered.
func (e *Engine) removeEach(ctx context.Context, kind string, names []string, remove func(context.Context, string) error, absent error) error {
	var errs *multierror.Error
	for _, name := range names {
		errs = multierror.Append(errs, e.removeOne(ctx, kind, name, remove, absent))
	}
	return errs.ErrorOrNil()
}
