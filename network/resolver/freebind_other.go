//go:build !linux

package resolver

import "syscall"

// freebind is Linux-only; elsewhere a gateway must exist before it is bound.
func freebind(network, address string, c syscall.RawConn) error { return nil }
