package project

import (
	"fmt"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
)

// ContainerName is the name docker compose gives replica n of a service:
// container_name when set, else <project>-<service>-<n>.
func ContainerName(projectName string, s types.ServiceConfig, n int) string {
	if s.ContainerName != "" {
		return s.ContainerName
	}
	return fmt.Sprintf("%s-%s-%d", projectName, s.Name, n)
}

// OneOffName names a one-off container of `run`.
func OneOffName(projectName, service, suffix string) string {
	return fmt.Sprintf("%s-%s-run-%s", projectName, service, suffix)
}

// Replicas is how many containers a service wants: scale, else deploy.replicas, else 1.
func Replicas(s types.ServiceConfig) int {
	if s.Scale != nil {
		return *s.Scale
	}
	if s.Deploy != nil && s.Deploy.Replicas != nil {
		return *s.Deploy.Replicas
	}
	return 1
}

// NetworkName is the name of a project network on the host: its name: field, which
// compose-go fills with <project>_<key> unless the file set it.
func NetworkName(p *types.Project, key string) string {
	if n, ok := p.Networks[key]; ok && n.Name != "" {
		return n.Name
	}
	return p.Name + "_" + key
}

// VolumeName is likewise the host name of a project volume.
func VolumeName(p *types.Project, key string) string {
	if v, ok := p.Volumes[key]; ok && v.Name != "" {
		return v.Name
	}
	return p.Name + "_" + key
}

// Number reads a container-number label; 0 when absent or bad.
func Number(labels map[string]string) int {
	n, _ := strconv.Atoi(labels[LabelNumber])
	return n
}
