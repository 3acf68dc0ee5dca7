package compose

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/format"
	"berth.dev/berth/project"
)

// ProjectVolumes is `volumes`: the project's volumes, or those the named services
// mount.
func (e *Engine) ProjectVolumes(ctx context.Context, p *types.Project, services []string) ([]format.VolumeRow, error) {
	if err := checkServices(p, services); err != nil {
		return nil, err
	}
	vols, err := e.Runtime.Volumes(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	if len(services) > 0 {
		_, keys := resourcesOf(p, services)
		used := map[string]bool{}
		for _, k := range keys {
			used[project.VolumeName(p, k)] = true
		}
		var kept []Volume
		for _, v := range vols {
			if used[v.Name] {
				kept = append(kept, v)
			}
		}
		vols = kept
	}
	return volumeRows(vols), nil
}
