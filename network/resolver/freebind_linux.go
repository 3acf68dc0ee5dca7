package resolver

import (
	"net"
	"syscall"
)

// freebind lets a socket bind a gateway address before the bridge carrying it exists
// (the resolver starts before, and outlives, the networks it serves).
func freebind(network, address string, c syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	level, opt := syscall.SOL_IP, syscall.IP_FREEBIND
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		level, opt = syscall.SOL_IPV6, ipv6Freebind
	}
	var serr error
	if err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), level, opt, 1)
	}); err != nil {
		return err
	}
	return serr
}

// ipv6Freebind is IPV6_FREEBIND (linux/in6.h), which package syscall lacks.
const ipv6Freebind = 78
