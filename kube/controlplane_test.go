package kube

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Tier 2: the API server plus kube-controller-manager, kube-scheduler and kwok, which
// plays the kubelet of one fake node (pods become Running and Ready, Job pods
// complete), so deploy's waves run as on a cluster, without containers; and storage
// for claims (provisioner_test.go).

const fakeNode = "berth-fake-node"

var (
	controllersOnce sync.Once
	controllersErr  error
)

func controlPlane(t testing.TB) *cluster {
	t.Helper()
	c := apiServer(t)
	bins := os.Getenv("KUBE_BINS")
	for _, b := range []string{"kube-controller-manager", "kube-scheduler", "kwok"} {
		if _, err := os.Stat(filepath.Join(bins, b)); err != nil {
			t.Skipf("KUBE_BINS=%s has no %s (%v): run scripts/kube-bins", bins, b, err)
		}
	}
	controllersOnce.Do(func() { controllersErr = c.startControllers(bins) })
	if controllersErr != nil {
		t.Fatal(controllersErr)
	}
	return c
}

// kubeconfig is the path of the file the controllers (and kubectl) reach the API server with.
func (c *cluster) kubeconfig() string { return filepath.Join(c.dir, "kubeconfig") }

func (c *cluster) startControllers(bins string) error {
	kubeconfig := c.kubeconfig()
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: %q, insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: %q}}]
contexts: [{name: test, context: {cluster: test, user: admin}}]
current-context: test
`, c.cfg.Host, c.cfg.BearerToken)
	if err := os.WriteFile(kubeconfig, []byte(kc), 0o600); err != nil {
		return err
	}
	port := func() string { p, _ := freePort(); return strconv.Itoa(p) }
	if err := c.start(filepath.Join(bins, "kube-controller-manager"), "kube-controller-manager",
		"--kubeconfig", kubeconfig, "--leader-elect=false", "--bind-address", "127.0.0.1", "--secure-port", port(),
		"--service-account-private-key-file", filepath.Join(c.dir, "sa.key"), "--use-service-account-credentials=false"); err != nil {
		return err
	}
	if err := c.start(filepath.Join(bins, "kube-scheduler"), "kube-scheduler",
		"--kubeconfig", kubeconfig, "--leader-elect=false", "--bind-address", "127.0.0.1", "--secure-port", port()); err != nil {
		return err
	}
	stages, err := filepath.Abs(filepath.Join("testdata", "kwok-stages.yaml"))
	if err != nil {
		return err
	}
	if err := c.start(filepath.Join(bins, "kwok"), "kwok",
		"--kubeconfig", kubeconfig, "--config", stages, "--node-lease-duration-seconds", "40", "--manage-single-node", fakeNode, "--node-ip", "127.0.0.1",
		"--server-address", "127.0.0.1:"+port()); err != nil {
		return err
	}
	k, err := kubernetes.NewForConfig(c.cfg)
	if err != nil {
		return err
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: fakeNode, Labels: map[string]string{"type": "kwok"}},
		Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110"),
		}, Capacity: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110"),
		}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := k.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		return err
	}
	// kwok marks the node Ready; the scheduler places nothing before that.
	for {
		n, err := k.CoreV1().Nodes().Get(ctx, fakeNode, metav1.GetOptions{})
		if err == nil {
			for _, cond := range n.Status.Conditions {
				if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
					c.quit = make(chan struct{})
					return startProvisioner(ctx, k, filepath.Join(c.dir, "volumes"), c.quit)
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("fake node not Ready (logs in %s)", c.dir)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
