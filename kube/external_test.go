package kube

import (
	"context"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// External volumes, secrets and configs are the cluster's objects of their names: the
// deploy mounts them (the pods are scheduled only once the existing claim is bound),
// and neither deploy nor undeploy -v changes or deletes them.
func TestDeployExternal(t *testing.T) {
	c := controlPlane(t)
	ctx := context.Background()
	const ns = "external"
	d, rec := deployer(t, c, ns)
	k := c.typed(t).CoreV1()
	claim := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "team-shared"}, Spec: corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
		Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
	if _, err := k.PersistentVolumeClaims(ns).Create(ctx, claim, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "api-token"},
		Data: map[string][]byte{"api_token": []byte("s3cret")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "site"},
		Data: map[string]string{"site": "listen 80\n"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	versions := func() []string {
		pvc, err1 := k.PersistentVolumeClaims(ns).Get(ctx, "team-shared", metav1.GetOptions{})
		sec, err2 := k.Secrets(ns).Get(ctx, "api-token", metav1.GetOptions{})
		cm, err3 := k.ConfigMaps(ns).Get(ctx, "site", metav1.GetOptions{})
		for _, err := range []error{err1, err2, err3} {
			if err != nil {
				t.Fatalf("an external object is gone: %v", err)
			}
		}
		if pvc.DeletionTimestamp != nil {
			t.Fatal("the external claim is being deleted")
		}
		return []string{string(pvc.UID), string(sec.UID), sec.ResourceVersion, string(cm.UID), cm.ResourceVersion}
	}

	p := load(t, "testdata/external")
	if err := d.Deploy(ctx, p, convertDir(t, "testdata/external")); err != nil {
		t.Fatalf("deploy: %v (events %v)", err, rec.events)
	}
	before := versions()
	pods, err := k.Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: labelService + "=app"})
	if err != nil || len(pods.Items) != 2 {
		t.Fatalf("want 2 pods of app, got %v %v", len(pods.Items), err)
	}
	for _, pod := range pods.Items {
		if !podReady(&pod) || pod.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "team-shared" {
			t.Errorf("pod %s not Ready on the external claim: %+v", pod.Name, pod.Spec.Volumes[0])
		}
	}
	if err := d.Undeploy(ctx, p.Name, true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.typed(t).AppsV1().Deployments(ns).Get(ctx, "app", metav1.GetOptions{}); err == nil {
		t.Error("undeploy left the Deployment")
	}
	if after := versions(); !slices.Equal(before, after) {
		t.Errorf("undeploy -v changed the external objects: %v -> %v", before, after)
	}
}
