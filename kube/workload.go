package kube

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"berth.dev/berth/project"
)

type kind int

const (
	kindDeployment kind = iota
	kindStatefulSet
	kindJob
)

// workloadKinds decides, per service, what runs it: a Job for what runs to an end
// (restart "no" and awaited as service_completed_successfully, or on-failure), a
// StatefulSet for replicas of a service with a named volume, a Deployment otherwise.
func workloadKinds(p *types.Project) (map[string]kind, error) {
	awaited := map[string]bool{}
	for _, s := range p.Services {
		for dep, d := range s.DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully {
				awaited[dep] = true
			}
		}
	}
	kinds := map[string]kind{}
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		r, err := project.ParseRestart(s.Restart)
		if err != nil {
			return nil, fmt.Errorf("service %q: field \"restart\": %w", name, err)
		}
		switch {
		case r.Policy == "on-failure" || (r.Policy == "no" && awaited[name]):
			kinds[name] = kindJob
		case project.Replicas(s) > 1 && hasOwnVolume(p, s):
			kinds[name] = kindStatefulSet
		default:
			kinds[name] = kindDeployment
		}
	}
	return kinds, nil
}

// hasOwnVolume says whether a service mounts a named volume berth makes the claim of
// (an external volume's claim exists already, and its replicas share it).
func hasOwnVolume(p *types.Project, s types.ServiceConfig) bool {
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source != "" && !p.Volumes[v.Source].External {
			return true
		}
	}
	return false
}

// service makes the objects of one service: its workload and its Services.
func (c *converter) service(s types.ServiceConfig) error {
	name, err := serviceName(s.Name)
	if err != nil {
		return err
	}
	if err := checkDeploy(s); err != nil {
		return err
	}
	r, _ := project.ParseRestart(s.Restart)
	if s.Restart == "no" && c.kinds[s.Name] != kindJob {
		c.warn("service %q: restart %q: a Deployment's pods are always restarted; make it a Job by awaiting it with condition service_completed_successfully", s.Name, s.Restart)
	}
	restart := corev1.RestartPolicyAlways
	if c.kinds[s.Name] == kindJob {
		restart = corev1.RestartPolicyNever
	}
	tmpl, err := c.podTemplate(s, restart)
	if err != nil {
		return err
	}
	meta := c.meta(name, s.Name)
	if deps := dependsOn(s); deps != "" {
		meta.Annotations = map[string]string{annotDependsOn: deps}
	}
	replicas := int32(project.Replicas(s))
	sel := &metav1.LabelSelector{MatchLabels: c.selector(s.Name)}
	var obj Object
	switch c.kinds[s.Name] {
	case kindJob:
		backoff := int32(0)
		if r.Policy == "on-failure" {
			backoff = int32(r.MaxRetries)
			if r.MaxRetries == 0 {
				backoff = 6
				c.warn("service %q: restart on-failure without a count: the Job retries 6 times (Kubernetes' default), not forever", s.Name)
			}
		}
		obj = &batchv1.Job{TypeMeta: typeMeta("batch/v1", "Job"), ObjectMeta: meta, Spec: batchv1.JobSpec{
			Completions: &replicas, Parallelism: &replicas, BackoffLimit: &backoff, Template: tmpl}}
	case kindStatefulSet:
		var claims []corev1.PersistentVolumeClaim
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeVolume || v.Source == "" || c.p.Volumes[v.Source].External {
				continue
			}
			pvc, err := c.claim(v.Source, corev1.ReadWriteOnce)
			if err != nil {
				return err
			}
			pvc.ObjectMeta = metav1.ObjectMeta{Name: objectName(v.Source), Labels: c.labels(s.Name)}
			claims = append(claims, *pvc)
		}
		c.warn("service %q: %d replicas with named volumes become a StatefulSet: each replica gets its own copy of each volume", s.Name, replicas)
		obj = &appsv1.StatefulSet{TypeMeta: typeMeta("apps/v1", "StatefulSet"), ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{
			Replicas: &replicas, Selector: sel, Template: tmpl, ServiceName: name, VolumeClaimTemplates: claims,
			PodManagementPolicy: appsv1.ParallelPodManagement}}
	default:
		obj = &appsv1.Deployment{TypeMeta: typeMeta("apps/v1", "Deployment"), ObjectMeta: meta, Spec: appsv1.DeploymentSpec{
			Replicas: &replicas, Selector: sel, Template: tmpl}}
	}
	if err := c.add(obj, fmt.Sprintf("service %q", s.Name)); err != nil {
		return err
	}
	return c.services(s, name)
}

// checkDeploy refuses the parts of deploy: that are Swarm's, not the cluster's.
func checkDeploy(s types.ServiceConfig) error {
	if s.Deploy == nil {
		return nil
	}
	rest := *s.Deploy
	rest.Replicas, rest.Resources = nil, types.Resources{}
	if !reflect.ValueOf(rest).IsZero() {
		return fmt.Errorf("field \"deploy\": only replicas and resources carry over to Kubernetes")
	}
	return nil
}

// dependsOn records depends_on on the workload, for deploy's waves and for readers.
func dependsOn(s types.ServiceConfig) string {
	var deps []string
	for dep, d := range s.DependsOn {
		deps = append(deps, dep+":"+d.Condition)
	}
	sort.Strings(deps)
	return strings.Join(deps, ",")
}
