package builder

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Registry says how a build reaches one registry: the endpoints that serve its
// images, tried in order, as berth's registry configuration says (the hosts.toml
// files pulls follow too).
type Registry struct {
	Host string // as image references name it: "docker.io", "127.0.0.1:5050"
	// Endpoints are tried in order, the last one the registry's own location (which
	// may be another host); none: pulls from the registry are refused.
	Endpoints []Endpoint
}

// Endpoint is one host that serves a registry's images.
type Endpoint struct {
	Host       string // host[:port]
	Insecure   bool   // plain HTTP, or TLS with a certificate no one verifies
	DigestOnly bool   // serves pulls by digest only, never resolves a tag
	// Certs names the TLS files the registry configuration gives the host ("ca",
	// "client"): buildah reads its own, from a certs.d directory of the host.
	Certs []string
	// CAFiles are the paths of the "ca" files, where known: berth's buildkitd
	// takes them.
	CAFiles []string
}

// RegistryLookup gives the Registry of a host.
type RegistryLookup func(host string) (Registry, error)

// registriesFile is buildah's registry configuration, containers-registries.conf(5)
// version 2.
type registriesFile struct {
	// Short names are Docker Hub's, as docker reads them.
	UnqualifiedSearch []string        `toml:"unqualified-search-registries"`
	Registries        []registryEntry `toml:"registry"`
}

type registryEntry struct {
	Prefix   string        `toml:"prefix"`
	Location string        `toml:"location,omitempty"`
	Insecure bool          `toml:"insecure"`
	Blocked  bool          `toml:"blocked,omitempty"`
	Mirrors  []mirrorEntry `toml:"mirror,omitempty"`
}

type mirrorEntry struct {
	Location       string `toml:"location"`
	Insecure       bool   `toml:"insecure"`
	PullFromMirror string `toml:"pull-from-mirror,omitempty"`
}

// registriesConf is the registries.conf text for these registries: the last
// endpoint is the registry's location, the others its mirrors, tried first.
func registriesConf(regs []Registry) ([]byte, error) {
	f := registriesFile{UnqualifiedSearch: []string{"docker.io"}}
	for _, r := range regs {
		e := registryEntry{Prefix: r.Host}
		if len(r.Endpoints) == 0 {
			e.Blocked = true
			f.Registries = append(f.Registries, e)
			continue
		}
		for _, ep := range r.Endpoints {
			if err := haveCertDir(r.Host, ep); err != nil {
				return nil, err
			}
		}
		last := r.Endpoints[len(r.Endpoints)-1]
		if last.DigestOnly {
			return nil, fmt.Errorf("registry %s: its last host %s resolves no tags (capabilities without \"resolve\"): buildah cannot build from it so", r.Host, last.Host)
		}
		e.Location, e.Insecure = last.Host, last.Insecure
		for _, m := range r.Endpoints[:len(r.Endpoints)-1] {
			mirror := mirrorEntry{Location: m.Host, Insecure: m.Insecure}
			if m.DigestOnly {
				mirror.PullFromMirror = "digest-only"
			}
			e.Mirrors = append(e.Mirrors, mirror)
		}
		f.Registries = append(f.Registries, e)
	}
	return toml.Marshal(f)
}

// certDirs are where buildah looks for a registry host's own TLS files, in a
// directory named host[:port] (containers-certs.d(5)).
var certDirs = []string{"/etc/containers/certs.d", "/etc/docker/certs.d"}

// haveCertDir refuses an endpoint whose TLS files buildah would not find.
func haveCertDir(registry string, ep Endpoint) error {
	if len(ep.Certs) == 0 {
		return nil
	}
	for _, dir := range certDirs {
		if st, err := os.Stat(filepath.Join(dir, ep.Host)); err == nil && st.IsDir() {
			return nil
		}
	}
	return fmt.Errorf("registry %s: host %s: %s: buildah takes no certificate from hosts.toml: put the same files in %s/%s/ (ca.crt, client.cert, client.key) for builds",
		registry, ep.Host, strings.Join(ep.Certs, ", "), certDirs[0], ep.Host)
}

// writeRegistriesConf looks up the registries of hosts and writes their
// registries.conf to a temporary file; remove removes it.
func writeRegistriesConf(lookup RegistryLookup, hosts []string) (path string, remove func(), err error) {
	slices.Sort(hosts)
	var regs []Registry
	for _, h := range slices.Compact(hosts) {
		r, err := lookup(h)
		if err != nil {
			return "", nil, err
		}
		regs = append(regs, r)
	}
	text, err := registriesConf(regs)
	if err != nil {
		return "", nil, err
	}
	f, err := os.CreateTemp("", "berth-registries-*.conf")
	if err != nil {
		return "", nil, err
	}
	remove = func() { os.Remove(f.Name()) }
	_, err = f.Write(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		remove()
		return "", nil, fmt.Errorf("write the build's registries.conf: %w", err)
	}
	return f.Name(), remove, nil
}
