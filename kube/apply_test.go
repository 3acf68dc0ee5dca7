package kube

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func namespace(t testing.TB, c *cluster, name string) {
	t.Helper()
	_, err := c.typed(t).CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// Every golden stack is accepted by a real API server: first by a server-side dry
// run, then applied for real, and a second apply is accepted unchanged.
func TestGoldenManifestsApply(t *testing.T) {
	c := apiServer(t)
	ctx := context.Background()
	for _, name := range sortedKeys(goldenStacks) {
		st := goldenStacks[name]
		t.Run(name, func(t *testing.T) {
			res, err := Convert(load(t, st.dir), st.o)
			if err != nil {
				t.Fatal(err)
			}
			ns := "golden-" + name
			namespace(t, c, ns)
			a := &Applier{Client: c.dynamic(t), Namespace: ns, DryRun: true}
			if err := a.Apply(ctx, res.Objects); err != nil {
				t.Fatalf("dry run: %v", err)
			}
			a.DryRun = false
			if err := a.Apply(ctx, res.Objects); err != nil {
				t.Fatalf("apply: %v", err)
			}
			for _, obj := range res.Objects {
				gvr := kindResources[obj.GetObjectKind().GroupVersionKind().Kind]
				got, err := a.Client.Resource(gvr).Namespace(ns).Get(ctx, obj.GetName(), metav1.GetOptions{})
				if err != nil {
					t.Fatalf("%s/%s not stored: %v", gvr.Resource, obj.GetName(), err)
				}
				if got.GetLabels()[labelProject] != obj.GetLabels()[labelProject] {
					t.Errorf("%s/%s lost its project label", gvr.Resource, obj.GetName())
				}
			}
			if err := a.Apply(ctx, res.Objects); err != nil {
				t.Fatalf("second apply: %v", err)
			}
		})
	}
}

// Prune removes what the file no longer has, and keeps what it has and what another
// project or another tool made.
func TestPrune(t *testing.T) {
	c := apiServer(t)
	ctx := context.Background()
	namespace(t, c, "prune")
	a := &Applier{Client: c.dynamic(t), Namespace: "prune"}
	full, err := Convert(load(t, "testdata/networks"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Apply(ctx, full.Objects); err != nil {
		t.Fatal(err)
	}
	// Someone else's ConfigMap in the same namespace.
	other := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "not-berths", Labels: map[string]string{labelProject: "another"}}}
	if _, err := c.typed(t).CoreV1().ConfigMaps("prune").Create(ctx, other, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The same project without its db service.
	p := load(t, "testdata/networks")
	delete(p.Services, "db")
	less, err := Convert(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	deleted, err := a.Prune(ctx, p.Name, less.Objects)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Deployment/db", "Service/db"}; !slices.Equal(deleted, want) {
		t.Fatalf("pruned %v, want %v", deleted, want)
	}
	if _, err := c.typed(t).AppsV1().Deployments("prune").Get(ctx, "api", metav1.GetOptions{}); err != nil {
		t.Errorf("prune removed a service the file still has: %v", err)
	}
	// undeploy's prune: everything of the project, nothing of anyone else.
	if _, err := a.Prune(ctx, p.Name, nil); err != nil {
		t.Fatal(err)
	}
	for kind, gvr := range kindResources {
		list, err := a.Client.Resource(gvr).Namespace("prune").List(ctx, metav1.ListOptions{LabelSelector: labelProject + "=" + p.Name})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) > 0 {
			t.Errorf("%s of the project left after pruning all: %s", kind, list.Items[0].GetName())
		}
	}
	if _, err := c.typed(t).CoreV1().ConfigMaps("prune").Get(ctx, "not-berths", metav1.GetOptions{}); err != nil {
		t.Errorf("prune removed another project's ConfigMap: %v", err)
	}
}

// Apply refuses to take over an object of the same name that is not the project's.
func TestApplyRefusesAnotherProjectsObject(t *testing.T) {
	c := apiServer(t)
	ctx := context.Background()
	namespace(t, c, "taken")
	a := &Applier{Client: c.dynamic(t), Namespace: "taken"}
	mine, err := Convert(load(t, "testdata/deploy-waves"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Apply(ctx, mine.Objects); err != nil {
		t.Fatal(err)
	}
	p := load(t, "testdata/deploy-never-ready") // also has a service db
	theirs, err := Convert(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Apply(ctx, theirs.Objects)
	if !errors.Is(err, ErrTaken) || !strings.Contains(err.Error(), "Deployment/db") {
		t.Fatalf("want Deployment/db refused as taken, got %v", err)
	}
	dep, err := c.typed(t).AppsV1().Deployments("taken").Get(ctx, "db", metav1.GetOptions{})
	if err != nil || dep.Labels[labelProject] != "deploy-waves" {
		t.Fatalf("the first project's db was touched: %v %v", err, dep.Labels)
	}
}
