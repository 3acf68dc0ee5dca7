package network

import (
	"fmt"

	"github.com/coreos/go-iptables/iptables"
)

// A network's forwarding and masquerading are rules of its bridge, made with the
// network, as Docker makes them: not rules per container, as the CNI bridge plugin's
// ipMasq and the firewall plugin make them. Those ran about 25 iptables commands
// per container, each reading the whole table, and were most of the CPU an `up` of
// 100 services spent; per bridge, attaching a container runs none.
const (
	// forwardChain accepts a bridge's traffic in FORWARD (which matters on hosts
	// whose FORWARD policy is DROP), jumped to right behind berth's isolation.
	forwardChain = "BERTH-FORWARD"
	// masqueradeChain masquerades what a bridge's containers send elsewhere, jumped
	// to from nat's POSTROUTING.
	masqueradeChain = "BERTH-MASQUERADE"
)

// acceptRules accept what a container sends, and the replies to it. Traffic into a
// container is left as it was with the firewall plugin: only replies.
func acceptRules(bridge string) [][]string {
	return [][]string{
		{"-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"},
		{"-i", bridge, "-j", "ACCEPT"},
	}
}

// masqueradeRule masquerades what leaves a subnet by another link than its bridge,
// multicast aside (as the bridge plugin's rule spared it).
func masqueradeRule(proto iptables.Protocol, subnet, bridge string) []string {
	multicast := "224.0.0.0/4"
	if proto == iptables.ProtocolIPv6 {
		multicast = "ff00::/8"
	}
	return []string{"-s", subnet, "!", "-o", bridge, "!", "-d", multicast, "-j", "MASQUERADE"}
}

// addBridgeRules adds a bridge's rules in one family: forwarding always, masquerading
// unless the network is internal (subnet ""). Callers hold the host rules lock and
// put berth's isolation first in FORWARD afterwards.
func addBridgeRules(ipt *iptables.IPTables, bridge, subnet string) error {
	if err := ensureTableChain(ipt, "filter", forwardChain); err != nil {
		return err
	}
	for _, rule := range acceptRules(bridge) {
		if err := ipt.AppendUnique("filter", forwardChain, rule...); err != nil {
			return fmt.Errorf("iptables: %w", err)
		}
	}
	if err := jumpOnce(ipt, "filter", "FORWARD", forwardChain); err != nil {
		return err
	}
	if subnet == "" {
		return nil
	}
	if err := ensureTableChain(ipt, "nat", masqueradeChain); err != nil {
		return err
	}
	if err := ipt.AppendUnique("nat", masqueradeChain, masqueradeRule(ipt.Proto(), subnet, bridge)...); err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	return jumpOnce(ipt, "nat", "POSTROUTING", masqueradeChain)
}

// deleteBridgeRules deletes a bridge's rules in one family, and berth's chains with
// their jumps once no bridge has a rule in them. The masquerading rule is found by its
// bridge: a network whose state is gone has no subnet to name it by.
func deleteBridgeRules(ipt *iptables.IPTables, bridge string) error {
	for _, c := range []struct{ table, parent, chain string }{
		{"filter", "FORWARD", forwardChain},
		{"nat", "POSTROUTING", masqueradeChain},
	} {
		// iptables-nft reports a missing chain in ways that vary by command: ask first.
		if ok, err := ipt.ChainExists(c.table, c.chain); err != nil {
			return fmt.Errorf("iptables: %w", err)
		} else if !ok {
			continue
		}
		rules, err := ipt.List(c.table, c.chain)
		if err != nil {
			return fmt.Errorf("iptables: %w", err)
		}
		left := 0
		for _, r := range rules[min(1, len(rules)):] { // the first line is the chain's -N
			args := splitRule(r)
			if len(args) < 2 || !mentionsLink(args, bridge) {
				left++
				continue
			}
			if err := ipt.DeleteIfExists(c.table, c.chain, args[2:]...); err != nil {
				return fmt.Errorf("iptables: %w", err)
			}
		}
		if left > 0 {
			continue
		}
		for {
			ok, err := ipt.Exists(c.table, c.parent, "-j", c.chain)
			if err != nil || !ok {
				break
			}
			if err := ipt.Delete(c.table, c.parent, "-j", c.chain); err != nil {
				return fmt.Errorf("iptables: %w", err)
			}
		}
		if err := ipt.ClearAndDeleteChain(c.table, c.chain); err != nil && !isNoChain(err) {
			return fmt.Errorf("iptables: %w", err)
		}
	}
	return nil
}

// mentionsLink says whether a rule's arguments name link as its in or out interface.
func mentionsLink(args []string, link string) bool {
	for i := 0; i+1 < len(args); i++ {
		if (args[i] == "-i" || args[i] == "-o") && args[i+1] == link {
			return true
		}
	}
	return false
}

// jumpOnce adds a jump from parent to chain unless there is one. Where in parent
// does not matter for these chains: FORWARD's order is settled by isolation's jump
// going first, and masquerading rules do not conflict.
func jumpOnce(ipt *iptables.IPTables, table, parent, chain string) error {
	ok, err := ipt.Exists(table, parent, "-j", chain)
	if err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	if ok {
		return nil
	}
	if err := ipt.Insert(table, parent, 1, "-j", chain); err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	return nil
}

// ensureTableChain makes a chain of table unless it exists; two berth processes may
// race to it.
func ensureTableChain(ipt *iptables.IPTables, table, chain string) error {
	ok, err := ipt.ChainExists(table, chain)
	if err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	if ok {
		return nil
	}
	if err := ipt.NewChain(table, chain); err != nil {
		if ok, _ := ipt.ChainExists(table, chain); ok {
			return nil
		}
		return fmt.Errorf("iptables: %w", err)
	}
	return nil
}
