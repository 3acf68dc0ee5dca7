package network

import (
	"path/filepath"

	"berth.dev/berth/internal/names"
)

// DefaultPluginDirs are searched for CNI plugins: Debian's containernetworking-plugins
// installs them in /usr/lib/cni, the upstream release tarballs in /opt/cni/bin.
var DefaultPluginDirs = []string{"/usr/lib/cni", "/opt/cni/bin"}

// Paths says where the package keeps its files.
type Paths struct {
	StateDir   string   // /var/lib/berth/<namespace>: networks/, endpoints/, cni/, ipam/, cni-cache/, locks
	RunDir     string   // /run/berth/<namespace>: netns/<containerID> bind mounts
	PluginDirs []string // CNI plugin directories; nil means DefaultPluginDirs
}

// DefaultPaths are the documented locations for a containerd namespace.
func DefaultPaths(namespace string) Paths {
	return Paths{
		StateDir:   filepath.Join("/var/lib/berth", namespace),
		RunDir:     filepath.Join("/run/berth", namespace),
		PluginDirs: DefaultPluginDirs,
	}
}

const (
	pendingDir  = "pending"
	cniDir      = "cni"
	ipamDir     = "ipam"
	cniCacheDir = "cni-cache"
	netnsDir    = "netns"
	networkLock = "networks.lock"
)

func (p Paths) networkFile(name string) string {
	return filepath.Join(p.StateDir, NetworksDir, name+".json")
}
func (p Paths) conflistFile(name string) string {
	return filepath.Join(p.StateDir, cniDir, name+".conflist")
}
func (p Paths) endpointFile(id string) string {
	return filepath.Join(p.StateDir, EndpointsDir, id+".json")
}
func (p Paths) pendingFile(id string) string {
	return filepath.Join(p.StateDir, pendingDir, id+".json")
}
func (p Paths) ipamDataDir() string        { return filepath.Join(p.StateDir, ipamDir) }
func (p Paths) lockFile() string           { return filepath.Join(p.StateDir, networkLock) }
func (p Paths) portsLockFile() string      { return filepath.Join(p.StateDir, "locks", ".ports.lock") }
func (p Paths) cniCache() string           { return filepath.Join(p.StateDir, cniCacheDir) }
func (p Paths) netnsDir() string           { return filepath.Join(p.RunDir, netnsDir) }
func (p Paths) netnsFile(id string) string { return filepath.Join(p.RunDir, netnsDir, id) }

// Layout is where the package keeps what it makes, for an inventory of it:
// network/networktest's Layout has the same fields, so a test converts one into
// the other (networktest.Layout(p.Layout())).
type Layout struct {
	RunDir, NetNS, IPAM, Networks, Endpoints, Pending, Departed, CNI, CNICache string
	// BridgeAliasPrefix marks, in its alias, a bridge berth made under a name of
	// the network's choosing.
	BridgeAliasPrefix string
}

// Layout is p's Layout.
func (p Paths) Layout() Layout {
	return Layout{
		RunDir: p.RunDir, NetNS: p.netnsDir(), IPAM: p.ipamDataDir(),
		Networks: filepath.Join(p.StateDir, NetworksDir), Endpoints: filepath.Join(p.StateDir, EndpointsDir),
		Pending: filepath.Join(p.StateDir, pendingDir), Departed: filepath.Join(p.StateDir, departedDir),
		CNI: filepath.Join(p.StateDir, cniDir), CNICache: p.cniCache(), BridgeAliasPrefix: bridgeAliasPrefix,
	}
}

// Names become file names, CNI network names and container IDs: berth's one rule for
// names that become paths (internal/names) checks them, and the error stays an
// ErrInvalid of this package.
func checkName(kind names.Kind, s string) error {
	if err := names.Check(kind, s); err != nil {
		return invalidName{err}
	}
	return nil
}

type invalidName struct{ error }

func (e invalidName) Is(target error) bool { return target == ErrInvalid }
func (e invalidName) Unwrap() error        { return e.error }
