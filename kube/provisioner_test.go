package kube

import (
	"context"
	"fmt"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// Storage for tier 2. A fake node has no volume plugin, and the control plane has no
// provisioner, so claims would stay Pending and their pods unscheduled. The test
// cluster gets what a cluster's storage add-on gives: a default StorageClass and a
// provisioner for it, here a small one that answers each claim of the class with a
// hostPath PersistentVolume bound to it (kwok mounts nothing, the path is never used),
// and deletes the volume when its claim is gone. kube-controller-manager's volume
// controller does the binding, as on a cluster.

const (
	testStorageClass = "berth-test"
	testProvisioner  = "berth.test/hostpath"
)

// startProvisioner makes the default StorageClass and runs its provisioner until stop
// is closed. Volumes are named paths under root.
func startProvisioner(ctx context.Context, k kubernetes.Interface, root string, stop <-chan struct{}) error {
	immediate := storagev1.VolumeBindingImmediate
	sc := &storagev1.StorageClass{
		ObjectMeta: metav1.ObjectMeta{Name: testStorageClass,
			Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}},
		Provisioner: testProvisioner, VolumeBindingMode: &immediate,
		ReclaimPolicy: ptr(corev1.PersistentVolumeReclaimDelete),
	}
	if _, err := k.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("storage class: %w", err)
	}
	f := informers.NewSharedInformerFactory(k, 0)
	claims := f.Core().V1().PersistentVolumeClaims().Informer()
	volumes := f.Core().V1().PersistentVolumes().Informer()
	provision := func(obj any) {
		if pvc, ok := obj.(*corev1.PersistentVolumeClaim); ok {
			provisionClaim(k, root, pvc)
		}
	}
	release := func(obj any) {
		if pv, ok := obj.(*corev1.PersistentVolume); ok && pv.Status.Phase == corev1.VolumeReleased && pv.Spec.StorageClassName == testStorageClass {
			_ = k.CoreV1().PersistentVolumes().Delete(context.Background(), pv.Name, metav1.DeleteOptions{})
		}
	}
	if _, err := claims.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: provision, UpdateFunc: func(_, o any) { provision(o) }}); err != nil {
		return err
	}
	if _, err := volumes.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: release, UpdateFunc: func(_, o any) { release(o) }}); err != nil {
		return err
	}
	f.Start(stop)
	return nil
}

// provisionClaim makes the volume of a pending claim of the test class, bound to it
// by claimRef; a second call for the same claim finds the volume there.
func provisionClaim(k kubernetes.Interface, root string, pvc *corev1.PersistentVolumeClaim) {
	class := pvc.Spec.StorageClassName
	if pvc.Spec.VolumeName != "" || pvc.Status.Phase != corev1.ClaimPending || class == nil || *class != testStorageClass {
		return
	}
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "pv-" + string(pvc.UID),
			Annotations: map[string]string{"pv.kubernetes.io/provisioned-by": testProvisioner}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:    corev1.ResourceList{corev1.ResourceStorage: pvc.Spec.Resources.Requests[corev1.ResourceStorage]},
			AccessModes: pvc.Spec.AccessModes, StorageClassName: testStorageClass,
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
			ClaimRef: &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: pvc.Namespace, Name: pvc.Name, UID: pvc.UID},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{
				Path: filepath.Join(root, string(pvc.UID))}},
		},
	}
	if _, err := k.CoreV1().PersistentVolumes().Create(context.Background(), pv, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		// The claim stays Pending; the test waiting on it reports that, with the
		// volume controller's events.
		return
	}
}
