package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// kindOrder applies what others refer to first: files and claims, then names and
// policies, then the workloads that use them.
var kindOrder = map[string]int{
	"Secret": 0, "ConfigMap": 1, "PersistentVolumeClaim": 2, "Service": 3, "NetworkPolicy": 4,
	"Ingress": 5, "Job": 6, "StatefulSet": 7, "Deployment": 8,
}

func sortObjects(objs []Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		ki, kj := objs[i].GetObjectKind().GroupVersionKind().Kind, objs[j].GetObjectKind().GroupVersionKind().Kind
		if ki != kj {
			return kindOrder[ki] < kindOrder[kj]
		}
		return objs[i].GetName() < objs[j].GetName()
	})
}

// Unstructured is an object as plain maps, with what a typed object prints but nobody
// wrote (creationTimestamp: null, status) left out, so the output is the intent.
func Unstructured(obj Object) (map[string]any, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	prune(m)
	delete(m, "status") // what the cluster reports, never what berth asks for
	return m, nil
}

// prune drops null values, recursively. Empty maps stay: `emptyDir: {}` means something.
func prune(m map[string]any) {
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			prune(x)
		case []any:
			for _, e := range x {
				if em, ok := e.(map[string]any); ok {
					prune(em)
				}
			}
		}
	}
}

// YAML writes objects as one YAML stream; keys are sorted, so equal input gives equal
// bytes.
func YAML(objs []Object) ([]byte, error) {
	var b bytes.Buffer
	for i, obj := range objs {
		m, err := Unstructured(obj)
		if err != nil {
			return nil, err
		}
		y, err := yaml.Marshal(m)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	return b.Bytes(), nil
}

// JSON writes objects as one v1 List, indented.
func JSON(objs []Object) ([]byte, error) {
	items := make([]any, 0, len(objs))
	for _, obj := range objs {
		m, err := Unstructured(obj)
		if err != nil {
			return nil, err
		}
		items = append(items, m)
	}
	b, err := json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// FileName is an object's file in `convert -o DIR`: kind and name, unique per project.
func FileName(obj Object) string {
	return fmt.Sprintf("%s-%s.yaml", strings.ToLower(obj.GetObjectKind().GroupVersionKind().Kind), obj.GetName())
}

// WriteDir writes one file per object, named by FileName, into a fresh or existing
// directory, replacing only the files of these objects: what `convert -o DIR` does.
func WriteDir(dir string, objs []Object) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, obj := range objs {
		b, err := YAML([]Object{obj})
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, FileName(obj)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// isText says whether bytes can be a ConfigMap's data (UTF-8) or need binaryData.
func isText(b []byte) bool { return utf8.Valid(b) && !bytes.ContainsRune(b, 0) }
