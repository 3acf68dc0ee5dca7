package network

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"berth.dev/berth/internal/names"
	"berth.dev/berth/internal/statefile"
)

// A project's down removes its containers and then their networks. Tearing each
// container down with a CNI DEL costs about ten iptables runs (bridge, firewall and
// portmap each list and delete their rules), and the kernel serialises them: that
// was most of a down's time. So a container whose networks are all going departs
// instead: its record moves from endpoints/ to departed/ (its names stop resolving
// at once), and the networks' Remove takes the rules of all their departed
// containers away in one iptables-restore per table, with the leases in the
// network's lease directory. Until then the record keeps everything needed to finish,
// also after a crash.
const departedDir = "departed"

func (p Paths) departedFile(id string) string {
	return filepath.Join(p.StateDir, departedDir, id+".json")
}

// Depart is Teardown for a container that is gone (its task deleted) and whose
// networks are all about to be removed (removing): its attachments are left for
// Remove of those networks, which takes them down all at once. A container with an
// attach under way, or attached to a network not in removing, is torn down now.
func (m *Manager) Depart(ctx context.Context, containerID string, removing []string) error {
	id := containerID
	if err := checkName(names.Container, id); err != nil {
		return err
	}
	var ep Endpoint
	err := statefile.ReadJSON(m.paths.endpointFile(id), &ep)
	if errors.Is(err, os.ErrNotExist) {
		return m.Teardown(ctx, id)
	}
	if err != nil {
		return fmt.Errorf("depart container %s: %w", id, err)
	}
	if _, err := os.Stat(m.paths.pendingFile(id)); !errors.Is(err, os.ErrNotExist) {
		return m.Teardown(ctx, id)
	}
	for _, en := range ep.Networks {
		if !slices.Contains(removing, en.Network) {
			return m.Teardown(ctx, id)
		}
	}
	if err := os.MkdirAll(filepath.Dir(m.paths.departedFile(id)), 0o755); err != nil {
		return fmt.Errorf("depart container %s: %w", id, err)
	}
	if err := os.Rename(m.paths.endpointFile(id), m.paths.departedFile(id)); err != nil {
		return fmt.Errorf("depart container %s: %w", id, err)
	}
	// The interfaces would go with the namespace, but the kernel destroys namespaces
	// lazily, seconds later on a busy host: deleting them is one netlink call each.
	// Leases, rules and libcni's records wait for the networks' Remove.
	if err := deleteInterfaces(m.NetNSPath(id), ep.Networks); err != nil {
		return fmt.Errorf("depart container %s: %w", id, err)
	}
	if err := removeNetNS(m.NetNSPath(id)); err != nil {
		return fmt.Errorf("depart container %s: %w", id, err)
	}
	return nil
}

// departed lists the records of departed containers with an attachment to network.
func (m *Manager) departed(network string) ([]*Endpoint, error) {
	eps, err := m.records(departedDir)
	if err != nil {
		return nil, err
	}
	var out []*Endpoint
	for _, ep := range eps {
		if ep.attachedTo(network) {
			out = append(out, ep)
		}
	}
	return out, nil
}

// removeDeparted takes down the attachments of departed containers to n, which is
// being removed: their rules in one pass per family, then libcni's records of them,
// then the records themselves (a departed container on several networks keeps its
// record until the last is removed). Their leases go with the network's directory.
func (m *Manager) removeDeparted(ctx context.Context, network string, ipv6 bool, eps []*Endpoint) error {
	if len(eps) == 0 {
		return nil
	}
	chains := map[string]bool{}
	addrs := map[netip.Addr]int{}
	for _, ep := range eps {
		chains[cniChainName("", network, ep.ContainerID)] = true
		chains[cniChainName("DN-", network, ep.ContainerID)] = true
		for _, en := range ep.Networks {
			if en.Network != network {
				continue
			}
			for _, ip := range []string{en.IP, en.IPv6} {
				if a, err := netip.ParseAddr(ip); err == nil {
					addrs[a]++
				}
			}
		}
	}
	for _, proto := range protocols(ipv6) {
		if err := deleteContainerRules(proto, chains, addrs); err != nil {
			return fmt.Errorf("network %q: %w", network, err)
		}
	}
	for _, ep := range eps {
		if err := m.forgetDeparted(ctx, network, ep); err != nil {
			return err
		}
	}
	return nil
}

// forgetDeparted drops network from a departed container's records: libcni's cache
// entry of the attachment, then berth's record.
func (m *Manager) forgetDeparted(ctx context.Context, network string, ep *Endpoint) error {
	for _, en := range ep.Networks {
		if en.Network != network {
			continue
		}
		// A DEL with no plugins runs nothing and removes libcni's record of the
		// attachment, through its API rather than its file layout.
		none := &libcni.NetworkConfigList{Name: network, CNIVersion: cniVersion}
		rt := &libcni.RuntimeConf{ContainerID: ep.ContainerID, IfName: en.Interface}
		if err := m.cni.DelNetworkList(ctx, none, rt); err != nil {
			return fmt.Errorf("container %s: forget attachment to %q: %w", ep.ContainerID, network, err)
		}
	}
	return m.dropDeparted(network, ep)
}

// dropDeparted removes network from a departed container's record, and the record
// with its last network.
func (m *Manager) dropDeparted(network string, ep *Endpoint) error {
	var rest []EndpointNetwork
	for _, en := range ep.Networks {
		if en.Network != network {
			rest = append(rest, en)
		}
	}
	path := m.paths.departedFile(ep.ContainerID)
	if len(rest) == 0 {
		return statefile.Remove(path)
	}
	ep.Networks = rest
	return statefile.WriteJSON(path, ep, 0o644)
}

// detachDeparted takes down departed containers' attachments to a network that
// stays (another container still uses it): one by one, with the plugins, since the
// leases must be released in the lease directory that stays.
func (m *Manager) detachDeparted(ctx context.Context, network string, eps []*Endpoint) error {
	var errs []error
	for _, ep := range eps {
		a := attachment{Network: network}
		for i, en := range ep.Networks {
			if en.Network == network {
				a.IfName = en.Interface
				if i == 0 {
					a.Ports = ep.Ports
				}
			}
		}
		// No namespace: it went at Depart; the plugins then free the address and
		// detach scrubs the per-container chains.
		if err := m.detach(ctx, ep.ContainerID, "", a); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := m.dropDeparted(network, ep); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deleteInterfaces deletes a container's interfaces in its namespace at path, and
// with each its host-side peer; a namespace or interface already gone is fine.
func deleteInterfaces(path string, nets []EndpointNetwork) error {
	if !isNetNS(path) {
		return nil
	}
	return ns.WithNetNSPath(path, func(ns.NetNS) error {
		for _, en := range nets {
			link, err := netlinksafe.LinkByName(en.Interface)
			if isLinkNotFound(err) {
				continue
			}
			if err != nil {
				return fmt.Errorf("find %s: %w", en.Interface, err)
			}
			if err := netlink.LinkDel(link); err != nil && !errors.Is(err, unix.ENODEV) {
				return fmt.Errorf("delete %s: %w", en.Interface, err)
			}
		}
		return nil
	})
}

// Records lists the containers of a project that have an endpoint or a pending
// record: attached, or attaching.
func (m *Manager) Records(project string) ([]string, error) {
	eps, err := m.records(EndpointsDir, pendingDir)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, ep := range eps {
		if ep.Project == project && !slices.Contains(ids, ep.ContainerID) {
			ids = append(ids, ep.ContainerID)
		}
	}
	return ids, nil
}
