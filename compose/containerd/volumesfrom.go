package containerd

import (
	"context"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"berth.dev/berth/compose"
)

// volumesFromMounts are the volumes and bind mounts of the containers volumes_from
// names, at the same places, read-only where it says ro; but not where the service
// mounts something itself (a service's named volumes it has from the file).
func (r *Runtime) volumesFromMounts(ctx context.Context, s types.ServiceConfig, from []compose.VolumesFrom) ([]specs.Mount, error) {
	var out []specs.Mount
	own := map[string]bool{}
	for _, v := range s.Volumes {
		own[v.Target] = true
	}
	for _, f := range from {
		c, err := r.client.LoadContainer(ctx, f.ID)
		if err != nil {
			return nil, err
		}
		labels, err := c.Labels(ctx)
		if err != nil {
			return nil, err
		}
		spec, err := c.Spec(ctx)
		if err != nil {
			return nil, err
		}
		targets := strings.Split(labels[labelMountTargets], ",")
		for _, m := range spec.Mounts {
			if !slices.Contains(targets, m.Destination) || own[m.Destination] {
				continue
			}
			own[m.Destination] = true
			if f.ReadOnly {
				opts := slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool { return o == "rw" || o == "ro" })
				m.Options = append(opts, "ro")
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// mountTargets lists where a container's volumes and binds are, its own and those it
// took from other containers, for a later volumes_from of it.
func mountTargets(s types.ServiceConfig, shared []specs.Mount) string {
	var targets []string
	for _, v := range s.Volumes {
		targets = append(targets, v.Target)
	}
	for _, m := range shared {
		targets = append(targets, m.Destination)
	}
	return strings.Join(targets, ",")
}
