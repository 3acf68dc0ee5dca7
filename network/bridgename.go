package network

import (
	"fmt"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
)

// The MTUs a bridge accepts: IPv4's minimum up to the largest a link can carry.
const (
	minMTU = 68
	maxMTU = 65535
)

// pickBridge names a new network's bridge: berth's own name, or the one asked for,
// which must be valid and neither another berth network's bridge nor a link the
// host already has (berth would take it over and later delete it). Its form is the
// caller's to check (project does, for a compose file); the kernel refuses the rest.
func (m *Manager) pickBridge(cfg Config, existing []*Network) (string, error) {
	if cfg.Bridge == "" {
		return bridgeName(m.paths.StateDir, cfg.Name), nil
	}
	for _, e := range existing {
		if e.Bridge == cfg.Bridge {
			return "", fmt.Errorf("%w: bridge name %q is used by network %q", ErrInvalid, cfg.Bridge, e.Name)
		}
	}
	if _, err := netlinksafe.LinkByName(cfg.Bridge); err == nil {
		return "", fmt.Errorf("%w: bridge name %q: a link of that name exists on the host", ErrInvalid, cfg.Bridge)
	} else if !isLinkNotFound(err) {
		return "", fmt.Errorf("bridge %s: %w", cfg.Bridge, err)
	}
	return cfg.Bridge, nil
}
