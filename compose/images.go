package compose

import (
	"context"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/format"
)

// Images lists the images the project's containers run, one row per container.
func (e *Engine) Images(ctx context.Context, p *types.Project, services []string) ([]format.ImageRow, error) {
	if err := checkServices(p, services); err != nil {
		return nil, err
	}
	cs, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	var out []format.ImageRow
	for _, c := range serviceContainers(cs, services) {
		repo, tag := splitTag(c.Image)
		out = append(out, format.ImageRow{ContainerName: c.Name, Repository: repo, Tag: tag, ID: shortDigest(c.ImageDigest)})
	}
	return out, nil
}

// splitTag splits "host:5000/name:tag" at the tag's colon, not the port's.
func splitTag(ref string) (string, string) {
	if at := strings.Index(ref, "@"); at >= 0 {
		ref = ref[:at]
	}
	slash := strings.LastIndex(ref, "/")
	if colon := strings.LastIndex(ref, ":"); colon > slash {
		return ref[:colon], ref[colon+1:]
	}
	return ref, "latest"
}

func shortDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) > 12 {
		return d[:12]
	}
	return d
}
