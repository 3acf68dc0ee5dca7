package network

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// normalizePorts checks published ports and fills defaults: protocol "tcp", and a
// free host port for HostPort 0 (Docker's "ports: [80]") or a range. used are the
// ports other containers publish: asking for one of them is ErrPortAllocated, and
// none of them is picked. Host IPs are IPv4: portmap cannot forward from IPv6's
// loopback, so an IPv6 host IP is refused rather than half done.
func normalizePorts(ports []Port, used []usedPort) ([]Port, error) {
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
		if err := checkSCTP(p); err != nil {
			return nil, err
		}
		if p.HostIP != "" {
			a, err := netip.ParseAddr(p.HostIP)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%w: port %d: host IP %q is not an IP address", ErrInvalid, p.ContainerPort, p.HostIP)
			}
			if a.Is4In6() {
				a = a.Unmap()
			}
			if a.Is6() {
				if err := checkIPv6Host(p); err != nil {
					return nil, err
				}
			}
			p.HostIP = a.String()
			if a == netip.IPv4Unspecified() {
				p.HostIP = "" // 0.0.0.0 means every address, as "" does
			}
		}
		if err := pickHostPort(&p, used); err != nil {
			return nil, err
		}
		// The container's own ports count as used for its next ones.
		used = append(used, usedPort{Port: p, Owner: "this container"})
		out = append(out, p)
	}
	return out, nil
}

// usedPort is a host port some container publishes.
type usedPort struct {
	Port
	Owner string
}

// clashes says whether two published ports take the same host port: same protocol
// and port, and the same host IP or one of them on every address.
func clashes(a, b Port) bool {
	return a.HostPort == b.HostPort && strings.EqualFold(a.Protocol, b.Protocol) &&
		(a.HostIP == "" || b.HostIP == "" || a.HostIP == b.HostIP)
}

func owner(p Port, used []usedPort) (string, bool) {
	for _, u := range used {
		if clashes(p, u.Port) {
			return u.Owner, true
		}
	}
	return "", false
}

// pickHostPort settles p.HostPort: the one asked for, unless used; for a range the
// first port of it that neither a container publishes nor a program listens on; for
// 0 one the kernel says is free and no container publishes.
func pickHostPort(p *Port, used []usedPort) error {
	switch {
	case p.HostPort != 0 && p.HostPortEnd <= p.HostPort:
		p.HostPortEnd = 0
		if who, taken := owner(*p, used); taken {
			return fmt.Errorf("%w: %s is published by %s", ErrPortAllocated, p, who)
		}
		if err := bindProbe(*p); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrPortAllocated, p, err)
		}
		return nil
	case p.HostPort != 0:
		for hp := uint32(p.HostPort); hp <= uint32(p.HostPortEnd); hp++ {
			try := *p
			try.HostPort, try.HostPortEnd = uint16(hp), 0
			if _, taken := owner(try, used); !taken && portFree(try) {
				*p = try
				return nil
			}
		}
		return fmt.Errorf("%w: no port of %d-%d/%s is free", ErrPortAllocated, p.HostPort, p.HostPortEnd, p.Protocol)
	}
	for range 50 {
		hp, err := freePort(*p)
		if err != nil {
			return fmt.Errorf("port %d/%s: pick a host port: %w", p.ContainerPort, p.Protocol, err)
		}
		try := *p
		try.HostPort = hp
		if _, taken := owner(try, used); !taken {
			*p = try
			return nil
		}
	}
	return fmt.Errorf("%w: port %d/%s: every port the kernel offered is published already", ErrPortAllocated, p.ContainerPort, p.Protocol)
}

// String is how an error names a published port: "127.0.0.1:8080/tcp",
// "[::1]:8080/tcp".
func (p Port) String() string {
	ip := p.HostIP
	if ip == "" {
		ip = "0.0.0.0"
	}
	return fmt.Sprintf("%s/%s", net.JoinHostPort(ip, strconv.Itoa(int(p.HostPort))), p.Protocol)
}

// family is the socket network of the port's protocol and host IP: "tcp4", "udp6".
func (p Port) family() string {
	proto := "tcp"
	if p.Protocol == "udp" {
		proto = "udp"
	}
	if a, err := netip.ParseAddr(p.HostIP); err == nil && a.Is6() {
		return proto + "6"
	}
	return proto + "4"
}

// freePort asks the kernel for a port nobody listens on. Nothing holds it afterwards,
// so it can race with another program; Docker's userland proxy has the same gap
// without the proxy.
func freePort(p Port) (uint16, error) {
	addr := net.JoinHostPort(p.HostIP, "0")
	var port string
	switch p.Protocol {
	case "udp":
		c, err := net.ListenPacket(p.family(), addr)
		if err != nil {
			return 0, err
		}
		_, port, _ = net.SplitHostPort(c.LocalAddr().String())
		c.Close()
	default:
		l, err := net.Listen(p.family(), addr)
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
		if w.HostPort == 0 || (w.HostPortEnd > w.HostPort && h.HostPort >= w.HostPort && h.HostPort <= w.HostPortEnd) {
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
