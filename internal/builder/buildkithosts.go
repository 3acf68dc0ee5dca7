package builder

import (
	"net"
	"slices"
	"strings"
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
