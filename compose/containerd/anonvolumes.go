package containerd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"berth.dev/berth/compose"
)

// labelAnonymous marks an anonymous volume, as Docker does.
const labelAnonymous = "com.docker.volume.anonymous"

// withAnonymousVolumes gives each anonymous volume of the service (a volume entry
// without a source) and each VOLUME of its image that nothing else is mounted on a
// volume of its own (nor taken from another container by volumes_from), as Docker does, and returns the service with those volumes as
// named entries, the volume keys with them, and the names of those volumes. The name follows from the container's
// name and the path, so a recreated container keeps its volumes (unless renew); it
// belongs to the project, so down -v removes it.
func (r *Runtime) withAnonymousVolumes(ctx context.Context, req compose.CreateRequest, img ocispec.ImageConfig, fromOthers []specs.Mount) (types.ServiceConfig, map[string]string, []string, error) {
	s := req.Service
	keys := map[string]string{}
	for k, v := range req.Volumes {
		keys[k] = v
	}
	taken := map[string]bool{}
	for _, v := range s.Volumes {
		taken[path.Clean(v.Target)] = true
	}
	for _, t := range s.Tmpfs {
		target, _, _ := strings.Cut(t, ":")
		taken[path.Clean(target)] = true
	}
	for _, m := range fromOthers {
		taken[path.Clean(m.Destination)] = true
	}
	var imageTargets []string
	for t := range img.Volumes {
		if !taken[path.Clean(t)] {
			imageTargets = append(imageTargets, path.Clean(t))
		}
	}
	sort.Strings(imageTargets)
	vols := append([]types.ServiceVolumeConfig{}, s.Volumes...)
	var made []string
	for _, t := range imageTargets {
		vols = append(vols, types.ServiceVolumeConfig{Type: types.VolumeTypeVolume, Target: t})
	}
	for i, v := range vols {
		if v.Type != types.VolumeTypeVolume || v.Source != "" {
			continue
		}
		name := anonymousVolumeName(req.Project.Name, req.Name, v.Target)
		if req.RenewAnonymous {
			if err := r.RemoveVolume(ctx, name); err != nil && err != compose.ErrNotFound {
				return s, nil, nil, err
			}
		}
		labels := map[string]string{labelAnonymous: ""}
		if v.Volume != nil {
			for k, val := range v.Volume.Labels {
				labels[k] = val
			}
		}
		err := r.EnsureVolume(ctx, compose.Volume{Name: name, Project: req.Project.Name, Labels: labels})
		if err != nil {
			return s, nil, nil, err
		}
		vols[i].Source, keys[name] = name, name
		made = append(made, name)
	}
	s.Volumes = vols
	return s, keys, made, nil
}

// anonymousVolumeName is 64 hex digits like Docker's, fixed by the container and path.
func anonymousVolumeName(project, container, target string) string {
	sum := sha256.Sum256([]byte(project + "\x00" + container + "\x00" + path.Clean(target)))
	return hex.EncodeToString(sum[:])
}
