package network

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"

	"berth.dev/berth/internal/filelock"
	"berth.dev/berth/internal/names"
	"berth.dev/berth/internal/statefile"
)

// undoTimeout bounds the clean-up after a failed Setup. It runs on a context that
// ignores the caller's cancellation: a Setup interrupted by Ctrl-C must still undo
// what it did.
const undoTimeout = 30 * time.Second

// attachment is one (network, interface) of a container, as ADD did it or DEL needs it.
type attachment struct {
	Network string
	IfName  string
	IP      string // asked-for address, "" for any
	IP6     string // asked-for IPv6 address, "" for any
	MAC     string // asked-for MAC address, "" for any
	Ports   []Port // only on the first network
	Config  []byte // libcni's cached conflist, for when the network's own is gone
}

func ifName(i int) string { return fmt.Sprintf("eth%d", i) }

// maxLinkName is the kernel's limit on a link name (IFNAMSIZ less the NUL).
const maxLinkName = 15

// interfaceNames names a container's interfaces in attachment order: eth0, eth1, ...
// unless an attachment names its own (interface_name), each once.
func interfaceNames(attach []Attachment) ([]string, error) {
	names := make([]string, len(attach))
	seen := map[string]bool{}
	for i, a := range attach {
		names[i] = a.IfName
		if names[i] == "" {
			names[i] = ifName(i)
		}
		if len(names[i]) > maxLinkName || names[i] == "lo" || strings.ContainsAny(names[i], "/: \t\n") {
			return nil, fmt.Errorf("%w: interface name %q on network %q", ErrInvalid, names[i], a.Network)
		}
		if seen[names[i]] {
			return nil, fmt.Errorf("%w: interface name %q given twice", ErrInvalid, names[i])
		}
		seen[names[i]] = true
	}
	return names, nil
}

// defaultGateway is the index of the attachment that gives the container its default
// route of a family: of the non-internal networks with that family, the one of highest
// gw_priority, the first in order among equals (as Docker); -1 when there is none.
func defaultGateway(nets []*Network, attach []Attachment, ipv6 bool) int {
	gw := -1
	for i, n := range nets {
		if n.Internal || (ipv6 && n.Subnet6 == "") {
			continue
		}
		if gw < 0 || attach[i].GatewayPriority > attach[gw].GatewayPriority {
			gw = i
		}
	}
	return gw
}

// Setup attaches the container ep.ContainerID, whose namespace is ep.NetNS (default
// NetNSPath), to each network of attach in order, as eth0, eth1, ...; ports are
// published on the first network only. It returns ep with Networks and Ports filled
// and records it in <StateDir>/endpoints/<id>.json. On failure everything done is
// undone. Called again with the same networks, namespace and ports it returns the
// recorded endpoint (names and aliases updated); with different ones it fails with
// ErrAttached: Teardown first.
func (m *Manager) Setup(ctx context.Context, ep Endpoint, attach []Attachment, ports []Port) (*Endpoint, error) {
	id := ep.ContainerID
	if err := checkName(names.Container, id); err != nil {
		return nil, err
	}
	if ep.NetNS == "" {
		ep.NetNS = m.NetNSPath(id)
	}
	if len(attach) == 0 && len(ports) > 0 {
		return nil, fmt.Errorf("%w: container %s: published ports need a network", ErrInvalid, id)
	}
	seen := map[string]bool{}
	for _, a := range attach {
		if seen[a.Network] {
			return nil, fmt.Errorf("%w: container %s: network %q listed twice", ErrInvalid, id, a.Network)
		}
		seen[a.Network] = true
	}
	ifNames, err := interfaceNames(attach)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	for _, a := range attach {
		for _, ip := range a.LinkLocal {
			if _, err := linkLocalPrefix(ip); err != nil {
				return nil, fmt.Errorf("container %s: network %q: %w", id, a.Network, err)
			}
		}
	}
	if !isNetNS(ep.NetNS) {
		return nil, fmt.Errorf("container %s: %s is not a network namespace", id, ep.NetNS)
	}

	if done, err := m.alreadyAttached(ep, attach, ports); done != nil || err != nil {
		return done, err
	}
	if err := m.finishNetworks(ctx, attach); err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}

	unlock, err := m.lockNetworksShared(ctx)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	defer unlock()

	// A pending record is a Setup that died half-way: undo it before starting over.
	if err := m.undoPending(ctx, id); err != nil {
		return nil, err
	}

	ports, releasePorts, err := m.settlePorts(ctx, id, ports)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	defer releasePorts()

	// Read every network before touching anything, so that a missing one costs nothing.
	lists := make([]*libcni.NetworkConfigList, len(attach))
	plan := make([]attachment, len(attach))
	ep.Networks = make([]EndpointNetwork, len(attach))
	nets := make([]*Network, len(attach))
	for i, a := range attach {
		if nets[i], err = m.Get(a.Network); err != nil {
			return nil, fmt.Errorf("container %s: %w", id, err)
		}
	}
	if len(nets) > 0 {
		if err := checkIPv6Ports(nets[0], ports); err != nil {
			return nil, fmt.Errorf("container %s: %w", id, err)
		}
	}
	gateway4, gateway6 := defaultGateway(nets, attach, false), defaultGateway(nets, attach, true)
	for i, a := range attach {
		if lists[i], err = m.attachConflist(nets[i], a, i == gateway4, i == gateway6, i == 0 && len(ports) > 0); err != nil {
			return nil, fmt.Errorf("container %s: %w", id, err)
		}
		plan[i] = attachment{Network: a.Network, IfName: ifNames[i], IP: a.IPv4, IP6: a.IPv6, MAC: a.MAC}
		ep.Networks[i] = EndpointNetwork{Network: a.Network, Interface: ifNames[i], Aliases: a.Aliases, NoServiceName: a.NoServiceName}
	}
	if len(plan) > 0 {
		plan[0].Ports = ports
	}
	ep.Ports = ports

	if err := statefile.WriteJSON(m.paths.pendingFile(id), &ep, 0o644); err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	releasePorts()
	undo := func(cause error, n int) error {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), undoTimeout)
		defer cancel()
		if err := m.detachAll(uctx, id, ep.NetNS, plan[:n]); err != nil {
			// Keep the pending record: Teardown or the next Setup finishes the job.
			return errors.Join(cause, fmt.Errorf("undo: %w", err))
		}
		if err := statefile.Remove(m.paths.pendingFile(id)); err != nil {
			return errors.Join(cause, err)
		}
		return cause
	}

	if err := ensureLoopbackUp(ep.NetNS); err != nil {
		return nil, undo(fmt.Errorf("container %s: %w", id, err), 0)
	}
	for i, a := range plan {
		res, err := m.cni.AddNetworkList(ctx, lists[i], m.runtimeConf(id, ep.NetNS, a))
		if err != nil {
			// The failed ADD may have done part of its work (a veth, a lease): DEL it too.
			return nil, undo(fmt.Errorf("container %s: attach to network %q: %w", id, a.Network, err), i+1)
		}
		addr, err := resultAddress(res, a.IfName)
		if err == nil {
			err = addLinkLocal(ep.NetNS, a.IfName, attach[i].LinkLocal)
		}
		if err != nil {
			return nil, undo(fmt.Errorf("container %s: network %q: %w", id, a.Network, err), i+1)
		}
		ep.Networks[i].IP, ep.Networks[i].IPv6, ep.Networks[i].MAC = addr.IPv4, addr.IPv6, addr.MAC
	}
	if err := guardAttached(nets); err != nil {
		return nil, undo(fmt.Errorf("container %s: %w", id, err), len(plan))
	}
	if err := statefile.WriteJSON(m.paths.endpointFile(id), &ep, 0o644); err != nil {
		return nil, undo(fmt.Errorf("container %s: %w", id, err), len(plan))
	}
	if err := statefile.Remove(m.paths.pendingFile(id)); err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	return &ep, nil
}

// alreadyAttached handles Setup of a container that has an endpoint record: the same
// attachments are kept (and the record refreshed), different ones are an error.
func (m *Manager) alreadyAttached(ep Endpoint, attach []Attachment, ports []Port) (*Endpoint, error) {
	old, err := m.Endpoint(ep.ContainerID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	same := old.NetNS == ep.NetNS && len(old.Networks) == len(attach) && portsMatch(old.Ports, ports)
	for i := 0; same && i < len(attach); i++ {
		same = old.Networks[i].Network == attach[i].Network
	}
	if !same {
		return nil, fmt.Errorf("container %s: %w to %v with other networks, ports or netns; tear it down first",
			ep.ContainerID, ErrAttached, networkNames(old.Networks))
	}
	ep.Ports = old.Ports
	ep.Networks = old.Networks
	for i := range ep.Networks {
		ep.Networks[i].Aliases, ep.Networks[i].NoServiceName = attach[i].Aliases, attach[i].NoServiceName
	}
	if err := statefile.WriteJSON(m.paths.endpointFile(ep.ContainerID), &ep, 0o644); err != nil {
		return nil, fmt.Errorf("container %s: %w", ep.ContainerID, err)
	}
	return &ep, nil
}

// Teardown detaches a container from all its networks (CNI DEL, which also removes
// its published ports and firewall rules), unmounts and removes its namespace at
// NetNSPath, and removes its endpoint record. It is idempotent and works from
// whatever is left: the endpoint record, a pending record of an interrupted Setup,
// the record of a departed container (Depart), libcni's cache. If a DEL fails the
// records are kept so that Teardown can be retried.
func (m *Manager) Teardown(ctx context.Context, containerID string) error {
	id := containerID
	if err := checkName(names.Container, id); err != nil {
		return err
	}
	netns := m.NetNSPath(id)
	var atts []attachment
	known := map[string]bool{}
	add := func(a attachment) {
		if key := a.Network + "/" + a.IfName; !known[key] {
			known[key] = true
			atts = append(atts, a)
		}
	}
	records := []string{m.paths.endpointFile(id), m.paths.pendingFile(id), m.paths.departedFile(id)}
	for _, path := range records {
		var ep Endpoint
		if err := statefile.ReadJSON(path, &ep); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return fmt.Errorf("teardown container %s: %w", id, err)
		}
		if ep.NetNS != "" {
			netns = ep.NetNS
		}
		for i, en := range ep.Networks {
			a := attachment{Network: en.Network, IfName: en.Interface}
			if i == 0 {
				a.Ports = ep.Ports
			}
			add(a)
		}
	}
	// libcni's cache knows every attachment whose ADD completed, with its conflist and
	// port list, even if berth's records are gone.
	cached, err := m.cni.GetCachedAttachments(id)
	if err != nil {
		return fmt.Errorf("teardown container %s: %w", id, err)
	}
	for _, c := range cached {
		add(attachment{Network: c.Network, IfName: c.IfName, Config: c.Config, Ports: portsFromCapability(c.CapabilityArgs)})
	}

	if err := m.detachAll(ctx, id, netns, atts); err != nil {
		return err
	}
	if err := removeNetNS(m.NetNSPath(id)); err != nil {
		return fmt.Errorf("teardown container %s: %w", id, err)
	}
	for _, path := range records {
		if err := statefile.Remove(path); err != nil {
			return fmt.Errorf("teardown container %s: %w", id, err)
		}
	}
	return nil
}

// settlePorts fixes the host ports of a container's published ports against those
// every other container publishes. With ports it returns holding the ports lock, for
// the caller to release (once is enough, more is harmless) when its pending record
// names them for the next container to see.
func (m *Manager) settlePorts(ctx context.Context, id string, ports []Port) ([]Port, func(), error) {
	if len(ports) == 0 {
		return nil, func() {}, nil
	}
	unlock, err := filelock.Acquire(ctx, m.paths.portsLockFile())
	if err != nil {
		return nil, nil, err
	}
	release := sync.OnceFunc(unlock)
	used, err := m.usedPorts(id)
	if err == nil {
		ports, err = normalizePorts(ports, used)
	}
	if err != nil {
		release()
		return nil, nil, err
	}
	return ports, release, nil
}

// usedPorts lists the host ports the other containers publish, from their endpoint
// and pending records, in this namespace and berth's others.
func (m *Manager) usedPorts(id string) ([]usedPort, error) {
	return m.publishedPorts(func(ep *Endpoint, home bool) bool { return home && ep.ContainerID == id })
}

// undoPending detaches what a pending record lists and removes the record.
func (m *Manager) undoPending(ctx context.Context, id string) error {
	var ep Endpoint
	if err := statefile.ReadJSON(m.paths.pendingFile(id), &ep); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("container %s: %w", id, err)
	}
	var atts []attachment
	for i, en := range ep.Networks {
		a := attachment{Network: en.Network, IfName: en.Interface}
		if i == 0 {
			a.Ports = ep.Ports
		}
		atts = append(atts, a)
	}
	if err := m.detachAll(ctx, id, ep.NetNS, atts); err != nil {
		return fmt.Errorf("container %s: undo an interrupted attach: %w", id, err)
	}
	return statefile.Remove(m.paths.pendingFile(id))
}

// detachAll runs CNI DEL for atts, last first, and carries on past failures so that
// one broken network does not keep the others attached.
func (m *Manager) detachAll(ctx context.Context, id, netns string, atts []attachment) error {
	// With a namespace path that is not a mounted namespace the bridge plugin fails;
	// with none it still frees the address, and the interface went with the namespace.
	if !isNetNS(netns) {
		netns = ""
	}
	var errs []error
	for i := len(atts) - 1; i >= 0; i-- {
		if err := m.detach(ctx, id, netns, atts[i]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m *Manager) detach(ctx context.Context, id, netns string, a attachment) error {
	list, err := m.loadConflist(a.Network)
	if err != nil && a.Config != nil {
		list, err = libcni.ConfListFromBytes(a.Config)
	}
	var leased map[netip.Addr]int
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("container %s: detach from network %q: %w", id, a.Network, err)
		}
		// No configuration anywhere: the network and its leases are gone already;
		// only per-container chains can be left.
	} else {
		rt := m.runtimeConf(id, netns, a)
		// The DEL runs the plugins the ADD ran: the conflist libcni kept of it, where
		// the network's own has changed since (an older berth ran the firewall plugin
		// and the bridge plugin's masquerading per container).
		if cached, _, err := m.cni.GetNetworkListCachedConfig(list, rt); err == nil && len(cached) > 0 {
			if l, err := libcni.ConfListFromBytes(cached); err == nil {
				list = l
			}
		}
		if res, _ := m.cni.GetNetworkListCachedResult(list, rt); res == nil {
			// An ADD cut off before libcni kept its result (berth killed): the
			// firewall plugin's DEL then knows no address, and its rules would stay.
			// host-local's leases still say which, until this DEL frees them.
			leased = m.leasesOf(a.Network, id, a.IfName)
		}
		if err := m.cni.DelNetworkList(ctx, list, rt); err != nil {
			return fmt.Errorf("container %s: detach from network %q: %w", id, a.Network, err)
		}
		if netns != "" && len(leased) == 0 {
			// With its namespace and its result there, the plugins' DEL removed all
			// they made: looking for leftovers would only slow every removal down.
			return nil
		}
	}
	// The bridge plugin (1.1.1) skips its masquerade chain when the namespace is
	// gone, and portmap does nothing on DEL without the port list.
	chains := map[string]bool{cniChainName("", a.Network, id): true, cniChainName("DN-", a.Network, id): true}
	ipv6 := true // a network gone may have had IPv6
	if n, err := m.Get(a.Network); err == nil {
		ipv6 = n.Subnet6 != ""
	}
	for _, proto := range protocols(ipv6) {
		if err := deleteContainerRules(proto, chains, leased); err != nil {
			return fmt.Errorf("container %s: detach from network %q: %w", id, a.Network, err)
		}
	}
	return nil
}

// leasesOf lists the addresses host-local leases to a container's interface on a
// network (a file per address, holding the container ID and the interface name).
func (m *Manager) leasesOf(network, id, ifName string) map[netip.Addr]int {
	out := map[netip.Addr]int{}
	if checkName(names.Network, network) != nil {
		return out // a name from a record or a label that is no path of ours
	}
	dir := filepath.Join(m.paths.ipamDataDir(), network)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		addr, err := netip.ParseAddr(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		owner, iface, _ := strings.Cut(strings.TrimSpace(string(data)), "\n")
		if strings.TrimSpace(owner) == id && (iface == "" || strings.TrimSpace(iface) == ifName) {
			out[addr]++
		}
	}
	return out
}

func (m *Manager) runtimeConf(id, netns string, a attachment) *libcni.RuntimeConf {
	rt := &libcni.RuntimeConf{ContainerID: id, NetNS: netns, IfName: a.IfName, CapabilityArgs: map[string]any{}}
	var ips []string
	for _, ip := range []string{a.IP, a.IP6} {
		if ip != "" {
			ips = append(ips, ip)
		}
	}
	if len(ips) > 0 {
		rt.CapabilityArgs["ips"] = ips
	}
	if a.MAC != "" {
		rt.CapabilityArgs["mac"] = a.MAC
	}
	if len(a.Ports) > 0 {
		// libcni hands this only to plugins that declare the capability: portmap.
		rt.CapabilityArgs["portMappings"] = portMappings(a.Ports)
	}
	return rt
}

// attachConflist is the CNI configuration an ADD of a uses: the network's own, or a
// variant of it (see conflistVariant) for a container asking for its address on a
// network with an ip_range, or one whose default route another network gives.
func (m *Manager) attachConflist(n *Network, a Attachment, gateway4, gateway6, ports bool) (*libcni.NetworkConfigList, error) {
	v := conflistVariant{
		WholeSubnet:     (a.IPv4 != "" || a.IPv6 != "") && (n.IPRange != "" || n.IPRange6 != ""),
		NoDefaultRoute:  !gateway4 && !n.Internal,
		NoDefaultRoute6: !gateway6 && !n.Internal && n.Subnet6 != "",
		NoPorts:         !ports,
	}
	if v == (conflistVariant{}) {
		return m.loadConflist(n.Name)
	}
	data, err := buildConflist(m.paths.StateDir, n, v)
	if err != nil {
		return nil, fmt.Errorf("network %q: conflist: %w", n.Name, err)
	}
	return libcni.ConfListFromBytes(data)
}

// loadConflist reads a network's CNI configuration; ErrNotFound if it has none.
func (m *Manager) loadConflist(network string) (*libcni.NetworkConfigList, error) {
	if err := checkName(names.Network, network); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(m.paths.conflistFile(network))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("network %q: conflist: %w", network, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("network %q: %w", network, err)
	}
	list, err := libcni.ConfListFromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("network %q: %w", network, err)
	}
	return list, nil
}

// address is what an ADD gave the container-side interface.
type address struct {
	IPv4, IPv6, MAC string
}

// resultAddress picks the IPv4 address (and IPv6 one, if any) and the MAC of the
// container-side interface ifname from an ADD result.
func resultAddress(res types.Result, ifname string) (address, error) {
	var out address
	r, err := types100.NewResultFromResult(res)
	if err != nil {
		return out, fmt.Errorf("CNI result: %w", err)
	}
	idx := -1
	for i, iface := range r.Interfaces {
		if iface.Name == ifname && iface.Sandbox != "" {
			idx, out.MAC = i, iface.Mac
		}
	}
	// Prefer the address tied to the interface; a plugin that omits the index gets
	// its first address of each family used.
	tied := map[bool]bool{}
	for _, c := range r.IPs {
		v4 := c.Address.IP.To4() != nil
		dst := &out.IPv6
		if v4 {
			dst = &out.IPv4
		}
		if tied[v4] {
			continue
		}
		if c.Interface != nil && *c.Interface == idx {
			*dst, tied[v4] = c.Address.IP.String(), true
		} else if *dst == "" {
			*dst = c.Address.IP.String()
		}
	}
	if out.IPv4 == "" {
		return out, fmt.Errorf("CNI result has no IPv4 address for %s", ifname)
	}
	return out, nil
}

// portsFromCapability reads back the portMappings libcni cached.
func portsFromCapability(args map[string]any) []Port {
	list, _ := args["portMappings"].([]any)
	var ports []Port
	for _, e := range list {
		m, _ := e.(map[string]any)
		num := func(k string) uint16 { f, _ := m[k].(float64); return uint16(f) }
		str := func(k string) string { s, _ := m[k].(string); return s }
		ports = append(ports, Port{HostIP: str("hostIP"), HostPort: num("hostPort"), ContainerPort: num("containerPort"), Protocol: str("protocol")})
	}
	return ports
}

// Endpoint reads the record of one attached container; ErrNotFound if there is none.
func (m *Manager) Endpoint(containerID string) (*Endpoint, error) {
	if err := checkName(names.Container, containerID); err != nil {
		return nil, err
	}
	var ep Endpoint
	if err := statefile.ReadJSON(m.paths.endpointFile(containerID), &ep); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("endpoint of container %s: %w", containerID, ErrNotFound)
		}
		return nil, fmt.Errorf("endpoint of container %s: %w", containerID, err)
	}
	return &ep, nil
}

// Endpoints returns every attached container's record, sorted by container ID.
func (m *Manager) Endpoints() ([]*Endpoint, error) {
	ids, err := statefile.JSONNames(filepath.Join(m.paths.StateDir, EndpointsDir))
	if err != nil {
		return nil, fmt.Errorf("list endpoints: %w", err)
	}
	var out []*Endpoint
	for _, id := range ids {
		ep, err := m.Endpoint(id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ep)
	}
	return out, nil
}

func networkNames(ns []EndpointNetwork) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Network
	}
	return out
}
