package kube

import (
	"fmt"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"berth.dev/berth/project"
)

// sizeExtension sets a named volume's claim size in the file, e.g. `x-berth-size: 10Gi`.
const sizeExtension = "x-berth-size"

// volumeUsers lists, per named volume, the services that mount it.
func (c *converter) volumeUsers() map[string][]string {
	users := map[string][]string{}
	for _, name := range c.p.ServiceNames() {
		for _, v := range c.p.Services[name].Volumes {
			if v.Type == types.VolumeTypeVolume && v.Source != "" && !slices.Contains(users[v.Source], name) {
				users[v.Source] = append(users[v.Source], name)
			}
		}
	}
	return users
}

// volumes makes a PersistentVolumeClaim per named volume, except those a StatefulSet
// claims per replica. A volume two services share must be ReadWriteMany.
func (c *converter) volumes() error {
	users := c.volumeUsers()
	for _, key := range sortedKeys(c.p.Volumes) {
		if v := c.p.Volumes[key]; v.External {
			if errs := validation.IsDNS1123Subdomain(v.Name); len(errs) > 0 {
				return fmt.Errorf("volume %q: field \"external\": %q cannot name a PersistentVolumeClaim: %s", key, v.Name, strings.Join(errs, "; "))
			}
			if pods := c.pods(users[key]); pods > 1 {
				c.warn("volume %q: the existing claim %q is mounted by %d pods (%s): it must be ReadWriteMany unless they share a node", key, v.Name, pods, strings.Join(users[key], ", "))
			}
			continue // the claim exists: berth neither makes nor prunes it
		}
		var stateful []string
		for _, u := range users[key] {
			if c.kinds[u] == kindStatefulSet {
				stateful = append(stateful, u)
			}
		}
		if len(stateful) > 0 {
			if len(users[key]) > 1 {
				return fmt.Errorf("volume %q: service %q has replicas, so each gets its own copy of it, and %s cannot share it", key, stateful[0], strings.Join(users[key], ", "))
			}
			continue
		}
		mode := corev1.ReadWriteOnce
		if len(users[key]) > 1 {
			mode = corev1.ReadWriteMany
			c.warn("volume %q: shared by %s, so its claim asks for ReadWriteMany: the cluster's storage class must offer it", key, strings.Join(users[key], ", "))
		}
		pvc, err := c.claim(key, mode)
		if err != nil {
			return err
		}
		pvc.TypeMeta = typeMeta("v1", "PersistentVolumeClaim")
		pvc.ObjectMeta = c.meta(objectName(key), "")
		if err := c.add(pvc, fmt.Sprintf("volume %q", key)); err != nil {
			return err
		}
	}
	return nil
}

// pods counts the pods the services run at once.
func (c *converter) pods(services []string) int {
	n := 0
	for _, name := range services {
		n += project.Replicas(c.p.Services[name])
	}
	return n
}

func (c *converter) claim(key string, mode corev1.PersistentVolumeAccessMode) (*corev1.PersistentVolumeClaim, error) {
	size := c.o.VolumeSize
	if v, ok := c.p.Volumes[key].Extensions[sizeExtension]; ok {
		size = fmt.Sprint(v)
	}
	q, err := resource.ParseQuantity(size)
	if err != nil {
		return nil, fmt.Errorf("volume %q: size %q: %w", key, size, err)
	}
	return &corev1.PersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{mode},
		Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: q}},
	}}, nil
}

// mounts gives a container the service's volumes and tmpfs mounts. Named volumes
// mount their claims; tmpfs is an emptyDir in memory; a small read-only bind mount of
// files travels as a ConfigMap. Anything else has no place on a cluster.
func (c *converter) mounts(s types.ServiceConfig, pod *corev1.PodSpec, ctr *corev1.Container) error {
	for i, v := range s.Volumes {
		name := fmt.Sprintf("volume-%d", i)
		switch v.Type {
		case types.VolumeTypeVolume:
			if v.Source == "" {
				pod.Volumes = append(pod.Volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
			} else if c.kinds[s.Name] == kindStatefulSet && !c.p.Volumes[v.Source].External {
				name = objectName(v.Source) // the name of its volumeClaimTemplate
			} else {
				pod.Volumes = append(pod.Volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
					PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: c.claimName(v.Source)}}})
			}
			if v.Volume != nil && v.Volume.Subpath != "" {
				ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: name, MountPath: v.Target, ReadOnly: v.ReadOnly, SubPath: v.Volume.Subpath})
				continue
			}
		case types.VolumeTypeTmpfs:
			pod.Volumes = append(pod.Volumes, memoryDir(name, v.Tmpfs))
		case types.VolumeTypeBind:
			src, subPath, err := c.bindConfigMap(s, i, v)
			if err != nil {
				return err
			}
			pod.Volumes = append(pod.Volumes, corev1.Volume{Name: name, VolumeSource: src})
			ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: name, MountPath: v.Target, SubPath: subPath, ReadOnly: true})
			continue
		default:
			return fmt.Errorf("field \"volumes\": type %q (%s) has no Kubernetes form", v.Type, v.Target)
		}
		ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: name, MountPath: v.Target, ReadOnly: v.ReadOnly})
	}
	for i, t := range s.Tmpfs {
		target, _, _ := strings.Cut(t, ":")
		name := fmt.Sprintf("tmpfs-%d", i)
		pod.Volumes = append(pod.Volumes, memoryDir(name, nil))
		ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: name, MountPath: target})
	}
	if s.ShmSize > 0 {
		// The container runtime's /dev/shm has a fixed size (64 MiB); a memory
		// emptyDir over it is Kubernetes' way to size it.
		pod.Volumes = append(pod.Volumes, memoryDir("shm", &types.ServiceVolumeTmpfs{Size: s.ShmSize}))
		ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: "shm", MountPath: "/dev/shm"})
	}
	return nil
}

// claimName is the claim a named volume mounts: berth's own, or for an external
// volume the existing claim of the volume's name, which berth never makes or deletes.
func (c *converter) claimName(key string) string {
	if v := c.p.Volumes[key]; v.External {
		return v.Name
	}
	return objectName(key)
}

func memoryDir(name string, t *types.ServiceVolumeTmpfs) corev1.Volume {
	dir := &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}
	if t != nil && t.Size > 0 {
		q := resource.NewQuantity(int64(t.Size), resource.BinarySI)
		dir.SizeLimit = q
	}
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: dir}}
}
