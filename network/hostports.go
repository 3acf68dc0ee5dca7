package network

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// berth publishes a port with DNAT rules, not a listening socket: a program that
// binds the port finds it free, and one that listened first is answered by the
// container instead. So a host port is taken when a program listens on it (a bind
// probe sees it) or when a container of berth publishes it (its records say so,
// in any of berth's containerd namespaces: they share the host's ports).

// CheckHostPorts refuses, before anything is made, a fixed host port of ports that
// a host program holds or that a container of berth publishes, other than those of
// project in this namespace (a recreate keeps its container's ports). The error
// names the port and, where berth made it, the container. Ports picked by berth
// (host port 0, ranges) are settled when the container is made.
func (m *Manager) CheckHostPorts(project string, ports []Port) error {
	// The records of every namespace are read only for a fixed host port: most
	// services publish none, and up checks each service.
	published := sync.OnceValues(func() ([]usedPort, error) {
		return m.publishedPorts(func(ep *Endpoint, home bool) bool { return home && ep.Project == project })
	})
	for _, p := range ports {
		p.Protocol = cmp.Or(strings.ToLower(p.Protocol), "tcp")
		if err := checkSCTP(p); err != nil {
			return err
		}
		if a, err := netip.ParseAddr(p.HostIP); err == nil && a.Is6() && !a.Is4In6() {
			if err := checkIPv6Host(p); err != nil {
				return err
			}
		}
		if p.HostPort == 0 || p.HostPortEnd > p.HostPort {
			continue
		}
		p.HostPortEnd = 0
		if p.HostIP == "0.0.0.0" {
			p.HostIP = ""
		}
		used, err := published()
		if err != nil {
			return err
		}
		if who, taken := owner(p, used); taken {
			return fmt.Errorf("%w: %s is published by %s", ErrPortAllocated, p, who)
		}
		if err := bindProbe(p); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrPortAllocated, p, err)
		}
	}
	return nil
}

// publishedPorts lists the host ports berth's containers publish, from the endpoint
// and pending records of every namespace under the state root, but those skip
// says to leave out (home: the record is of this Manager's namespace).
func (m *Manager) publishedPorts(skip func(ep *Endpoint, home bool) bool) ([]usedPort, error) {
	root := filepath.Dir(m.paths.StateDir)
	dirs := []string{m.paths.StateDir}
	if entries, err := os.ReadDir(root); err == nil {
		for _, e := range entries {
			if dir := filepath.Join(root, e.Name()); e.IsDir() && dir != m.paths.StateDir {
				dirs = append(dirs, dir)
			}
		}
	}
	var used []usedPort
	for i, dir := range dirs {
		eps, err := readRecords(dir, EndpointsDir, pendingDir)
		if err != nil && i == 0 {
			return nil, err
		}
		// Another namespace whose records cannot be read is its own trouble, and
		// must not stop this one's containers.
		for _, ep := range eps {
			if skip(ep, i == 0) {
				continue
			}
			who := "container " + cmp.Or(ep.ContainerName, ep.ContainerID)
			if i > 0 {
				who += " (containerd namespace " + filepath.Base(dir) + ")"
			}
			for _, p := range ep.Ports {
				used = append(used, usedPort{Port: p, Owner: who})
			}
		}
	}
	return used, nil
}

// bindProbe binds the port and lets it go at once: an error says a program holds
// it (or the address is not this host's).
func bindProbe(p Port) error {
	addr := net.JoinHostPort(p.HostIP, strconv.Itoa(int(p.HostPort)))
	var err error
	switch p.Protocol {
	case "udp":
		var c net.PacketConn
		if c, err = net.ListenPacket(p.family(), addr); err == nil {
			c.Close()
		}
	case "tcp":
		var l net.Listener
		listen := net.Listen
		if loopbackProxied(p) {
			// The agent's proxy of a container being replaced may hold it yet.
			listen = func(network, addr string) (net.Listener, error) {
				return reusePort.Listen(context.Background(), network, addr)
			}
		}
		if l, err = listen(p.family(), addr); err == nil {
			l.Close()
		}
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err // "address already in use", without Go's listen/bind chain
	}
	return err
}

// portFree says whether a program could bind the port now (sctp is not tried).
func portFree(p Port) bool { return bindProbe(p) == nil }
