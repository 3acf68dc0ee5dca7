package resolver

import (
	"berth.dev/berth/internal/statefile"

	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"berth.dev/berth/network"
)

// shortIDLen is how much of a container ID answers as a name, as docker does.
const shortIDLen = 12

// Records is the resolver's view of the state directory: which container has which
// address on which network, and the names each address answers to. A Records is never
// changed after it is built, so lookups need no lock.
type Records struct {
	networks map[string]network.Network
	// clients maps an endpoint's address (on any of its networks) to the networks of
	// that endpoint: what a query from that address may see.
	clients map[netip.Addr][]string
	// names maps network → lower-case name → the addresses answering to it there.
	names map[string]map[string][]netip.Addr
	// upstream maps an endpoint's address to the upstream servers it asked for.
	upstream map[netip.Addr][]string
	// links maps an endpoint's address to its own aliases (compose's links): lower-case
	// alias → the lower-case name it stands for on the endpoint's networks.
	links map[netip.Addr]map[string]string
	// ptr maps network → address → the container name answering for it there.
	ptr map[string]map[netip.Addr]string
}

// LoadRecords reads <stateDir>/networks/*.json and <stateDir>/endpoints/*.json. A missing
// directory is empty and an unreadable or malformed file is skipped; only a directory
// that cannot be listed is an error.
func LoadRecords(stateDir string) (*Records, error) {
	r, _, err := loadRecords(stateDir, nil)
	return r, err
}

// loadRecords is LoadRecords that also returns what it skipped, for the server to log.
// Endpoints that answerable rejects (stopped containers) are left out.
func loadRecords(stateDir string, answerable func(string) bool) (*Records, []error, error) {
	r := emptyRecords()
	var skipped []error

	netFiles, err := jsonFiles(filepath.Join(stateDir, network.NetworksDir))
	if err != nil {
		return nil, nil, err
	}
	for _, p := range netFiles {
		var n network.Network
		if err := statefile.ReadJSON(p, &n); err != nil {
			if !errors.Is(err, fs.ErrNotExist) { // removed since listed: not a problem
				skipped = append(skipped, err)
			}
			continue
		}
		if n.Name == "" {
			skipped = append(skipped, fmt.Errorf("%s: no name", p))
			continue
		}
		r.networks[n.Name] = n
	}

	epFiles, err := jsonFiles(filepath.Join(stateDir, network.EndpointsDir))
	if err != nil {
		return nil, nil, err
	}
	for _, p := range epFiles {
		var ep network.Endpoint
		if err := statefile.ReadJSON(p, &ep); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				skipped = append(skipped, err)
			}
			continue
		}
		if ep.ContainerID == "" {
			skipped = append(skipped, fmt.Errorf("%s: no container id", p))
			continue
		}
		// A stopped container's names are not answered; it still counts as a client,
		// so a container that has just started sees names before its start is known.
		if err := r.add(&ep, answerable == nil || answerable(ep.ContainerID)); err != nil {
			skipped = append(skipped, fmt.Errorf("%s: %w", p, err))
		}
	}
	return r, skipped, nil
}

func emptyRecords() *Records {
	return &Records{
		networks: map[string]network.Network{},
		clients:  map[netip.Addr][]string{},
		upstream: map[netip.Addr][]string{},
		links:    map[netip.Addr]map[string]string{},
		ptr:      map[string]map[netip.Addr]string{},
		names:    map[string]map[string][]netip.Addr{},
	}
}

// add indexes one endpoint: as a client always, by its names when answered. An
// attachment with a bad address is skipped (and reported) while the others still count.
func (r *Records) add(ep *network.Endpoint, answered bool) error {
	var bad []string
	var nets []string
	var addrs []netip.Addr
	for _, en := range ep.Networks {
		a, err := netip.ParseAddr(en.IP)
		if err != nil || !a.Is4() || en.Network == "" {
			bad = append(bad, fmt.Sprintf("network %q ip %q", en.Network, en.IP))
			continue
		}
		nets = append(nets, en.Network)
		addrs = append(addrs, a)
		// On an IPv6 network the names answer AAAA with its IPv6 address as well.
		answers := []netip.Addr{a}
		if a6, err := netip.ParseAddr(en.IPv6); err == nil && a6.Is6() {
			answers = append(answers, a6)
			addrs = append(addrs, a6)
		}
		if !answered {
			continue
		}

		service := ep.Service
		if en.NoServiceName {
			service = ""
		}
		names := []string{service, strings.TrimPrefix(ep.ContainerName, "/"), shortID(ep.ContainerID)}
		names = append(names, en.Aliases...)
		byName := r.names[en.Network]
		if byName == nil {
			byName = map[string][]netip.Addr{}
			r.names[en.Network] = byName
		}
		if cn := canonical(strings.TrimPrefix(ep.ContainerName, "/")); cn != "" {
			if r.ptr[en.Network] == nil {
				r.ptr[en.Network] = map[netip.Addr]string{}
			}
			for _, a := range answers {
				r.ptr[en.Network][a] = cn
			}
		}
		for _, n := range names {
			n = canonical(n)
			if n == "" {
				continue
			}
			for _, a := range answers {
				if !slices.Contains(byName[n], a) {
					byName[n] = append(byName[n], a)
				}
			}
		}
	}
	for _, a := range addrs {
		for _, n := range nets {
			if !slices.Contains(r.clients[a], n) {
				r.clients[a] = append(r.clients[a], n)
			}
		}
		if len(ep.DNS) > 0 {
			r.upstream[a] = ep.DNS
		}
		if len(ep.Links) > 0 {
			r.links[a] = canonicalLinks(ep.Links)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("skipped attachments: %s", strings.Join(bad, ", "))
	}
	return nil
}

// InternalOnly tells whether clientIP is a container whose every network is internal:
// it has no way out, so nothing it asks may go out through berth either.
func (r *Records) InternalOnly(clientIP net.IP) bool {
	client, ok := netip.AddrFromSlice(clientIP)
	if !ok {
		return false
	}
	nets := r.clients[client.Unmap()]
	for _, n := range nets {
		if !r.networks[n].Internal {
			return false
		}
	}
	return len(nets) > 0
}

// Reachable keeps, of servers ("ip:port"), those in a subnet of one of clientIP's
// networks: the container reaches them itself, so asking them leaks nothing (docker
// asks such a server from the container's own namespace).
func (r *Records) Reachable(clientIP net.IP, servers []string) []string {
	client, ok := netip.AddrFromSlice(clientIP)
	if !ok {
		return nil
	}
	var out []string
	for _, s := range servers {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			continue
		}
		for _, n := range r.clients[client.Unmap()] {
			if inSubnet(r.networks[n].Subnet, ap.Addr()) || inSubnet(r.networks[n].Subnet6, ap.Addr()) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

func inSubnet(subnet string, a netip.Addr) bool {
	p, err := netip.ParsePrefix(subnet)
	return err == nil && p.Contains(a.Unmap())
}

// Upstreams are the servers a container asked for with dns (nil: the host's).
func (r *Records) Upstreams(clientIP net.IP) []string {
	client, ok := netip.AddrFromSlice(clientIP)
	if !ok {
		return nil
	}
	return r.upstream[client.Unmap()]
}

// Lookup answers name for a query from clientIP: the addresses (IPv4, and IPv6 on
// IPv6 networks) of the containers answering to name on the networks the asking
// container is on; "name.network" narrows the answer to that one network, as in
// Docker. known is false when berth has no such name for that client (it is then
// forwarded); a client address that is no container's sees none of berth's names.
func (r *Records) Lookup(clientIP net.IP, name string) (ips []net.IP, known bool) {
	client, ok := netip.AddrFromSlice(clientIP)
	if !ok {
		return nil, false
	}
	for _, a := range r.appendAddrs(nil, client.Unmap(), name) {
		ips = append(ips, net.IP(a.AsSlice()))
	}
	return ips, len(ips) > 0
}

// appendAddrs is Lookup for an unmapped client address: it appends the answers to
// dst, each once, and allocates nothing more when dst has room for them.
func (r *Records) appendAddrs(dst []netip.Addr, client netip.Addr, name string) []netip.Addr {
	nets := r.clients[client]
	name = canonical(name)
	if len(nets) == 0 || name == "" {
		return dst
	}
	if target, ok := r.links[client][name]; ok {
		name = target
	}
	if len(r.lookupIn(nets, name)) == 0 {
		for _, n := range nets {
			if short, ok := strings.CutSuffix(name, "."+canonical(n)); ok {
				nets, name = []string{n}, short
				break
			}
		}
	}
	start := len(dst)
	for _, n := range nets {
		for _, a := range r.names[n][name] {
			if !slices.Contains(dst[start:], a) {
				dst = append(dst, a)
			}
		}
	}
	return dst
}

// lookupIn is the first answer to name on any of nets, nil when none has it.
func (r *Records) lookupIn(nets []string, name string) []netip.Addr {
	for _, n := range nets {
		if a := r.names[n][name]; len(a) > 0 {
			return a
		}
	}
	return nil
}

// Reverse answers a PTR query from clientIP for addr: "container-name.network" of
// the container with that address on a network the asking container is on.
func (r *Records) Reverse(clientIP net.IP, addr netip.Addr) (string, bool) {
	client, ok := netip.AddrFromSlice(clientIP)
	if !ok {
		return "", false
	}
	for _, n := range r.clients[client.Unmap()] {
		if name, ok := r.ptr[n][addr.Unmap()]; ok {
			return name + "." + n, true
		}
	}
	return "", false
}

// gateways are the distinct IPv4 gateway addresses of the known networks, sorted.
func (r *Records) gateways() []string {
	var out []string
	for _, n := range r.networks {
		a, err := netip.ParseAddr(n.Gateway)
		if err != nil || !a.Is4() || slices.Contains(out, a.String()) {
			continue
		}
		out = append(out, a.String())
	}
	sort.Strings(out)
	return out
}

func canonicalLinks(links map[string]string) map[string]string {
	out := make(map[string]string, len(links))
	for alias, target := range links {
		out[canonical(alias)] = canonical(target)
	}
	return out
}

// canonical is the form names are compared in: DNS names are case-insensitive and a
// query's name is fully qualified ("web.").
func canonical(name string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
}

func shortID(id string) string {
	if len(id) > shortIDLen {
		return id[:shortIDLen]
	}
	return id
}

// jsonFiles lists the paths of the *.json files of dir (none for a missing dir),
// temp files of an atomic write left out.
func jsonFiles(dir string) ([]string, error) {
	names, err := statefile.JSONNames(dir)
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(dir, n+".json")
	}
	return out, err
}
