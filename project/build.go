package project

import (
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// BuildFields classifies the fields of a service's build: section. berth builds with
// BuildKit (at BUILDKIT_HOST, else a buildkitd of berth's own), or with buildah on
// request; what the builder cannot do is refused by name.
var BuildFields = map[string]Support{
	"context": {Supported: true, Note: "a directory, or with BuildKit a Git URL (https://…git#ref:dir, git@…, git://…) or an HTTP URL"}, "dockerfile": yes,
	"dockerfile_inline": yes, "args": yes, "target": yes, "labels": yes, "tags": yes,
	"no_cache": yes, "pull": yes, "shm_size": {Supported: true, Note: "with buildah, RUN steps then run in a runc container of buildah's"},
	"network":             {Supported: true, Note: "default and host share the host's network with RUN steps; none gives them none"},
	"extra_hosts":         {Supported: true, Note: "host:ip; host-gateway is the host as RUN steps reach it (they share its network)"},
	"secrets":             {Supported: true, Note: "file and environment secrets, for RUN --mount=type=secret"},
	"ssh":                 {Supported: true, Note: "default needs an agent (SSH_AUTH_SOCK); or id=key file"},
	"platforms":           {Supported: true, Note: "the host's platform only"},
	"cache_from":          {Supported: true, Note: "BuildKit: type=registry, type=local, a bare image reference; buildah: one registry repository"},
	"cache_to":            {Supported: true, Note: "BuildKit: type=registry, type=local, type=inline, a bare image reference; buildah: one registry repository"},
	"additional_contexts": {Supported: true, Note: "directories and docker-image://; with BuildKit also service: (built first) and Git or HTTP URLs"},
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
	if IsRemoteContext(b.Context) && !isURLContext(b.Context) {
		return fmt.Errorf("field \"build.context\": %q: a directory, a Git URL or an HTTP URL", b.Context)
	}
	for _, name := range slices.Sorted(maps.Keys(b.AdditionalContexts)) {
		ctx := b.AdditionalContexts[name]
		if IsRemoteContext(ctx) && !isURLContext(ctx) && !strings.HasPrefix(ctx, "docker-image://") && !strings.HasPrefix(ctx, types.ServicePrefix) {
			return fmt.Errorf("field \"build.additional_contexts.%s\": %q: a directory, docker-image://, service: or a Git or HTTP URL", name, ctx)
		}
	}
	if cycle := buildCycle(p, s.Name); cycle != nil && slices.Min(cycle) == s.Name {
		return fmt.Errorf("field \"build.additional_contexts\": service: contexts make a cycle: %s", strings.Join(append(cycle, s.Name), " -> "))
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

// IsRemoteContext says whether a build context is not a directory of this host: a
// URL (https://, git://, docker-image:// …), an scp-like Git address (git@host:repo)
// or a service's image (service:NAME).
func IsRemoteContext(ctx string) bool {
	return strings.Contains(ctx, "://") || strings.HasPrefix(ctx, "git@") || strings.HasPrefix(ctx, types.ServicePrefix)
}

// isURLContext says whether a context is one BuildKit fetches itself: a Git
// repository (https://…git#ref:dir, git://, ssh://, git@host:repo) or a file or
// archive over HTTP.
func isURLContext(ctx string) bool {
	for _, prefix := range []string{"https://", "http://", "git://", "ssh://", "git@"} {
		if strings.HasPrefix(ctx, prefix) {
			return true
		}
	}
	return false
}

// BuildDependencies are the services whose images a service's build takes as
// additional contexts (service:NAME), sorted: their builds come first.
func BuildDependencies(s types.ServiceConfig) []string {
	if s.Build == nil {
		return nil
	}
	var deps []string
	for _, ctx := range s.Build.AdditionalContexts {
		if dep, ok := strings.CutPrefix(ctx, types.ServicePrefix); ok {
			deps = append(deps, dep)
		}
	}
	slices.Sort(deps)
	return slices.Compact(deps)
}

// buildCycle is a path of service: contexts that leads from service start back
// to it (start first), or nil when there is none.
func buildCycle(p *types.Project, start string) []string {
	seen := map[string]bool{}
	var walk func(name string, path []string) []string
	walk = func(name string, path []string) []string {
		for _, dep := range BuildDependencies(p.Services[name]) {
			if dep == start {
				return path
			}
			if seen[dep] {
				continue
			}
			seen[dep] = true
			if found := walk(dep, append(path, dep)); found != nil {
				return found
			}
		}
		return nil
	}
	return walk(start, []string{start})
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
