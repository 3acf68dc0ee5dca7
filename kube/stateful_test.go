package kube

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A stateful service (named volume, two replicas) is rolled out: each replica's claim
// is bound, both pods Ready, before its dependent is applied. A second deploy changes
// nothing and keeps the claims the StatefulSet made; undeploy keeps every claim, as
// `down` keeps volumes, and undeploy -v removes them.
func TestDeployStatefulSet(t *testing.T) {
	c := controlPlane(t)
	ctx := context.Background()
	const ns = "stateful"
	d, rec := deployer(t, c, ns)
	p := load(t, "testdata/deploy-stateful")
	objs := convertDir(t, "testdata/deploy-stateful")
	if err := d.Deploy(ctx, p, objs); err != nil {
		t.Fatalf("deploy: %v (events %v)", err, rec.events)
	}
	k := c.typed(t)
	ss, err := k.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ss.Status.ReadyReplicas != 2 || ss.Status.CurrentRevision != ss.Status.UpdateRevision {
		t.Errorf("db not rolled out: %+v", ss.Status)
	}
	if i, j := rec.index("db Ready"), rec.index("app Applying"); i < 0 || j < 0 || i > j {
		t.Errorf("db Ready is not before app Applying: %v", rec.events)
	}
	want := []string{"data-db-0", "data-db-1", "uploads"}
	first := boundClaims(t, c, ns)
	if got := sortedKeys(first); !slices.Equal(got, want) {
		t.Fatalf("bound claims %v, want %v", got, want)
	}
	for _, name := range []string{"db-0", "db-1"} {
		pod, err := k.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil || pod.Spec.NodeName != fakeNode || !podReady(pod) {
			t.Errorf("pod %s not scheduled and Ready: %v", name, err)
		}
	}

	gen := generations(t, c, ns)
	if err := d.Deploy(ctx, p, objs); err != nil {
		t.Fatalf("second deploy: %v", err)
	}
	if again, err := k.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{}); err != nil || again.Status.UpdateRevision != ss.Status.UpdateRevision {
		t.Errorf("second deploy rolled db again: %v", err)
	}
	if again := generations(t, c, ns); !slices.Equal(gen, again) {
		t.Errorf("second deploy changed generations: %v -> %v", gen, again)
	}
	if again := boundClaims(t, c, ns); !maps.Equal(first, again) {
		t.Errorf("second deploy changed the claims: %v -> %v", first, again)
	}

	if err := d.Undeploy(ctx, p.Name, false); err != nil {
		t.Fatal(err)
	}
	if kept := boundClaims(t, c, ns); !maps.Equal(first, kept) {
		t.Errorf("undeploy without -v did not keep the claims: %v -> %v", first, kept)
	}
	if _, err := k.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{}); err == nil {
		t.Error("undeploy left the StatefulSet")
	}
	if err := d.Undeploy(ctx, p.Name, true); err != nil {
		t.Fatal(err)
	}
	// A claim in use goes once its pods have: poll, bounded, for none left.
	for i := 0; ; i++ {
		list, err := k.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) == 0 {
			break
		}
		if i == 150 {
			for _, pvc := range list.Items {
				t.Errorf("undeploy -v left claim %s (deleted at %v)", pvc.Name, pvc.DeletionTimestamp)
			}
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// boundClaims maps the namespace's claims to their UIDs, failing on one not Bound or
// being deleted (a claim in use goes only once its pods have).
func boundClaims(t *testing.T, c *cluster, ns string) map[string]string {
	t.Helper()
	list, err := c.typed(t).CoreV1().PersistentVolumeClaims(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, pvc := range list.Items {
		if pvc.Status.Phase != corev1.ClaimBound || pvc.DeletionTimestamp != nil {
			t.Errorf("claim %s is %s (deleted at %v), not Bound", pvc.Name, pvc.Status.Phase, pvc.DeletionTimestamp)
		}
		out[pvc.Name] = string(pvc.UID)
	}
	return out
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
