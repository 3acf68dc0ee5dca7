package containerd

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/core/remotes/docker/config"
	"github.com/containerd/errdefs"
	"github.com/pelletier/go-toml/v2"
)

// hostsFile is the part of a hosts.toml (containerd's hosts dir) that names TLS
// CA files: for the registry's own server, and for each host. A CA is one path or
// a list of them, relative to the file's directory unless absolute.
type hostsFile struct {
	Server string              `toml:"server"`
	CA     any                 `toml:"ca"`
	Hosts  map[string]hostsCAs `toml:"host"`
}

type hostsCAs struct {
	CA any `toml:"ca"`
}

// registryCAFiles reads the CA files the hosts dir gives the hosts that serve
// registry, by host[:port] as builder.Endpoint names them. containerd makes the
// TLS configuration of a pull from them, but keeps no paths a buildkitd.toml
// could name, so they are read from hosts.toml again here.
func (r *Runtime) registryCAFiles(registry string) (map[string][]string, error) {
	dir, err := config.HostDirFromRoot(r.hostsDir())(registry)
	if errdefs.IsNotFound(err) || err == nil && dir == "" {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	text, err := os.ReadFile(filepath.Join(dir, "hosts.toml"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var f hostsFile
	if err := toml.Unmarshal(text, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "hosts.toml"), err)
	}
	out := map[string][]string{}
	add := func(server string, ca any) error {
		if ca == nil {
			return nil
		}
		if !strings.Contains(server, "://") {
			server = "https://" + server // a host without its scheme, as containerd takes it
		}
		u, err := url.Parse(server)
		if err != nil || u.Host == "" {
			return fmt.Errorf("%s: host %q is not a URL", filepath.Join(dir, "hosts.toml"), server)
		}
		var paths []string
		switch v := ca.(type) {
		case string:
			paths = []string{v}
		case []any:
			for _, p := range v {
				if s, ok := p.(string); ok {
					paths = append(paths, s)
				}
			}
		}
		for _, p := range paths {
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			out[u.Host] = append(out[u.Host], p)
		}
		return nil
	}
	server := f.Server
	if server == "" {
		server = "https://" + registry
	}
	if err := add(server, f.CA); err != nil {
		return nil, err
	}
	for host, h := range f.Hosts {
		if err := add(host, h.CA); err != nil {
			return nil, err
		}
	}
	return out, nil
}
