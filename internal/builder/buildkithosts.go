package builder

import (
	"net"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// hostsDirUnfollowed lists the registries among hosts for which berth's registry
// configuration (the hosts dir) says more than containerd's defaults: mirrors,
// plain HTTP or skipped verification off this host, TLS files, limited hosts. A
// buildkitd reaches registries as its own buildkitd.toml says, so a BuildKit build
// names these rather than leave the difference unsaid.
func hostsDirUnfollowed(lookup RegistryLookup, hosts []string) []string {
	if lookup == nil {
		return nil
	}
	slices.Sort(hosts)
	var out []string
	for _, h := range slices.Compact(hosts) {
		if reg, err := lookup(h); err != nil || !isDefaultRegistry(reg) {
			out = append(out, h)
		}
	}
	return out
}

// isDefaultRegistry says whether reg is what containerd does for its host with no
// hosts.toml: the host itself, over HTTPS, or plain HTTP on the loopback.
func isDefaultRegistry(reg Registry) bool {
	if len(reg.Endpoints) != 1 {
		return false
	}
	ep := reg.Endpoints[0]
	return ep.Host == reg.Host && !ep.DigestOnly && len(ep.Certs) == 0 && ep.Insecure == isLoopback(reg.Host)
}

func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// buildkitdRegistry is a [registry."host"] section of buildkitd.toml.
type buildkitdRegistry struct {
	Mirrors  []string `toml:"mirrors,omitempty"`
	HTTP     *bool    `toml:"http,omitempty"`
	Insecure *bool    `toml:"insecure,omitempty"`
	CAs      []string `toml:"ca,omitempty"`
}

// BuildkitdRegistries is the registry part of a buildkitd.toml that reaches regs
// as berth's hosts dir says, so that base images and # syntax= frontends come
// through the same mirrors, plain-HTTP hosts and CAs as every pull; and the
// registries it follows so. A registry the hosts dir gives something
// buildkitd.toml cannot say (client certificates, digest-only hosts, no host at
// all) is left out, and a build that reaches it says so (see hostsDirUnfollowed).
//
// The hosts other than the registry itself are its mirrors, tried in order; when
// the hosts dir names no host of the registry's own (server = elsewhere), BuildKit
// still tries the registry after them, where containerd would stop.
func BuildkitdRegistries(regs []Registry) (config string, followed []string, err error) {
	sections := map[string]*buildkitdRegistry{}
	section := func(host string) *buildkitdRegistry {
		if sections[host] == nil {
			sections[host] = &buildkitdRegistry{}
		}
		return sections[host]
	}
	yes, no := true, false
	for _, reg := range regs {
		if len(reg.Endpoints) == 0 || slices.ContainsFunc(reg.Endpoints, unsayable) {
			continue
		}
		var mirrors []string
		for _, ep := range reg.Endpoints {
			if ep.Host != reg.Host {
				mirrors = append(mirrors, ep.Host)
			}
			s := section(ep.Host)
			switch {
			case ep.Insecure:
				// HTTPS unverified, falling back to plain HTTP: as containerd's
				// insecure hosts.
				s.HTTP, s.Insecure = &yes, &yes
			case isLoopback(ep.Host) && s.HTTP == nil:
				s.HTTP = &no // BuildKit would take a loopback host for plain HTTP
			}
			for _, ca := range ep.CAFiles {
				if !slices.Contains(s.CAs, ca) {
					s.CAs = append(s.CAs, ca)
				}
			}
		}
		section(reg.Host).Mirrors = mirrors
		followed = append(followed, reg.Host)
	}
	if len(sections) == 0 {
		return "", nil, nil
	}
	text, err := toml.Marshal(map[string]any{"registry": sections})
	if err != nil {
		return "", nil, err
	}
	slices.Sort(followed)
	return string(text), followed, nil
}

// unsayable says whether buildkitd.toml cannot say how the hosts dir reaches an
// endpoint: by digest only, with a client certificate, or with a CA whose file is
// not known.
func unsayable(ep Endpoint) bool {
	for _, c := range ep.Certs {
		if c != "ca" || len(ep.CAFiles) == 0 {
			return true
		}
	}
	return ep.DigestOnly
}
