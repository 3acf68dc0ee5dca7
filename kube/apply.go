package kube

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/go-multierror"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// kindResources are the kinds Convert makes, with their resource names. A fixed table, not
// discovery: berth applies only these, and prune must look at exactly these.
var kindResources = map[string]schema.GroupVersionResource{
	"Secret":                {Version: "v1", Resource: "secrets"},
	"ConfigMap":             {Version: "v1", Resource: "configmaps"},
	"PersistentVolumeClaim": {Version: "v1", Resource: "persistentvolumeclaims"},
	"Service":               {Version: "v1", Resource: "services"},
	"NetworkPolicy":         {Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"},
	"Ingress":               {Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
	"Job":                   {Group: "batch", Version: "v1", Resource: "jobs"},
	"StatefulSet":           {Group: "apps", Version: "v1", Resource: "statefulsets"},
	"Deployment":            {Group: "apps", Version: "v1", Resource: "deployments"},
}

// ErrTaken is the error of an object whose name another project or tool already uses.
var ErrTaken = errors.New("name taken")

// Applier puts objects into one namespace with server-side apply, as field manager
// "berth", and removes what a project no longer has.
type Applier struct {
	Client    dynamic.Interface
	Namespace string
	DryRun    bool // the server validates and admits, and stores nothing
}

// Apply applies each object; the failures are gathered, each naming its object.
func (a *Applier) Apply(ctx context.Context, objs []Object) error {
	var errs *multierror.Error
	for _, obj := range objs {
		if err := a.applyOne(ctx, obj); err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	return errs.ErrorOrNil()
}

func (a *Applier) applyOne(ctx context.Context, obj Object) error {
	kind := obj.GetObjectKind().GroupVersionKind().Kind
	gvr, ok := kindResources[kind]
	if !ok {
		return fmt.Errorf("%s/%s: berth does not apply kind %s", kind, obj.GetName(), kind)
	}
	client := a.Client.Resource(gvr).Namespace(a.Namespace)
	// Apply forces berth's fields: it must never take over an object of the same name
	// that another project (or another tool) made.
	cur, err := client.Get(ctx, obj.GetName(), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return fmt.Errorf("%s/%s: %w", kind, obj.GetName(), err)
	case cur.GetLabels()[labelProject] != obj.GetLabels()[labelProject] || cur.GetLabels()["app.kubernetes.io/managed-by"] != "berth":
		return fmt.Errorf("%w: %s/%s in namespace %s is not project %q's (project label %q): deploy to another namespace", ErrTaken, kind, obj.GetName(), a.Namespace, obj.GetLabels()[labelProject], cur.GetLabels()[labelProject])
	}
	m, err := Unstructured(obj)
	if err != nil {
		return err
	}
	opts := metav1.ApplyOptions{FieldManager: fieldManager, Force: true}
	if a.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	if _, err := client.Apply(ctx, obj.GetName(), &unstructured.Unstructured{Object: m}, opts); err != nil {
		return fmt.Errorf("%s/%s: %w", kind, obj.GetName(), err)
	}
	return nil
}

// Prune deletes the objects of the project (by its label, made by berth) that keep
// does not hold; with keep empty it removes everything the project made, and nothing
// else. It returns what it deleted, as kind/name.
func (a *Applier) Prune(ctx context.Context, projectName string, keep []Object) ([]string, error) {
	wanted := map[string]bool{}
	for _, obj := range keep {
		wanted[obj.GetObjectKind().GroupVersionKind().Kind+"/"+obj.GetName()] = true
	}
	sel := projectSelector(projectName)
	opts := metav1.DeleteOptions{PropagationPolicy: ptr(metav1.DeletePropagationBackground)}
	if a.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	var deleted []string
	var errs *multierror.Error
	for _, kind := range sortedKeys(kindResources) {
		client := a.Client.Resource(kindResources[kind]).Namespace(a.Namespace)
		list, err := client.List(ctx, metav1.ListOptions{LabelSelector: sel})
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("list %s: %w", kind, err))
			continue
		}
		for _, item := range list.Items {
			key := kind + "/" + item.GetName()
			if wanted[key] {
				continue
			}
			if err := client.Delete(ctx, item.GetName(), opts); err != nil && !apierrors.IsNotFound(err) {
				errs = multierror.Append(errs, fmt.Errorf("delete %s: %w", key, err))
				continue
			}
			deleted = append(deleted, key)
		}
	}
	return deleted, errs.ErrorOrNil()
}

// projectSelector picks what berth made for a project.
func projectSelector(projectName string) string {
	return fmt.Sprintf("%s=%s,app.kubernetes.io/managed-by=berth", labelProject, projectName)
}

func ptr[T any](v T) *T { return &v }
