package network

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// normalizePorts checks published ports and fills defaults: protocol "tcp", and a
// free host port for HostPort 0 (Docker's "ports: [80]"). berth networks are IPv4,
// so an IPv6 host IP is refused rather than silently ignored by portmap.
func normalizePorts(ports []Port) ([]Port, error) {
	out := make([]Port, 0, len(ports))
	for _, p := range ports {
		p.Protocol = strings.ToLower(p.Protocol)
		if p.Protocol == "" {
			p.Protocol = "tcp"
		}
		if p.Protocol != "tcp" && p.Protocol != "udp" && p.Protocol != "sctp" {
			return nil, fmt.Errorf("%w: port %d: protocol %q (want tcp, udp or sctp)", ErrInvalid, p.ContainerPort, p.Protocol)
		}
		if p.ContainerPort == 0 {
			return nil, fmt.Errorf("%w: published port without a container port", ErrInvalid)
		}
		if p.HostIP != "" {
			a, err := netip.ParseAddr(p.HostIP)
			if err != nil || !a.Is4() {
				return nil, fmt.Errorf("%w: port %d: host IP %q: only IPv4 addresses are supported", ErrInvalid, p.ContainerPort, p.HostIP)
			}
			if a.IsUnspecified() {
				p.HostIP = "" // 0.0.0.0 means every address, as "" does
			}
		}
		if p.HostPort == 0 {
			hp, err := freePort(p.HostIP, p.Protocol)
			if err != nil {
				return nil, fmt.Errorf("port %d/%s: pick a host port: %w", p.ContainerPort, p.Protocol, err)
			}
			p.HostPort = hp
		}
		out = append(out, p)
	}
	return out, nil
}

// freePort asks the kernel for a port nobody listens on. Nothing holds it afterwards,
// so it can race with another program; Docker's userland proxy has the same gap
// without the proxy.
func freePort(hostIP, proto string) (uint16, error) {
	addr := net.JoinHostPort(hostIP, "0")
	var port string
	switch proto {
	case "udp":
		c, err := net.ListenPacket("udp4", addr)
		if err != nil {
			return 0, err
		}
		_, port, _ = net.SplitHostPort(c.LocalAddr().String())
		c.Close()
	default:
		l, err := net.Listen("tcp4", addr)
		if err != nil {
			return 0, err
		}
		_, port, _ = net.SplitHostPort(l.Addr().String())
		l.Close()
	}
	n, err := strconv.ParseUint(port, 10, 16)
	return uint16(n), err
}

// portMappings is the portmap plugin's "portMappings" capability argument.
func portMappings(ports []Port) []map[string]any {
	pm := make([]map[string]any, 0, len(ports))
	for _, p := range ports {
		m := map[string]any{
			"hostPort":      int(p.HostPort),
			"containerPort": int(p.ContainerPort),
			"protocol":      p.Protocol,
		}
		if p.HostIP != "" {
			m["hostIP"] = p.HostIP
		}
		pm = append(pm, m)
	}
	return pm
}

// portsMatch says whether recorded ports satisfy requested ones (a requested host
// port 0 matches whatever port was picked for it).
func portsMatch(have, want []Port) bool {
	if len(have) != len(want) {
		return false
	}
	for i := range want {
		h, w := have[i], want[i]
		if w.HostPort == 0 {
			w.HostPort = h.HostPort
		}
		if w.Protocol == "" {
			w.Protocol = "tcp"
		}
		if w.HostIP == "0.0.0.0" {
			w.HostIP = ""
		}
		if !strings.EqualFold(h.Protocol, w.Protocol) || h.HostIP != w.HostIP || h.HostPort != w.HostPort || h.ContainerPort != w.ContainerPort {
			return false
		}
	}
	return true
}
