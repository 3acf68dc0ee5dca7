package main

import (
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/loader"

	berthctr "berth.dev/berth/compose/containerd"
)

// remoteLoaders read the compose files -f names by URL: oci://REF, a project
// that publish pushed, fetched into the user's cache directory as docker compose
// does (BERTH_CACHE_DIR overrides it).
func (g *globals) remoteLoaders() []loader.ResourceLoader {
	cache := os.Getenv("BERTH_CACHE_DIR")
	if cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		cache = filepath.Join(dir, "berth")
	}
	return []loader.ResourceLoader{&berthctr.ArtifactLoader{HostsDir: g.hostsDir, CacheDir: filepath.Join(cache, "oci")}}
}
