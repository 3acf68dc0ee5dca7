package project

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// BuildFields classifies the fields of a service's build: section. berth builds with
// BuildKit (at BUILDKIT_HOST, else a buildkitd of berth's own), or with buildah on
// request; what the builder cannot do is refused by name.
var BuildFields = map[string]Support{
	"context": {Supported: true, Note: "a directory; Git and other URLs not yet"}, "dockerfile": yes,
	"dockerfile_inline": yes, "args": yes, "target": yes, "labels": yes, "tags": yes,
	"no_cache": yes, "pull": yes, "shm_size": {Supported: true, Note: "with buildah, RUN steps then run in a runc container of buildah's"},
	"network":             {Supported: true, Note: "default and host share the host's network with RUN steps; none gives them none"},
	"extra_hosts":         {Supported: true, Note: "host:ip; host-gateway is the host as RUN steps reach it (they share its network)"},
	"secrets":             {Supported: true, Note: "file and environment secrets, for RUN --mount=type=secret"},
	"ssh":                 {Supported: true, Note: "default needs an agent (SSH_AUTH_SOCK); or id=key file"},
	"platforms":           {Supported: true, Note: "the host's platform only"},
	"cache_from":          {Supported: true, Note: "BuildKit: type=registry, type=local, a bare image reference; buildah: one registry repository"},
	"cache_to":            {Supported: true, Note: "BuildKit: type=registry, type=local, type=inline, a bare image reference; buildah: one registry repository"},
	"additional_contexts": {Supported: true, Note: "directories and docker-image://; service: and URLs not yet"},
	"ulimits":             yes,
	"entitlements":        notYet, "isolation": notYet,
	"no_cache_filter": notYet, "privileged": notYet, "provenance": notYet, "sbom": notYet,
}

// HostPlatform is the only platform berth builds for: the host's.
var HostPlatform = "linux/" + runtime.GOARCH

// checkBuild refuses the parts of a build: section berth cannot build.
func checkBuild(p *types.Project, s types.ServiceConfig) error {
	b := s.Build
	if b == nil {
		return nil
	}
	if f, why, bad := unsupported(reflect.ValueOf(*b), BuildFields); bad {
		return fmt.Errorf("field \"build.%s\" is %s", f, why)
	}
	if strings.Contains(b.Context, "://") || strings.HasPrefix(b.Context, "git@") {
		return fmt.Errorf("field \"build.context\": %q: only a directory is supported yet", b.Context)
	}
	for name, ctx := range b.AdditionalContexts {
		if strings.Contains(ctx, "://") && !strings.HasPrefix(ctx, "docker-image://") || strings.HasPrefix(ctx, types.ServicePrefix) || strings.HasPrefix(ctx, "git@") {
			return fmt.Errorf("field \"build.additional_contexts.%s\": %q: only a directory or docker-image:// is supported yet", name, ctx)
		}
	}
	if err := checkBuildCache(b.CacheFrom, b.CacheTo); err != nil {
		return err
	}
	switch b.Network {
	case "", "default", "host", "none":
	default:
		return fmt.Errorf("field \"build.network\": %q is not supported: use default, host or none", b.Network)
	}
	for _, pl := range b.Platforms {
		if pl != HostPlatform {
			return fmt.Errorf("field \"build.platforms\": %q: berth builds for this host's platform only (%s)", pl, HostPlatform)
		}
	}
	for _, sec := range b.Secrets {
		src, ok := p.Secrets[sec.Source]
		if !ok {
			return fmt.Errorf("field \"build.secrets\": no secret %q at the top level", sec.Source)
		}
		if src.File == "" && src.Environment == "" {
			return fmt.Errorf("field \"build.secrets\": secret %q: only file and environment secrets can be given to a build", sec.Source)
		}
	}
	for _, key := range b.SSH {
		if key.ID == "default" && key.Path == "" {
			continue
		}
		if key.Path == "" {
			return fmt.Errorf("field \"build.ssh\": %q: give default or id=path-to-key", key.ID)
		}
	}
	return nil
}

// ImageName is the image a service runs: its image:, else the name docker compose
// gives the image it builds, <project>-<service>.
func ImageName(projectName string, s types.ServiceConfig) string {
	if s.Image != "" {
		return s.Image
	}
	return projectName + "-" + s.Name
}

// BuildsOwnImage says whether the service's image exists only by being built: it
// has a build: section and no image: of its own to pull.
func BuildsOwnImage(p *types.Project, s types.ServiceConfig) bool {
	return s.Build != nil && s.Image == p.Name+"-"+s.Name
}

// nameBuiltImages gives every service that builds and names no image the name
// docker compose gives it, so that every verb finds the image under one name.
func nameBuiltImages(p *types.Project) {
	for name, s := range p.Services {
		if s.Build != nil && s.Image == "" {
			s.Image = ImageName(p.Name, s)
			p.Services[name] = s
		}
	}
}
