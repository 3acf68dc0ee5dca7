package project

import (
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/compose-spec/compose-go/v2/utils"
)

// EnvCompatibility is docker compose's variable for what --compatibility asks: the
// names docker compose v1 gave containers, with "_" between their parts.
const EnvCompatibility = "COMPOSE_COMPATIBILITY"

// separator joins the parts of a container's name: "-", or "_" in compatibility mode.
func separator(p *types.Project) string {
	if utils.StringToBool(p.Environment[EnvCompatibility]) {
		return "_"
	}
	return "-"
}

// ContainerName is the name docker compose gives replica n of a service:
// container_name when set, else <project>-<service>-<n>.
func ContainerName(p *types.Project, s types.ServiceConfig, n int) string {
	if s.ContainerName != "" {
		return s.ContainerName
	}
	return strings.Join([]string{p.Name, s.Name, strconv.Itoa(n)}, separator(p))
}

// OneOffName names a one-off container of `run`.
func OneOffName(p *types.Project, service, suffix string) string {
	return strings.Join([]string{p.Name, service, "run", suffix}, separator(p))
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
