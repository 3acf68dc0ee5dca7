package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"berth.dev/berth/project"
)

// projected is a file as the kubelet writes it from a ConfigMap volume.
type projected struct {
	data string
	mode fs.FileMode
}

// project lays out a ConfigMap volume as the kubelet does: every key at its own name
// with defaultMode, or only the items, each at its path with its mode or defaultMode.
func projectVolume(t testing.TB, cm *corev1.ConfigMap, src *corev1.ConfigMapVolumeSource) map[string]projected {
	t.Helper()
	value := func(key string) string {
		if v, ok := cm.Data[key]; ok {
			return v
		}
		if v, ok := cm.BinaryData[key]; ok {
			return string(v)
		}
		t.Fatalf("ConfigMap %s has no key %q", cm.Name, key)
		return ""
	}
	mode := fs.FileMode(0o644)
	if src.DefaultMode != nil {
		mode = fs.FileMode(*src.DefaultMode)
	}
	files := map[string]projected{}
	if len(src.Items) == 0 {
		for _, k := range slices.Concat(slices.Collect(maps.Keys(cm.Data)), slices.Collect(maps.Keys(cm.BinaryData))) {
			files[k] = projected{value(k), mode}
		}
		return files
	}
	for _, it := range src.Items {
		m := mode
		if it.Mode != nil {
			m = fs.FileMode(*it.Mode)
		}
		files[it.Path] = projected{value(it.Key), m}
	}
	return files
}

// hostTree reads a directory as a bind mount shows it: each file's path and mode.
func hostTree(t testing.TB, root string) map[string]projected {
	t.Helper()
	files := map[string]projected{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = projected{string(b), info.Mode().Perm()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func writeTree(t testing.TB, root string, files map[string]projected) {
	t.Helper()
	for rel, f := range files {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(f.data), f.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, f.mode); err != nil { // past the umask
			t.Fatal(err)
		}
	}
}

// convertBind converts a one-service project that mounts dir read-only at /mnt.
func convertBind(t testing.TB, dir string) (*Result, error) {
	t.Helper()
	proj := t.TempDir()
	file := filepath.Join(proj, "compose.yaml")
	y := fmt.Sprintf("services:\n  app:\n    image: busybox\n    volumes: [%q]\n", dir+":/mnt:ro")
	if err := os.WriteFile(file, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(context.Background(), project.Options{Files: []string{file}, WorkingDir: proj, SkipSupportCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	return Convert(p, Options{})
}

// bindVolume finds the ConfigMap and the volume source the converted app mounts at /mnt.
func bindVolume(t testing.TB, objs []Object) (*corev1.ConfigMap, *corev1.ConfigMapVolumeSource) {
	t.Helper()
	var cm *corev1.ConfigMap
	var src *corev1.ConfigMapVolumeSource
	for _, o := range objs {
		switch o := o.(type) {
		case *corev1.ConfigMap:
			cm = o
		default:
			if spec := podSpecOf(o); spec != nil {
				for _, v := range spec.Volumes {
					if v.ConfigMap != nil {
						src = v.ConfigMap
					}
				}
			}
		}
	}
	if cm == nil || src == nil || src.Name != cm.Name {
		t.Fatalf("no ConfigMap mounted in %v", objs)
	}
	return cm, src
}

// Every file of a tree lands at its relative path with its mode: subdirectories, an
// executable, a private file, binary content, and two paths that flatten to one key.
func TestBindTreeKeepsPathsAndModes(t *testing.T) {
	dir := t.TempDir()
	want := map[string]projected{
		"index.html":         {"<h1>hi</h1>\n", 0o644},
		"conf.d/a.conf":      {"a=1\n", 0o644},
		"conf.d-a.conf":      {"flat=1\n", 0o644},
		"bin/run.sh":         {"#!/bin/sh\necho run\n", 0o755},
		"secret/key.pem":     {"private\n", 0o600},
		"deep/er/still/x.db": {"\x00\x01\x02", 0o444},
	}
	writeTree(t, dir, want)
	if err := os.MkdirAll(filepath.Join(dir, "cache", "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := convertBind(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	cm, src := bindVolume(t, res.Objects)
	if got := projectVolume(t, cm, src); !maps.Equal(got, want) {
		t.Errorf("projected tree differs:\n got %v\nwant %v", got, want)
	}
	if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "empty directory cache/empty") }) {
		t.Errorf("no warning for the empty directory: %v", res.Warnings)
	}
}

// Files that all share one mode get it once, as defaultMode, and a flat directory needs
// no items.
func TestBindTreeSharedModeIsDefaultMode(t *testing.T) {
	dir := t.TempDir()
	want := map[string]projected{"start.sh": {"#!/bin/sh\n", 0o755}, "stop.sh": {"#!/bin/sh\n", 0o755}}
	writeTree(t, dir, want)
	res, err := convertBind(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	cm, src := bindVolume(t, res.Objects)
	if src.DefaultMode == nil || *src.DefaultMode != 0o755 || len(src.Items) != 0 {
		t.Errorf("want defaultMode 0755 and no items, got %+v", src)
	}
	if got := projectVolume(t, cm, src); !maps.Equal(got, want) {
		t.Errorf("projected tree differs:\n got %v\nwant %v", got, want)
	}
}

// The limit is the API server's: 1 MiB of values in all. Exactly that converts; a
// byte more is refused naming the directory, the size and the limit.
func TestBindTreeSizeLimit(t *testing.T) {
	for _, c := range []struct {
		extra int
		ok    bool
	}{{0, true}, {1, false}} {
		dir := t.TempDir()
		writeTree(t, dir, map[string]projected{
			"a/half":  {strings.Repeat("a", maxConfigMapBytes/2), 0o644},
			"b/other": {strings.Repeat("b", maxConfigMapBytes/2+c.extra), 0o644},
		})
		_, err := convertBind(t, dir)
		if c.ok {
			if err != nil {
				t.Errorf("%d bytes: %v", maxConfigMapBytes, err)
			}
			continue
		}
		size := fmt.Sprint(maxConfigMapBytes + c.extra)
		if err == nil || !errors.Is(err, project.ErrInvalid) || !strings.Contains(err.Error(), dir) ||
			!strings.Contains(err.Error(), size+" bytes") || !strings.Contains(err.Error(), "1048576 bytes (1 MiB)") {
			t.Errorf("want the directory, %s bytes and the limit named, got %v", size, err)
		}
	}
}

// What a ConfigMap cannot hold is refused by its path under the mount.
func TestBindTreeRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]projected{"conf/real.conf": {"x\n", 0o644}})
	if err := os.Symlink("real.conf", filepath.Join(dir, "conf", "link.conf")); err != nil {
		t.Fatal(err)
	}
	_, err := convertBind(t, dir)
	if err == nil || !strings.Contains(err.Error(), "conf/link.conf is a symbolic link") {
		t.Fatalf("want conf/link.conf refused, got %v", err)
	}
	// The kubelet keeps "..data" and its kin for itself, at the top of the volume.
	dir = t.TempDir()
	writeTree(t, dir, map[string]projected{"..data": {"x\n", 0o644}})
	if _, err := convertBind(t, dir); err == nil || !strings.Contains(err.Error(), `..data: Kubernetes reserves paths starting with ".."`) {
		t.Fatalf("want ..data refused, got %v", err)
	}
}

// Against the real API server: a tree of exactly the limit is accepted, and one byte
// more is what the API server itself refuses, so convert's limit is the API's.
func TestBindTreeLimitIsTheAPIServers(t *testing.T) {
	c := apiServer(t)
	ctx := context.Background()
	namespace(t, c, "bind-limit")
	dir := t.TempDir()
	writeTree(t, dir, map[string]projected{"a/big": {strings.Repeat("a", maxConfigMapBytes-3), 0o644}, "b/bin": {"\x00\x01\x02", 0o644}})
	res, err := convertBind(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	a := Applier{Client: c.dynamic(t), Namespace: "bind-limit"}
	if err := a.Apply(ctx, res.Objects); err != nil {
		t.Fatalf("a ConfigMap of exactly %d bytes: %v", maxConfigMapBytes, err)
	}
	cm, _ := bindVolume(t, res.Objects)
	over := cm.DeepCopy()
	over.Name = "one-byte-over"
	over.BinaryData["b-bin"] = append(over.BinaryData["b-bin"], 3)
	_, err = c.typed(t).CoreV1().ConfigMaps("bind-limit").Create(ctx, over, metav1.CreateOptions{})
	if err == nil || !strings.Contains(err.Error(), "1048576") {
		t.Fatalf("the API server took %d bytes: %v", maxConfigMapBytes+1, err)
	}
}

// Deployed, the ConfigMap read back from the cluster, through the volume the pod
// template mounts, holds every file of the tree at its path with its mode.
func TestDeployBindTree(t *testing.T) {
	c := controlPlane(t)
	ctx := context.Background()
	const ns = "bindtree"
	d, rec := deployer(t, c, ns)
	p := load(t, "testdata/bindtree")
	if err := d.Deploy(ctx, p, convertDir(t, "testdata/bindtree")); err != nil {
		t.Fatalf("deploy: %v (events %v)", err, rec.events)
	}
	k := c.typed(t)
	dep, err := k.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mounts := map[string]string{} // volume → mount path
	for _, m := range dep.Spec.Template.Spec.Containers[0].VolumeMounts {
		if m.SubPath == "" {
			mounts[m.Name] = m.MountPath
		}
	}
	host := map[string]string{"/srv/site": "testdata/bindtree/site", "/opt/scripts": "testdata/bindtree/scripts"}
	checked := 0
	for _, v := range dep.Spec.Template.Spec.Volumes {
		dir, ok := host[mounts[v.Name]]
		if !ok || v.ConfigMap == nil {
			continue
		}
		cm, err := k.CoreV1().ConfigMaps(ns).Get(ctx, v.ConfigMap.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, want := projectVolume(t, cm, v.ConfigMap), hostTree(t, dir)
		if !maps.Equal(got, want) {
			t.Errorf("%s as deployed:\n got %v\nwant %v", mounts[v.Name], got, want)
		}
		if f := got["cgi-bin/hello.sh"]; dir == host["/srv/site"] && (f.mode != 0o755 || !bytes.HasPrefix([]byte(f.data), []byte("#!"))) {
			t.Errorf("cgi-bin/hello.sh lost its mode or content: %v", f)
		}
		checked++
	}
	if checked != len(host) {
		t.Fatalf("checked %d bind mounts of %d", checked, len(host))
	}
}

func podSpecOf(o Object) *corev1.PodSpec {
	switch o := o.(type) {
	case *appsv1.Deployment:
		return &o.Spec.Template.Spec
	case *appsv1.StatefulSet:
		return &o.Spec.Template.Spec
	}
	return nil
}
