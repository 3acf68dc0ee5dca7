package network

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// The kernel cannot DNAT the host's connections to ::1 into a container (IPv6 has
// no route_localnet), so a port published on ::1, or on :: which takes ::1 too, is
// served there by a userland proxy, as docker's is: berth's agent, in the host's
// network, listens on [::1]:PORT and copies each connection to the container's IPv6
// address on the network its ports are published on. The listeners are opened with
// SO_REUSEPORT, and so is the bind probe of such a port, so that the proxy of a
// container being replaced does not count as a program holding the port.

// proxyRescan is how often the proxy re-reads the endpoint records: a published
// port must answer soon after up, and the records are a few small files.
const proxyRescan = time.Second

// loopbackProxied says whether the agent proxies p on [::1].
func loopbackProxied(p Port) bool {
	a, err := netip.ParseAddr(p.HostIP)
	return err == nil && a.Is6() && !a.Is4In6() && (a.IsLoopback() || a.IsUnspecified()) && p.Protocol == "tcp"
}

// reusePort is a net.ListenConfig that sets SO_REUSEPORT.
var reusePort = net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, 0xf /* SO_REUSEPORT */, 1)
	})
	return errors.Join(err, serr)
}}

// ProxyIPv6Loopback serves the ports berth's containers publish on ::1 until ctx
// ends, following the endpoint records of stateDir.
func ProxyIPv6Loopback(ctx context.Context, stateDir string, logf func(string, ...any)) error {
	active := map[uint16]*loopbackListener{}
	defer func() {
		for _, l := range active {
			l.Close()
		}
	}()
	tick := time.NewTicker(proxyRescan)
	defer tick.Stop()
	for {
		want := map[uint16]string{}
		eps, err := readRecords(stateDir, EndpointsDir)
		if err != nil {
			logf("ipv6 loopback proxy: %v", err)
		}
		for _, ep := range eps {
			if len(ep.Networks) == 0 || ep.Networks[0].IPv6 == "" {
				continue
			}
			for _, p := range ep.Ports {
				if loopbackProxied(p) {
					want[p.HostPort] = net.JoinHostPort(ep.Networks[0].IPv6, strconv.Itoa(int(p.ContainerPort)))
				}
			}
		}
		for port, l := range active {
			if want[port] != l.target {
				l.Close()
				delete(active, port)
			}
		}
		for port, target := range want {
			if active[port] != nil {
				continue
			}
			l, err := listenLoopback(ctx, port, target)
			if err != nil {
				logf("ipv6 loopback proxy: [::1]:%d: %v", port, err)
				continue
			}
			active[port] = l
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// loopbackListener is one proxied port.
type loopbackListener struct {
	net.Listener
	target string
}

func listenLoopback(ctx context.Context, port uint16, target string) (*loopbackListener, error) {
	l, err := reusePort.Listen(ctx, "tcp6", net.JoinHostPort("::1", strconv.Itoa(int(port))))
	if err != nil {
		return nil, err
	}
	ll := &loopbackListener{Listener: l, target: target}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return // closed
			}
			go proxyConn(c, target)
		}
	}()
	return ll, nil
}

// proxyConn copies a connection both ways, passing each side's end of writing on.
func proxyConn(in net.Conn, target string) {
	defer in.Close()
	out, err := net.DialTimeout("tcp6", target, 5*time.Second)
	if err != nil {
		return
	}
	defer out.Close()
	var wg sync.WaitGroup
	half := func(dst, src net.Conn) {
		defer wg.Done()
		io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
	}
	wg.Add(2)
	go half(out, in)
	go half(in, out)
	wg.Wait()
}
