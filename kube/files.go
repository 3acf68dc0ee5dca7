package kube

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"berth.dev/berth/project"
)

var notKeyChar = regexp.MustCompile(`[^-._a-zA-Z0-9]+`)

// files makes a Secret per compose secret and a ConfigMap per compose config, each
// with one key named after it. Secrets never land in a ConfigMap.
func (c *converter) files() error {
	for _, key := range sortedKeys(c.p.Secrets) {
		obj := types.FileObjectConfig(c.p.Secrets[key])
		if obj.External {
			if err := externalName("secret", key, obj); err != nil {
				return err
			}
			continue
		}
		data, err := project.FileObjectContent(c.p, obj)
		if err != nil {
			return fmt.Errorf("secret %q: %w", key, err)
		}
		sec := &corev1.Secret{TypeMeta: typeMeta("v1", "Secret"), ObjectMeta: c.meta(c.fileObjectName("secret", key), ""),
			Type: corev1.SecretTypeOpaque, Data: map[string][]byte{fileKey(key): data}}
		if err := c.add(sec, fmt.Sprintf("secret %q", key)); err != nil {
			return err
		}
	}
	for _, key := range sortedKeys(c.p.Configs) {
		obj := types.FileObjectConfig(c.p.Configs[key])
		if obj.External {
			if err := externalName("config", key, obj); err != nil {
				return err
			}
			continue
		}
		data, err := project.FileObjectContent(c.p, obj)
		if err != nil {
			return fmt.Errorf("config %q: %w", key, err)
		}
		if err := c.add(configMap(c.meta(c.fileObjectName("config", key), ""), map[string][]byte{fileKey(key): data}), fmt.Sprintf("config %q", key)); err != nil {
			return err
		}
	}
	return nil
}

// configMap keeps text as data and anything else as binaryData, as the API asks.
func configMap(meta metav1.ObjectMeta, files map[string][]byte) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{TypeMeta: typeMeta("v1", "ConfigMap"), ObjectMeta: meta}
	for k, v := range files {
		if isText(v) {
			if cm.Data == nil {
				cm.Data = map[string]string{}
			}
			cm.Data[k] = string(v)
			continue
		}
		if cm.BinaryData == nil {
			cm.BinaryData = map[string][]byte{}
		}
		cm.BinaryData[k] = v
	}
	return cm
}

// externalName checks that an external secret or config names an object the cluster
// can hold: berth mounts that existing Secret or ConfigMap and never makes, prunes or
// deletes it.
func externalName(kind, key string, obj types.FileObjectConfig) error {
	if errs := validation.IsDNS1123Subdomain(obj.Name); len(errs) > 0 {
		return fmt.Errorf("%s %q: field \"external\": %q cannot name a Kubernetes object: %s", kind, key, obj.Name, strings.Join(errs, "; "))
	}
	return nil
}

// fileObjectName names the Secret or ConfigMap of a compose secret or config; the
// kind in the name keeps a secret and a config of one name apart. An external one is
// the existing object of its name.
func (c *converter) fileObjectName(kind, key string) string {
	obj := types.FileObjectConfig(c.p.Secrets[key])
	if kind == "config" {
		obj = types.FileObjectConfig(c.p.Configs[key])
	}
	if obj.External {
		return obj.Name
	}
	return objectName(kind + "-" + key)
}

func fileKey(key string) string { return notKeyChar.ReplaceAllString(key, "-") }

// fileMounts mounts a service's secrets and configs at exactly their compose paths,
// one file each (subPath), with their modes. Ownership has no per-file form in
// Kubernetes: a gid becomes the pod's fsGroup, a uid is refused unless it is the
// user the container runs as.
func (c *converter) fileMounts(s types.ServiceConfig, pod *corev1.PodSpec, ctr *corev1.Container) error {
	add := func(kind, volName string, ref types.FileReferenceConfig, src corev1.VolumeSource) error {
		target := project.FileTarget(kind, ref)
		ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: volName, MountPath: target, SubPath: fileKey(ref.Source), ReadOnly: true})
		pod.Volumes = append(pod.Volumes, corev1.Volume{Name: volName, VolumeSource: src})
		if ref.GID != "" {
			gid, err := strconv.ParseInt(ref.GID, 10, 64)
			if err != nil {
				return fmt.Errorf("field \"%ss\": %s: gid %q is not a number", kind, ref.Source, ref.GID)
			}
			sc := podSecurity(pod)
			if sc.FSGroup != nil && *sc.FSGroup != gid {
				return fmt.Errorf("field \"%ss\": %s: gid %d differs from another file's gid %d; a pod has one fsGroup", kind, ref.Source, gid, *sc.FSGroup)
			}
			sc.FSGroup = &gid
		}
		if ref.UID != "" && ref.UID != "0" {
			c.warn("service %q: %s %q: uid %s does not carry over: Kubernetes mounts it owned by root (and the fsGroup), readable per its mode", s.Name, kind, ref.Source, ref.UID)
		}
		return nil
	}
	for i, ref := range s.Secrets {
		if _, ok := c.p.Secrets[ref.Source]; !ok {
			return fmt.Errorf("field \"secrets\": %q is not declared in the project", ref.Source)
		}
		r := types.FileReferenceConfig(ref)
		mode := int32(project.FileMode(r))
		src := corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: c.fileObjectName("secret", ref.Source),
			Items: []corev1.KeyToPath{{Key: fileKey(ref.Source), Path: fileKey(ref.Source), Mode: &mode}}}}
		if err := add("secret", fmt.Sprintf("secret-%d", i), r, src); err != nil {
			return err
		}
	}
	for i, ref := range s.Configs {
		if _, ok := c.p.Configs[ref.Source]; !ok {
			return fmt.Errorf("field \"configs\": %q is not declared in the project", ref.Source)
		}
		r := types.FileReferenceConfig(ref)
		mode := int32(project.FileMode(r))
		src := corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: c.fileObjectName("config", ref.Source)},
			Items: []corev1.KeyToPath{{Key: fileKey(ref.Source), Path: fileKey(ref.Source), Mode: &mode}}}}
		if err := add("config", fmt.Sprintf("config-%d", i), r, src); err != nil {
			return err
		}
	}
	return nil
}

func podSecurity(pod *corev1.PodSpec) *corev1.PodSecurityContext {
	if pod.SecurityContext == nil {
		pod.SecurityContext = &corev1.PodSecurityContext{}
	}
	return pod.SecurityContext
}
