package kube

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"k8s.io/client-go/kubernetes"

	"berth.dev/berth/internal/progress"
	"berth.dev/berth/project"
	"berth.dev/berth/scheduler"
)

// ErrNotReady is the error of a workload that failed or did not get Ready in time.
var ErrNotReady = errors.New("not ready")

// Deployer applies a converted project in dependency waves and removes what it made.
type Deployer struct {
	Applier
	Typed    kubernetes.Interface
	Progress progress.Writer
	Timeout  time.Duration // how long one workload may take to complete or get Ready
}

// Deploy applies the objects every workload shares (files, claims, Services,
// policies), then each service's own objects after its dependencies: a Job must have
// completed, a Deployment or StatefulSet rolled out and Ready, before what depends on
// it is applied. The graph is up's. Objects the file no longer has are pruned at the
// end. A dependency that fails or never gets Ready stops its dependents, named.
func (d *Deployer) Deploy(ctx context.Context, p *types.Project, objs []Object) error {
	g, err := project.NewGraph(p)
	if err != nil {
		return err
	}
	shared, own := splitByWorkload(objs)
	d.event("Project", p.Name, "Applying", false)
	if err := d.Apply(ctx, shared); err != nil {
		d.fail("Project", p.Name, err)
		return err
	}
	d.event("Project", p.Name, "Applied", true)
	var nodes []scheduler.Node
	for _, name := range g.Order() {
		name := name
		nodes = append(nodes, scheduler.Node{ID: name, Deps: g.Deps[name], Run: func(ctx context.Context) error {
			return d.deployService(ctx, name, own[name])
		}})
	}
	if err := scheduler.Run(ctx, nodes, scheduler.Options{}); err != nil {
		return err
	}
	replicaClaims, err := d.replicaClaims(ctx, p.Name)
	if err != nil {
		return err
	}
	deleted, err := d.Prune(ctx, p.Name, append(replicaClaims, objs...))
	for _, key := range deleted {
		d.event("Object", key, "Removed", true)
	}
	return err
}

// deployService applies one service's objects and waits for its workload.
func (d *Deployer) deployService(ctx context.Context, name string, objs []Object) error {
	d.event("Service", name, "Applying", false)
	if err := d.Apply(ctx, objs); err != nil {
		d.fail("Service", name, err)
		return fmt.Errorf("service %q: %w", name, err)
	}
	for _, obj := range objs {
		kind := obj.GetObjectKind().GroupVersionKind().Kind
		if kind != "Job" && kind != "Deployment" && kind != "StatefulSet" {
			continue
		}
		d.event("Service", name, "Waiting", false)
		wctx, cancel := context.WithTimeout(ctx, d.Timeout)
		err := d.wait(wctx, kind, obj.GetName())
		timedOut := wctx.Err() == context.DeadlineExceeded
		cancel()
		if err != nil {
			if timedOut && !errors.Is(err, ErrNotReady) {
				err = fmt.Errorf("%w: %s %s did not get Ready within %s", ErrNotReady, kind, obj.GetName(), d.Timeout)
			}
			err = fmt.Errorf("service %q: %w", name, err)
			d.fail("Service", name, err)
			return err
		}
		if kind == "Job" {
			d.event("Service", name, "Completed", true)
			return nil
		}
	}
	d.event("Service", name, "Ready", true)
	return nil
}

// splitByWorkload separates the objects of no single service from each service's.
// A service's headless Service and policies go with the shared ones: names resolve
// from the start, as on a compose network.
func splitByWorkload(objs []Object) ([]Object, map[string][]Object) {
	var shared []Object
	own := map[string][]Object{}
	for _, obj := range objs {
		svc := obj.GetLabels()[labelService]
		switch obj.GetObjectKind().GroupVersionKind().Kind {
		case "Job", "Deployment", "StatefulSet", "ConfigMap":
			if svc != "" {
				own[svc] = append(own[svc], obj)
				continue
			}
		}
		shared = append(shared, obj)
	}
	return shared, own
}

// Undeploy removes every object of the project; claims (the volumes' data) only when
// volumes is set, as `down` keeps volumes without -v.
func (d *Deployer) Undeploy(ctx context.Context, projectName string, volumes bool) error {
	var keep []Object
	if !volumes {
		claims, err := d.claims(ctx, projectName)
		if err != nil {
			return err
		}
		keep = claims
	}
	deleted, err := d.Prune(ctx, projectName, keep)
	for _, key := range deleted {
		d.event("Object", key, "Removed", true)
	}
	return err
}

func (d *Deployer) event(kind, name, status string, finished bool) {
	d.Progress.Event(progress.Event{Kind: kind, Name: name, Status: status, Finished: finished})
}

func (d *Deployer) fail(kind, name string, err error) {
	d.Progress.Event(progress.Event{Kind: kind, Name: name, Status: "Error", Text: err.Error(), Err: true, Finished: true})
}
