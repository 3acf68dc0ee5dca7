package network

import (
	"berth.dev/berth/internal/names"
	"berth.dev/berth/internal/statefile"

	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/containernetworking/cni/libcni"
)

// Manager makes networks and attaches containers to them. It keeps no state in
// memory: every call reads the state directory, so several Managers (several berth
// processes) can work on the same directory at once.
type Manager struct {
	paths  Paths
	cni    *libcni.CNIConfig
	pool   []netip.Prefix
	routes func() ([]hostRoute, error) // the host's routes; replaced in tests
	now    func() time.Time
}

// NewManager returns a Manager for p. Nothing is touched until a method is called.
func NewManager(p Paths) *Manager {
	if len(p.PluginDirs) == 0 {
		p.PluginDirs = DefaultPluginDirs
	}
	// The exec is given, not left nil: libcni fills a nil one in lazily on every call,
	// which is a data race when containers attach in parallel.
	return &Manager{
		paths:  p,
		cni:    libcni.NewCNIConfigWithCacheDir(p.PluginDirs, p.cniCache(), &pluginExec{}),
		pool:   defaultPool,
		routes: hostRoutes,
		now:    time.Now,
	}
}

// Paths returns the paths the Manager works in.
func (m *Manager) Paths() Paths { return m.paths }

// Ensure returns the network named cfg.Name, creating it if it does not exist: a subnet
// (cfg.Subnet, or the first free one of the pool), the state file, the CNI conflist
// and the bridge with its gateway address. An existing network is returned as it is,
// even if cfg asks for something else; comparing is the caller's business. Its
// conflist and bridge are re-made if missing (after a reboot, say).
func (m *Manager) Ensure(ctx context.Context, cfg Config) (*Network, error) {
	if err := checkName(names.Network, cfg.Name); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("network %q: %w", cfg.Name, err)
	}
	// Exclusive even for an existing network: a concurrent Remove must not see its
	// bridge re-made after it deleted it.
	unlock, err := m.lockNetworks(ctx)
	if err != nil {
		return nil, fmt.Errorf("network %q: %w", cfg.Name, err)
	}
	defer unlock()

	n, err := m.Get(cfg.Name)
	if err == nil {
		if err := m.realize(n); err != nil {
			return nil, err
		}
		return n, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}

	unlockHost, err := lockHostAllocation(ctx)
	if err != nil {
		return nil, fmt.Errorf("network %q: %w", cfg.Name, err)
	}
	defer unlockHost()
	n, err = m.plan(cfg)
	if err != nil {
		return nil, err
	}
	// The state file is written first: if berth dies before the bridge exists, the
	// next Ensure finds the network and finishes it.
	if err := statefile.WriteJSON(m.paths.networkFile(n.Name), n, 0o644); err != nil {
		return nil, fmt.Errorf("network %q: write state: %w", n.Name, err)
	}
	if err := m.realize(n); err != nil {
		// Leave nothing of a network that could not be made.
		_ = unisolate(n.Bridge, n.Subnet6 != "")
		_ = deleteBridge(n.Bridge)
		_ = os.RemoveAll(filepath.Join(m.paths.ipamDataDir(), n.Name))
		_ = statefile.Remove(m.paths.conflistFile(n.Name))
		_ = statefile.Remove(m.paths.networkFile(n.Name))
		return nil, err
	}
	return n, nil
}

// plan picks the subnet and gateway of a new network. Callers hold the lock.
func (m *Manager) plan(cfg Config) (*Network, error) {
	existing, err := m.List()
	if err != nil {
		return nil, err
	}
	var used []usedSubnet
	for _, e := range existing {
		for _, s := range []string{e.Subnet, e.Subnet6} {
			if p, err := netip.ParsePrefix(s); err == nil {
				used = append(used, usedSubnet{Network: e.Name, Prefix: p.Masked()})
			}
		}
	}
	routes, err := m.routes()
	if err != nil {
		return nil, fmt.Errorf("network %q: %w", cfg.Name, err)
	}

	var subnet netip.Prefix
	if cfg.Subnet != "" {
		if subnet, err = parseSubnet(cfg.Subnet); err != nil {
			return nil, fmt.Errorf("network %q: %w", cfg.Name, err)
		}
		if what := conflict(subnet, used, routes); what != "" {
			return nil, fmt.Errorf("network %q: %w: %s overlaps %s", cfg.Name, ErrOverlap, subnet, what)
		}
	} else if cfg.Gateway != "" {
		return nil, fmt.Errorf("%w: network %q: a gateway needs a subnet", ErrInvalid, cfg.Name)
	} else if subnet, err = allocateSubnet(m.pool, used, routes); err != nil {
		return nil, fmt.Errorf("network %q: %w", cfg.Name, err)
	}
	gw, err := gatewayFor(subnet, cfg.Gateway)
	if err != nil {
		return nil, fmt.Errorf("network %q: %w", cfg.Name, err)
	}
	subnet6, gw6, err := planIPv6(cfg, append(used, usedSubnet{Network: cfg.Name, Prefix: subnet}), routes)
	if err != nil {
		return nil, fmt.Errorf("network %q: %w", cfg.Name, err)
	}
	subnets, gateways := []netip.Prefix{subnet}, []string{gw.String()}
	if subnet6 != "" {
		subnets, gateways = append(subnets, netip.MustParsePrefix(subnet6)), append(gateways, gw6)
	}
	if err := checkRanges(cfg, subnets, gateways); err != nil {
		return nil, fmt.Errorf("network %q: %w", cfg.Name, err)
	}
	bridge, err := m.pickBridge(cfg, existing)
	if err != nil {
		return nil, fmt.Errorf("network %q: %w", cfg.Name, err)
	}
	if cfg.MTU != 0 && (cfg.MTU < minMTU || cfg.MTU > maxMTU) {
		return nil, fmt.Errorf("%w: network %q: MTU %d is not between %d and %d", ErrInvalid, cfg.Name, cfg.MTU, minMTU, maxMTU)
	}
	return &Network{
		Name:         cfg.Name,
		Project:      cfg.Project,
		Labels:       cfg.Labels,
		Internal:     cfg.Internal,
		Subnet:       subnet.String(),
		Gateway:      gw.String(),
		Bridge:       bridge,
		MTU:          cfg.MTU,
		Subnet6:      subnet6,
		Gateway6:     gw6,
		IPRange:      cfg.IPRange,
		IPRange6:     cfg.IPRange6,
		AuxAddresses: cfg.AuxAddresses,
		Created:      m.now().UTC().Truncate(time.Second),
	}, nil
}

// realize makes the conflist, the IPAM directory and the bridge of a network match its
// state file. The IPAM directory is made here, not left to host-local's first ADD, so
// that it exists exactly as long as the network does.
func (m *Manager) realize(n *Network) error {
	if err := os.MkdirAll(filepath.Join(m.paths.ipamDataDir(), n.Name), 0o755); err != nil {
		return fmt.Errorf("network %q: %w", n.Name, err)
	}
	if err := reserveAuxAddresses(filepath.Join(m.paths.ipamDataDir(), n.Name), n.AuxAddresses); err != nil {
		return fmt.Errorf("network %q: %w", n.Name, err)
	}
	if err := ensureBridge(n); err != nil {
		return fmt.Errorf("network %q: %w", n.Name, err)
	}
	if err := isolate(n); err != nil {
		return fmt.Errorf("network %q: isolation: %w", n.Name, err)
	}
	// The conflist last: a network with one is whole (see finishNetworks).
	data, err := buildConflist(m.paths.StateDir, n, conflistVariant{})
	if err != nil {
		return fmt.Errorf("network %q: conflist: %w", n.Name, err)
	}
	path := m.paths.conflistFile(n.Name)
	if old, err := os.ReadFile(path); err != nil || !bytes.Equal(old, data) {
		if err := statefile.Write(path, data, 0o644); err != nil {
			return fmt.Errorf("network %q: write conflist: %w", n.Name, err)
		}
	}
	return nil
}

// finishNetworks realizes each network of attach whose conflist is not the one its
// state file makes: missing, where a berth killed while it made the network (or
// removed it) left it so, or an older berth's, made with the plugins' rules per
// container instead of the network's own. The plan of the next up finds the state
// file and makes nothing, so the attachment does.
func (m *Manager) finishNetworks(ctx context.Context, attach []Attachment) error {
	for _, a := range attach {
		n, err := m.Get(a.Network)
		if err != nil {
			continue // Setup reports a network that is not there
		}
		want, err := buildConflist(m.paths.StateDir, n, conflistVariant{})
		if err != nil {
			return fmt.Errorf("network %q: conflist: %w", n.Name, err)
		}
		if have, err := os.ReadFile(m.paths.conflistFile(a.Network)); err == nil && bytes.Equal(have, want) {
			continue
		}
		if _, err := m.Ensure(ctx, Config{Name: a.Network}); err != nil {
			return err
		}
	}
	return nil
}

// Get reads one network; ErrNotFound if there is none of that name.
func (m *Manager) Get(name string) (*Network, error) {
	if err := checkName(names.Network, name); err != nil {
		return nil, err
	}
	var n Network
	if err := statefile.ReadJSON(m.paths.networkFile(name), &n); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("network %q: %w", name, ErrNotFound)
		}
		return nil, fmt.Errorf("network %q: %w", name, err)
	}
	return &n, nil
}

// List returns every network, sorted by name.
func (m *Manager) List() ([]*Network, error) {
	names, err := statefile.JSONNames(filepath.Join(m.paths.StateDir, NetworksDir))
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	var out []*Network
	for _, name := range names {
		n, err := m.Get(name)
		if errors.Is(err, ErrNotFound) {
			continue // removed while we listed
		}
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// Remove deletes a network: its bridge, conflist, IPAM leases and state file. It is
// idempotent and finishes a removal that was interrupted. It fails with ErrInUse
// while a container is attached (or attaching).
func (m *Manager) Remove(ctx context.Context, name string) error {
	if err := checkName(names.Network, name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	unlock, err := m.lockNetworks(ctx)
	if err != nil {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	defer unlock()

	users, err := m.usersOf(name)
	if err != nil {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	departed, err := m.departed(name)
	if err != nil {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	if len(users) > 0 {
		if err := m.detachDeparted(ctx, name, departed); err != nil {
			return fmt.Errorf("remove network %q: %w", name, err)
		}
		return fmt.Errorf("remove network %q: %w by container(s) %s", name, ErrInUse, strings.Join(users, ", "))
	}
	// Without its state file, IPv6 rules may be there too: both families are cleaned.
	bridge, ipv6 := bridgeName(m.paths.StateDir, name), true
	if n, err := m.Get(name); err == nil {
		bridge, ipv6 = n.Bridge, n.Subnet6 != ""
	}
	if err := m.removeDeparted(ctx, name, ipv6, departed); err != nil {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	// The conflist before the rules and the bridge: a Remove killed from here on
	// leaves a network that the next attachment makes whole again (finishNetworks),
	// or the next Remove finishes.
	if err := statefile.Remove(m.paths.conflistFile(name)); err != nil {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	if err := unisolate(bridge, ipv6); err != nil {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	if err := deleteBridge(bridge); err != nil {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	if err := os.RemoveAll(filepath.Join(m.paths.ipamDataDir(), name)); err != nil {
		return fmt.Errorf("remove network %q: leases: %w", name, err)
	}
	// Last, so that an interrupted Remove still finds the network to finish.
	if err := statefile.Remove(m.paths.networkFile(name)); err != nil {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	return nil
}

// usersOf lists the containers attached or attaching to a network, by name (by ID
// when the record has none).
func (m *Manager) usersOf(network string) ([]string, error) {
	eps, err := m.records(EndpointsDir, pendingDir)
	if err != nil {
		return nil, err
	}
	var users []string
	seen := map[string]bool{}
	for _, ep := range eps {
		if ep.attachedTo(network) && !seen[ep.ContainerID] {
			seen[ep.ContainerID] = true
			users = append(users, cmp.Or(ep.ContainerName, ep.ContainerID))
		}
	}
	return users, nil
}
