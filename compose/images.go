package compose

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	listing "berth.dev/berth/internal/format"
	"berth.dev/berth/project"
)

type imageEntry struct {
	ContainerName string `json:"ContainerName"`
	Repository    string `json:"Repository"`
	Tag           string `json:"Tag"`
	ID            string `json:"ID"`
}

// Images lists the images the project's containers run.
func (e *Engine) Images(ctx context.Context, p *types.Project, services []string, format string, quiet bool) error {
	if err := checkServices(p, services); err != nil {
		return err
	}
	cs, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return err
	}
	var out []imageEntry
	for _, c := range serviceContainers(cs, services) {
		repo, tag := splitTag(c.Image)
		out = append(out, imageEntry{ContainerName: c.Name, Repository: repo, Tag: tag, ID: shortDigest(c.ImageDigest)})
	}
	switch {
	case quiet:
		seen := map[string]bool{}
		for _, i := range out {
			if !seen[i.ID] {
				seen[i.ID] = true
				fmt.Fprintln(e.Out, i.ID)
			}
		}
		return nil
	case format == "json":
		// docker compose images prints one JSON array.
		if out == nil {
			out = []imageEntry{}
		}
		return json.NewEncoder(e.Out).Encode(out)
	}
	if err := listing.ImagesListing.Check(format); err != nil {
		return fmt.Errorf("%w: %w", project.ErrInvalid, err)
	}
	return listing.ImagesListing.Write(e.Out, format, out)
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
