package kube

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"berth.dev/berth/internal/progress"
)

// recorder keeps the progress events of a deploy, in order.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) Event(e progress.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e.Name+" "+e.Status)
}

func (r *recorder) index(ev string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Index(r.events, ev)
}

func deployer(t testing.TB, c *cluster, ns string) (*Deployer, *recorder) {
	namespace(t, c, ns)
	rec := &recorder{}
	return &Deployer{Applier: Applier{Client: c.dynamic(t), Namespace: ns}, Typed: c.typed(t), Progress: rec, Timeout: time.Minute}, rec
}

func convertDir(t testing.TB, dir string) []Object {
	t.Helper()
	res, err := Convert(load(t, dir), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Objects
}

// The migration Job completes, and db is Ready, before app is applied.
func TestDeployWaves(t *testing.T) {
	c := controlPlane(t)
	ctx := context.Background()
	d, rec := deployer(t, c, "waves")
	p := load(t, "testdata/deploy-waves")
	objs := convertDir(t, "testdata/deploy-waves")
	if err := d.Deploy(ctx, p, objs); err != nil {
		t.Fatalf("deploy: %v (events %v)", err, rec.events)
	}
	job, err := c.typed(t).BatchV1().Jobs("waves").Get(ctx, "migrate", metav1.GetOptions{})
	if err != nil || job.Status.Succeeded != 1 {
		t.Fatalf("migrate Job not succeeded: %v %+v", err, job.Status)
	}
	app, err := c.typed(t).AppsV1().Deployments("waves").Get(ctx, "app", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if app.CreationTimestamp.Before(job.Status.CompletionTime) {
		t.Errorf("app created at %s, before migrate completed at %s", app.CreationTimestamp, job.Status.CompletionTime)
	}
	for _, before := range []string{"migrate Completed", "db Ready"} {
		if i, j := rec.index(before), rec.index("app Applying"); i < 0 || j < 0 || i > j {
			t.Errorf("%q is not before %q: %v", before, "app Applying", rec.events)
		}
	}
}

// A dependency that never gets Ready stops deploy with its name, and its dependents
// are never applied.
func TestDeployNeverReady(t *testing.T) {
	c := controlPlane(t)
	ctx := context.Background()
	d, _ := deployer(t, c, "never-ready")
	d.Timeout = 5 * time.Second
	p := load(t, "testdata/deploy-never-ready")
	objs := convertDir(t, "testdata/deploy-never-ready")
	err := d.Deploy(ctx, p, objs)
	if err == nil || !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), `service "db"`) {
		t.Fatalf("want db named as not ready, got %v", err)
	}
	if _, err := c.typed(t).AppsV1().Deployments("never-ready").Get(ctx, "app", metav1.GetOptions{}); err == nil {
		t.Error("app was applied although db never got Ready")
	}
}

// A second deploy of an unchanged file changes nothing: no new ReplicaSet, no new
// generation. Undeploy -v then leaves the namespace with none of the project's objects
// and another's untouched.
func TestRedeployAndUndeploy(t *testing.T) {
	c := controlPlane(t)
	ctx := context.Background()
	d, _ := deployer(t, c, "redeploy")
	// The controller manager adds kube-root-ca.crt to a new namespace, on its own
	// time: the namespace "as it was" has it.
	for i := 0; ; i++ {
		if _, err := c.typed(t).CoreV1().ConfigMaps("redeploy").Get(ctx, "kube-root-ca.crt", metav1.GetOptions{}); err == nil {
			break
		}
		if i == 100 {
			t.Fatal("kube-root-ca.crt never appeared in the new namespace")
		}
		time.Sleep(100 * time.Millisecond)
	}
	before := inventory(t, c, "redeploy")
	p := load(t, "testdata/deploy-waves")
	objs := convertDir(t, "testdata/deploy-waves")
	if err := d.Deploy(ctx, p, objs); err != nil {
		t.Fatal(err)
	}
	rs1 := replicaSets(t, c, "redeploy")
	gen1 := generations(t, c, "redeploy")
	if err := d.Deploy(ctx, p, objs); err != nil {
		t.Fatal(err)
	}
	if rs2 := replicaSets(t, c, "redeploy"); !slices.Equal(rs1, rs2) {
		t.Errorf("second deploy changed ReplicaSets: %v -> %v", rs1, rs2)
	}
	if gen2 := generations(t, c, "redeploy"); !slices.Equal(gen1, gen2) {
		t.Errorf("second deploy changed generations: %v -> %v", gen1, gen2)
	}
	if err := d.Undeploy(ctx, p.Name, true); err != nil {
		t.Fatal(err)
	}
	if after := inventory(t, c, "redeploy"); !slices.Equal(before, after) {
		t.Errorf("undeploy left the namespace changed:\nbefore %v\nafter  %v", before, after)
	}
}

// inventory lists every object of berth's kinds in a namespace, as kind/name.
func inventory(t *testing.T, c *cluster, ns string) []string {
	var out []string
	for _, kind := range sortedKeys(kindResources) {
		list, err := c.dynamic(t).Resource(kindResources[kind]).Namespace(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range list.Items {
			out = append(out, kind+"/"+it.GetName())
		}
	}
	return out
}

func replicaSets(t *testing.T, c *cluster, ns string) []string {
	list, err := c.typed(t).AppsV1().ReplicaSets(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rs := range list.Items {
		out = append(out, rs.Name)
	}
	slices.Sort(out)
	return out
}

func generations(t *testing.T, c *cluster, ns string) []int64 {
	var out []int64
	for _, kind := range []string{"Deployment", "StatefulSet", "Job"} {
		list, err := c.dynamic(t).Resource(kindResources[kind]).Namespace(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range list.Items {
			out = append(out, it.GetGeneration())
		}
	}
	return out
}

// A dependency that fails stops deploy with its name and the Job's reason; its
// dependents are never applied.
func TestDeployJobFails(t *testing.T) {
	c := controlPlane(t)
	ctx := context.Background()
	d, _ := deployer(t, c, "job-fails")
	p := load(t, "testdata/deploy-job-fails")
	err := d.Deploy(ctx, p, convertDir(t, "testdata/deploy-job-fails"))
	if err == nil || !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), `service "migrate"`) || !strings.Contains(err.Error(), "failed") {
		t.Fatalf("want migrate named as failed, got %v", err)
	}
	if _, err := c.typed(t).AppsV1().Deployments("job-fails").Get(ctx, "app", metav1.GetOptions{}); err == nil {
		t.Error("app was applied although migrate failed")
	}
}
