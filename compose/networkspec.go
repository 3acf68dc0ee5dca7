package compose

import (
	"fmt"
	"strconv"
	"strings"

	"berth.dev/berth/project"
)

// NetworkSpec is `berth network create` as Docker's takes it: subnets, gateways and
// IP ranges of either family in any order, each paired with its family's subnet.
type NetworkSpec struct {
	Name         string
	Labels       map[string]string
	Internal     bool
	IPv6         bool
	Subnets      []string
	Gateways     []string
	IPRanges     []string
	AuxAddresses map[string]string
	Options      map[string]string // driver options, by Docker's names
}

// network turns the spec into the Network it asks for, refusing what berth cannot make.
func (s NetworkSpec) network() (Network, error) {
	n := Network{Name: s.Name, Labels: s.Labels, Internal: s.Internal, IPv6: s.IPv6, AuxAddresses: s.AuxAddresses}
	if err := project.CheckDriverOpts(s.Options); err != nil {
		return n, fmt.Errorf("%w: network create: %w", project.ErrInvalid, err)
	}
	n.applyDriverOpts(s.Options)
	for _, f := range []struct {
		flag       string
		values     []string
		dst4, dst6 *string
	}{
		{"--subnet", s.Subnets, &n.Subnet, &n.Subnet6},
		{"--gateway", s.Gateways, &n.Gateway, &n.Gateway6},
		{"--ip-range", s.IPRanges, &n.IPRange, &n.IPRange6},
	} {
		for _, v := range f.values {
			dst := f.dst4
			if strings.Contains(v, ":") {
				dst = f.dst6
			}
			if *dst != "" {
				return n, fmt.Errorf("%w: network create: %s given twice for one address family", project.ErrInvalid, f.flag)
			}
			*dst = v
		}
	}
	if n.Subnet6 != "" && !n.IPv6 {
		return n, fmt.Errorf("%w: network create: an IPv6 --subnet needs --ipv6", project.ErrInvalid)
	}
	return n, nil
}

// applyDriverOpts takes the bridge's name and MTU from driver options already checked
// with project.CheckDriverOpts.
func (n *Network) applyDriverOpts(opts map[string]string) {
	n.Bridge = opts[project.DriverOptBridgeName]
	n.MTU, _ = strconv.Atoi(opts[project.DriverOptMTU])
}
