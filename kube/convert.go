// Package kube puts a compose project on Kubernetes with the meaning it has under
// `berth up`: every service resolvable by name, healthchecks as readiness, one-shots as
// Jobs, secrets and configs at their compose paths. What cannot carry over is refused
// by name. Convert is pure: a project in, objects and warnings out.
package kube

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"berth.dev/berth/project"
)

// Object is one Kubernetes object berth makes.
type Object interface {
	runtime.Object
	metav1.Object
}

// Expose says how published ports leave the cluster.
type Expose string

const (
	ExposeNone         Expose = ""
	ExposeNodePort     Expose = "nodeport"
	ExposeLoadBalancer Expose = "loadbalancer"
	ExposeIngress      Expose = "ingress"
)

// Options are the choices the compose file cannot make for the cluster.
type Options struct {
	Expose     Expose
	Registry   string // prefix of the image of a service that has build: and no image:
	VolumeSize string // size of a PersistentVolumeClaim without x-berth-size; default 1Gi
	Liveness   bool   // healthchecks also as livenessProbes
}

// Result is what Convert makes: the objects, and what the user should know about them.
type Result struct {
	Objects  []Object
	Warnings []string
}

// Convert maps a loaded project to Kubernetes objects. An error names the file, the
// service and the field that cannot be carried over.
func Convert(p *types.Project, o Options) (*Result, error) {
	if err := project.CheckKubeSupported(p); err != nil {
		return nil, err
	}
	switch o.Expose {
	case ExposeNone, ExposeNodePort, ExposeLoadBalancer, ExposeIngress:
	default:
		return nil, fmt.Errorf("%w: --expose %q: use nodeport, loadbalancer or ingress", project.ErrInvalid, o.Expose)
	}
	if o.VolumeSize == "" {
		o.VolumeSize = "1Gi"
	}
	c := &converter{p: p, o: o, res: &Result{}, names: map[string]string{}}
	if err := c.run(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", project.ErrInvalid, project.FileNames(p), err)
	}
	sortObjects(c.res.Objects)
	return c.res, nil
}

// converter carries one conversion: the objects made so far and the names taken.
type converter struct {
	p     *types.Project
	o     Options
	res   *Result
	names map[string]string // kind/name → what made it, to refuse two things of one name
	kinds map[string]kind   // service → the workload that runs it
}

func (c *converter) warn(format string, args ...any) {
	c.res.Warnings = append(c.res.Warnings, fmt.Sprintf(format, args...))
}

// add records an object, refusing a second object of the same kind and name.
func (c *converter) add(obj Object, from string) error {
	key := obj.GetObjectKind().GroupVersionKind().Kind + "/" + obj.GetName()
	if prev, taken := c.names[key]; taken {
		return fmt.Errorf("%s and %s both become %s", prev, from, key)
	}
	c.names[key] = from
	c.res.Objects = append(c.res.Objects, obj)
	return nil
}

func (c *converter) run() error {
	g, err := project.NewGraph(c.p)
	if err != nil {
		return err
	}
	if c.kinds, err = workloadKinds(c.p); err != nil {
		return err
	}
	if err := c.files(); err != nil {
		return err
	}
	if err := c.volumes(); err != nil {
		return err
	}
	if err := c.networks(); err != nil {
		return err
	}
	for _, name := range g.Order() {
		s := c.p.Services[name]
		if err := c.service(s); err != nil {
			return fmt.Errorf("service %q: %w", name, err)
		}
	}
	return nil
}
