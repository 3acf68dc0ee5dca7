package kube

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// maxConfigMapBytes is what the API server lets one ConfigMap hold: its data and
// binaryData values together, keys not counted (core.MaxSecretSize). A bind mount over
// it is refused at convert, not half-way through a deploy.
const maxConfigMapBytes = 1 << 20

// defaultFileMode is the mode Kubernetes gives a ConfigMap file when none is set.
const defaultFileMode fs.FileMode = 0o644

const bindGuide = "use a named volume, a config, or build the files into the image"

// bindFile is one file of a bind mount, as it travels in a ConfigMap.
type bindFile struct {
	path string // slash-separated, relative to the mount's target
	key  string // its ConfigMap key: keys cannot hold '/'
	mode fs.FileMode
	data []byte
}

// bindConfigMap carries a read-only bind mount of a file, or of a directory tree of
// plain files, as a ConfigMap: the cluster has no host path of the user's machine.
// Each file keeps its path under the mount (items map the flat keys back to paths)
// and its mode, so an executable script stays executable.
func (c *converter) bindConfigMap(s types.ServiceConfig, i int, v types.ServiceVolumeConfig) (corev1.VolumeSource, string, error) {
	shown := c.shownPath(v.Source)
	if !v.ReadOnly {
		return corev1.VolumeSource{}, "", fmt.Errorf("field \"volumes\": bind mount %s:%s is writable; a cluster has no host directory to share: %s", shown, v.Target, bindGuide)
	}
	info, err := os.Stat(v.Source)
	if err != nil {
		return corev1.VolumeSource{}, "", fmt.Errorf("field \"volumes\": bind mount %s: %w", shown, err)
	}
	var files []bindFile
	var total int64
	if info.IsDir() {
		var empty []string
		if files, empty, total, err = readBindDir(v.Source); err != nil {
			return corev1.VolumeSource{}, "", fmt.Errorf("field \"volumes\": bind mount %s: %w", shown, err)
		}
		for _, d := range empty {
			c.warn("service %q: bind mount %s: empty directory %s does not carry over: a ConfigMap holds files only", s.Name, shown, d)
		}
	} else {
		data, err := os.ReadFile(v.Source)
		if err != nil {
			return corev1.VolumeSource{}, "", fmt.Errorf("field \"volumes\": bind mount %s: %w", shown, err)
		}
		files, total = []bindFile{{path: filepath.Base(v.Source), mode: info.Mode().Perm(), data: data}}, int64(len(data))
	}
	if total > maxConfigMapBytes {
		return corev1.VolumeSource{}, "", fmt.Errorf("field \"volumes\": bind mount %s holds %d bytes, over the %d bytes (1 MiB) a ConfigMap holds: %s", shown, total, maxConfigMapBytes, bindGuide)
	}
	assignKeys(files)

	name := objectName(fmt.Sprintf("%s-bind-%d", s.Name, i))
	data := make(map[string][]byte, len(files))
	for _, f := range files {
		data[f.key] = f.data
	}
	if err := c.add(configMap(c.meta(name, s.Name), data), fmt.Sprintf("service %q bind mount %s", s.Name, shown)); err != nil {
		return corev1.VolumeSource{}, "", err
	}
	src := &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: name}}
	src.Items, src.DefaultMode = projection(files, !info.IsDir())
	if info.IsDir() {
		return corev1.VolumeSource{ConfigMap: src}, "", nil
	}
	// One file mounted at its target: the single key, by subPath in the mount.
	return corev1.VolumeSource{ConfigMap: src}, files[0].path, nil
}

// readBindDir reads every file under root, in lexical order, and names the empty
// directories, which a ConfigMap cannot hold. Anything but a plain file or a directory
// is refused by its path. total is the size of all files; past the limit only sizes
// are summed, so the refusal can say how big the tree is without reading all of it.
func readBindDir(root string) (files []bindFile, empty []string, total int64, err error) {
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			if rel == "." {
				return nil
			}
			entries, err := os.ReadDir(path)
			if err != nil {
				return err
			}
			if len(entries) == 0 {
				empty = append(empty, rel)
			}
			return nil
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is %s, not a plain file; a ConfigMap holds only files: %s", rel, fileKind(d.Type()), bindGuide)
		case strings.HasPrefix(rel, ".."):
			return fmt.Errorf("%s: Kubernetes reserves paths starting with \"..\" in a ConfigMap volume", rel)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if total += info.Size(); total > maxConfigMapBytes {
			return nil // refused by the caller, once the whole size is known
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files = append(files, bindFile{path: rel, mode: info.Mode().Perm(), data: data})
		return nil
	})
	return files, empty, total, err
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// assignKeys gives each file a ConfigMap key from its path: what a key cannot hold
// ('/' among it) becomes '-', and a key two paths would share gets a number.
func assignKeys(files []bindFile) {
	taken := map[string]bool{}
	for i := range files {
		base := fileKey(files[i].path)
		if len(validation.IsConfigMapKey(base)) > 0 { // too long, or a leading ".."
			base = "file"
		}
		key := base
		for n := 2; taken[key]; n++ {
			key = base + "-" + strconv.Itoa(n)
		}
		taken[key] = true
		files[i].key = key
	}
}

// projection says how the files land under the mount: items when a key differs from
// its path or the modes differ (an item then carries a mode other than Kubernetes'
// default), defaultMode when every file shares one mode other than that default.
func projection(files []bindFile, always bool) ([]corev1.KeyToPath, *int32) {
	sameMode, flat := true, true
	for _, f := range files {
		sameMode = sameMode && f.mode == files[0].mode
		flat = flat && f.key == f.path
	}
	var defaultMode *int32
	if len(files) > 0 && sameMode && files[0].mode != defaultFileMode {
		m := int32(files[0].mode)
		defaultMode = &m
	}
	if flat && sameMode && !always {
		return nil, defaultMode
	}
	items := make([]corev1.KeyToPath, 0, len(files))
	for _, f := range files {
		item := corev1.KeyToPath{Key: f.key, Path: f.path}
		if !sameMode && f.mode != defaultFileMode {
			m := int32(f.mode)
			item.Mode = &m
		}
		items = append(items, item)
	}
	return items, defaultMode
}

// shownPath is a host path as the user wrote it: relative to the project directory
// when it lies under it.
func (c *converter) shownPath(path string) string {
	if rel, err := filepath.Rel(c.p.WorkingDir, path); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
		return "./" + filepath.ToSlash(rel)
	}
	return path
}
