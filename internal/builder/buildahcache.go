package builder

import (
	"fmt"
	"maps"
	"slices"

	"github.com/distribution/reference"
)

// checkBuildahCache refuses the cache entries buildah cannot take. buildah 1.28
// (Debian's) reads and writes its layer cache in one registry repository per
// direction, tagging the layers itself: a bare repository, or type=registry with
// ref= and nothing else.
func checkBuildahCache(spec Spec) error {
	for field, caches := range map[string][]Cache{"cache_from": spec.CacheFrom, "cache_to": spec.CacheTo} {
		if len(caches) > 1 {
			return fmt.Errorf("build.%s: buildah takes one cache repository, not %d (BuildKit takes several)", field, len(caches))
		}
		for _, c := range caches {
			if c.Type != "registry" {
				return fmt.Errorf("build.%s: type=%s is not supported by buildah, only a registry repository (BuildKit takes it)", field, c.Type)
			}
			if extra := slices.DeleteFunc(slices.Sorted(maps.Keys(c.Attrs)), func(k string) bool { return k == "ref" }); len(extra) > 0 {
				return fmt.Errorf("build.%s: %s= is not supported by buildah, only ref= (BuildKit takes it)", field, extra[0])
			}
			named, err := reference.ParseNormalizedNamed(c.Attrs["ref"])
			if err != nil {
				return fmt.Errorf("build.%s: %q: %w", field, c.Attrs["ref"], err)
			}
			if !reference.IsNameOnly(named) {
				return fmt.Errorf("build.%s: %q: buildah takes a repository without a tag or digest: it tags the cached layers itself", field, c.Attrs["ref"])
			}
		}
	}
	return nil
}

// cacheRegistries lists the registry hosts of cache entries.
func cacheRegistries(caches ...[]Cache) []string {
	var hosts []string
	for _, list := range caches {
		for _, c := range list {
			if named, err := reference.ParseNormalizedNamed(c.Attrs["ref"]); c.Type == "registry" && err == nil {
				hosts = append(hosts, reference.Domain(named))
			}
		}
	}
	return hosts
}
