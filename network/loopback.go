package network

import (
	"fmt"

	"github.com/coreos/go-iptables/iptables"
)

// loopbackGuard is berth's chain, jumped to first from INPUT, that keeps containers
// off the host's loopback services. portmap's snat sets route_localnet on a bridge
// (so that the host's own 127.0.0.1 reaches published ports), and with it the kernel
// takes packets for 127.0.0.0/8 arriving on the bridge as local ones: a container
// routing that range to its gateway reaches whatever the host binds to 127.0.0.1
// (Kubernetes' CVE-2020-8558). As kubelet does for the same setting, such packets are
// dropped unless they belong to a connection that exists or that a DNAT made (the
// replies of the host's own connections to a published port on 127.0.0.1). IPv4 only:
// IPv6 has no route_localnet, and ::1 is never routed.
const loopbackGuard = "BERTH-LOCALNET"

func loopbackRule(bridge string) []string {
	return []string{"-i", bridge, "-d", "127.0.0.0/8", "!", "-s", "127.0.0.0/8",
		"-m", "conntrack", "!", "--ctstate", "RELATED,ESTABLISHED,DNAT", "-j", "DROP"}
}

// guardLoopback adds a bridge's rule, making the chain and its jump first in INPUT.
// Every bridge gets one, published ports or not: a later container may publish some.
func guardLoopback(bridge string) error {
	ipt, err := iptables.NewWithProtocol(iptables.ProtocolIPv4)
	if err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	if err := ensureChain(ipt, loopbackGuard); err != nil {
		return err
	}
	if err := ipt.AppendUnique("filter", loopbackGuard, loopbackRule(bridge)...); err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	return jumpFirst(ipt, iptables.ProtocolIPv4, "INPUT", loopbackGuard)
}

// unguardLoopback removes a bridge's rule, and the chain when no bridge is left in it.
func unguardLoopback(bridge string) error {
	ipt, err := iptables.NewWithProtocol(iptables.ProtocolIPv4)
	if err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	if ok, err := ipt.ChainExists("filter", loopbackGuard); err != nil {
		return fmt.Errorf("iptables: %w", err)
	} else if !ok {
		return nil
	}
	// Every copy: attachments run concurrently, and each may have added the rule.
	if err := deleteAll(ipt, loopbackGuard, loopbackRule(bridge)...); err != nil {
		return err
	}
	return removeUnused(ipt, "INPUT", loopbackGuard)
}
