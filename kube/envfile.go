package kube

import (
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// envFile carries a service's env_file entries as a ConfigMap the container reads
// with envFrom, and returns the variables of environment: that are not already the
// file's (those stay in env, which wins over envFrom as environment: wins in compose).
// ConfigMap values are not $(VAR)-expanded, so they need no escaping.
func (c *converter) envFile(s types.ServiceConfig, ctr *corev1.Container) (types.MappingWithEquals, error) {
	if len(s.EnvFiles) == 0 {
		return s.Environment, nil
	}
	var paths []string
	for _, f := range s.EnvFiles {
		if f.Format != "" {
			return nil, fmt.Errorf("field \"env_file\": %s: format %q is not supported on Kubernetes", f.Path, f.Format)
		}
		if _, err := os.Stat(f.Path); err != nil && !bool(f.Required) {
			continue
		}
		paths = append(paths, f.Path)
	}
	fromFiles, err := dotenv.GetEnvFromFile(c.p.Environment, paths)
	if err != nil {
		return nil, fmt.Errorf("field \"env_file\": %w", err)
	}
	data := map[string][]byte{}
	rest := types.MappingWithEquals{}
	for k, v := range s.Environment {
		fv, inFile := fromFiles[k]
		if inFile && v != nil && *v == fv && len(validation.IsEnvVarName(k)) == 0 {
			data[k] = []byte(fv)
			continue
		}
		rest[k] = v
	}
	if len(data) == 0 {
		return rest, nil
	}
	name := objectName(s.Name + "-env")
	if err := c.add(configMap(c.meta(name, s.Name), data), fmt.Sprintf("service %q env_file", s.Name)); err != nil {
		return nil, err
	}
	ctr.EnvFrom = append(ctr.EnvFrom, corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: name}}})
	return rest, nil
}
