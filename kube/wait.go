package kube

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// wait follows one workload with a watch (no polling) until it is done: a Job
// complete, a Deployment or StatefulSet rolled out with every replica Ready. A failed
// Job, or a rollout past its progress deadline, is an error that says why.
func (d *Deployer) wait(ctx context.Context, kind, name string) error {
	sel := fields.OneTermEqualSelector("metadata.name", name).String()
	var lw *cache.ListWatch
	var obj runtime.Object
	var done func(runtime.Object) (bool, error)
	ns := d.Namespace
	switch kind {
	case "Job":
		c := d.Typed.BatchV1().Jobs(ns)
		lw = listWatch(sel, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return c.List(ctx, o) },
			func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) { return c.Watch(ctx, o) })
		obj, done = &batchv1.Job{}, jobDone
	case "Deployment":
		c := d.Typed.AppsV1().Deployments(ns)
		lw = listWatch(sel, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return c.List(ctx, o) },
			func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) { return c.Watch(ctx, o) })
		obj, done = &appsv1.Deployment{}, deploymentDone
	case "StatefulSet":
		c := d.Typed.AppsV1().StatefulSets(ns)
		lw = listWatch(sel, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return c.List(ctx, o) },
			func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) { return c.Watch(ctx, o) })
		obj, done = &appsv1.StatefulSet{}, statefulSetDone
	default:
		return nil
	}
	_, err := watchtools.UntilWithSync(ctx, lw, obj, nil, func(ev watch.Event) (bool, error) {
		if ev.Type == watch.Deleted {
			return false, fmt.Errorf("%s %s was deleted", kind, name)
		}
		return done(ev.Object)
	})
	return err
}

func listWatch(sel string, list func(context.Context, metav1.ListOptions) (runtime.Object, error), w func(context.Context, metav1.ListOptions) (watch.Interface, error)) *cache.ListWatch {
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = sel
			return list(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = sel
			return w(ctx, o)
		},
	}
}

func jobDone(o runtime.Object) (bool, error) {
	j := o.(*batchv1.Job)
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return true, nil
		case batchv1.JobFailed:
			return false, fmt.Errorf("%w: Job %s failed: %s: %s", ErrNotReady, j.Name, c.Reason, c.Message)
		}
	}
	return false, nil
}

func deploymentDone(o runtime.Object) (bool, error) {
	dep := o.(*appsv1.Deployment)
	for _, c := range dep.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
			return false, fmt.Errorf("%w: Deployment %s: %s", ErrNotReady, dep.Name, c.Message)
		}
	}
	want := int32(1)
	if dep.Spec.Replicas != nil {
		want = *dep.Spec.Replicas
	}
	s := dep.Status
	return s.ObservedGeneration >= dep.Generation && s.UpdatedReplicas == want && s.Replicas == want && s.AvailableReplicas == want, nil
}

func statefulSetDone(o runtime.Object) (bool, error) {
	ss := o.(*appsv1.StatefulSet)
	want := int32(1)
	if ss.Spec.Replicas != nil {
		want = *ss.Spec.Replicas
	}
	s := ss.Status
	return s.ObservedGeneration >= ss.Generation && s.UpdatedReplicas == want && s.ReadyReplicas == want && s.CurrentRevision == s.UpdateRevision, nil
}
