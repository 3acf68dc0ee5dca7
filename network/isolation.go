package network

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/coreos/go-iptables/iptables"
)

// Networks are isolated from each other as Docker isolates its bridges: traffic that
// enters from one berth bridge and leaves by another is dropped, in two stages so
// that each bridge needs one rule in each, not one per pair. Traffic to the host's
// uplink passes, except from an internal network, which reaches only its own
// members. The chains are berth's own; the last network removed takes them away.
const (
	isolationStage1 = "BERTH-ISOLATION-1"
	isolationStage2 = "BERTH-ISOLATION-2"
)

func isolationRules(bridge string, internal bool) (stage1, stage2 []string) {
	stage1 = []string{"-i", bridge, "!", "-o", bridge, "-j", isolationStage2}
	if internal {
		stage1 = []string{"-i", bridge, "!", "-o", bridge, "-j", "DROP"}
	}
	return stage1, []string{"-o", bridge, "-j", "DROP"}
}

// protocols are the families a network's bridge is isolated in: IPv4 always, IPv6
// too when it has an IPv6 subnet (ip6tables holds the same chains).
func protocols(ipv6 bool) []iptables.Protocol {
	if ipv6 {
		return []iptables.Protocol{iptables.ProtocolIPv4, iptables.ProtocolIPv6}
	}
	return []iptables.Protocol{iptables.ProtocolIPv4}
}

// isolate adds a network's bridge rules in each family (see protocols): isolation,
// forwarding and masquerading (see bridgerules.go), and its guard of the host's
// loopback (see loopbackGuard).
func isolate(n *Network) error {
	unlock, err := lockHostRules()
	if err != nil {
		return err
	}
	defer unlock()
	if err := guardLoopback(n.Bridge); err != nil {
		return err
	}
	for _, proto := range protocols(n.Subnet6 != "") {
		subnet := n.Subnet
		if proto == iptables.ProtocolIPv6 {
			subnet = n.Subnet6
		}
		if n.Internal {
			subnet = "" // an internal network's containers reach only their subnet
		}
		if err := isolateIn(proto, n.Bridge, subnet, n.Internal); err != nil {
			return err
		}
	}
	return nil
}

// unisolate removes a bridge's rules in each family and its loopback guard, and the
// chains when no bridge is left in them.
func unisolate(bridge string, ipv6 bool) error {
	unlock, err := lockHostRules()
	if err != nil {
		return err
	}
	defer unlock()
	for _, proto := range protocols(ipv6) {
		if err := unisolateIn(proto, bridge); err != nil {
			return err
		}
	}
	return unguardLoopback(bridge)
}

// isolateIn adds a bridge's rules, making the chains when this is the first network,
// and puts the jump from FORWARD to isolation first: before the accept rules, berth's
// own (addBridgeRules, masquerading subnet) and the CNI firewall plugin's of containers
// an older berth attached, which would let the traffic through.
func isolateIn(proto iptables.Protocol, bridge, subnet string, internal bool) error {
	ipt, err := iptables.NewWithProtocol(proto)
	if err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	for _, chain := range []string{isolationStage1, isolationStage2} {
		if err := ensureChain(ipt, chain); err != nil {
			return err
		}
	}
	if err := addBridgeRules(ipt, bridge, subnet); err != nil {
		return err
	}
	if err := jumpFirst(ipt, proto, "FORWARD", isolationStage1); err != nil {
		return err
	}
	stage1, stage2 := isolationRules(bridge, internal)
	if err := ipt.AppendUnique("filter", isolationStage2, stage2...); err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	// Stage 1 last: once it jumps, stage 2 already drops for this bridge.
	if err := ipt.AppendUnique("filter", isolationStage1, stage1...); err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	return nil
}

// guardAttached ends every attachment: it checks that the jump to berth's isolation
// heads FORWARD, in IPv4 and in IPv6 where a network has it, that the jump to berth's
// forwarding accepts is there, and that each network's bridge has its loopback guard
// (see loopbackGuard), first in INPUT; whatever is missing it puts back. A host tool
// that flushes FORWARD takes isolation away, and CNI-FORWARD (the firewall plugin's,
// of containers an older berth attached) accepts all traffic from a container: ahead
// of it, berth's chains must come first. A network made by a berth without the
// guard gets it here, before its first published port. The check is one listing of
// the filter table per family; iptables runs only to repair.
func guardAttached(nets []*Network) error {
	ipv6 := false
	for _, n := range nets {
		ipv6 = ipv6 || n.Subnet6 != ""
	}
	var broken []iptables.Protocol
	for _, proto := range protocols(ipv6) {
		ok, err := guardsInPlace(proto, nets)
		if err != nil {
			return err
		}
		if !ok {
			broken = append(broken, proto)
		}
	}
	if len(broken) == 0 {
		return nil
	}
	unlock, err := lockHostRules()
	if err != nil {
		return err
	}
	defer unlock()
	for _, n := range nets {
		if err := guardLoopback(n.Bridge); err != nil {
			return fmt.Errorf("network %q: loopback guard: %w", n.Name, err)
		}
	}
	for _, proto := range broken {
		ipt, err := iptables.NewWithProtocol(proto)
		if err != nil {
			return fmt.Errorf("iptables: %w", err)
		}
		if ok, err := ipt.ChainExists("filter", forwardChain); err != nil {
			return fmt.Errorf("iptables: %w", err)
		} else if ok {
			if err := jumpOnce(ipt, "filter", "FORWARD", forwardChain); err != nil {
				return err
			}
		}
		if err := keepFirst(ipt, proto, "FORWARD", isolationStage1); err != nil {
			return fmt.Errorf("isolation: %w", err)
		}
	}
	return nil
}

// guardsInPlace reads the filter table of one family (iptables-save) and says whether
// guardAttached has nothing to repair in it.
func guardsInPlace(proto iptables.Protocol, nets []*Network) (bool, error) {
	save := "iptables-save"
	if proto == iptables.ProtocolIPv6 {
		save = "ip6tables-save"
	}
	out, err := exec.Command(save, "-t", "filter").Output()
	if err != nil {
		return false, fmt.Errorf("%s: %w", save, commandError(err))
	}
	return guardsIn(string(out), proto == iptables.ProtocolIPv4, nets), nil
}

// guardsIn is guardsInPlace on iptables-save's output of the filter table.
func guardsIn(saved string, ipv4 bool, nets []*Network) bool {
	first := map[string]string{} // chain → its first rule
	rules := map[string]bool{}
	guarded := map[string]bool{} // bridges with a loopback rule
	for _, line := range strings.Split(saved, "\n") {
		if !strings.HasPrefix(line, "-A ") {
			continue
		}
		rules[line] = true
		args := splitRule(line)
		if _, seen := first[args[1]]; !seen {
			first[args[1]] = line
		}
		for i := 2; args[1] == loopbackGuard && i+1 < len(args); i++ {
			if args[i] == "-i" {
				guarded[args[i+1]] = true
			}
		}
	}
	if first["FORWARD"] != "-A FORWARD -j "+isolationStage1 || !rules["-A FORWARD -j "+forwardChain] {
		return false
	}
	if !ipv4 {
		return true
	}
	if first["INPUT"] != "-A INPUT -j "+loopbackGuard {
		return false
	}
	for _, n := range nets {
		if !guarded[n.Bridge] {
			return false
		}
	}
	return true
}

// keepFirst is jumpFirst where berth's chain target exists.
func keepFirst(ipt *iptables.IPTables, proto iptables.Protocol, parent, target string) error {
	if ok, err := ipt.ChainExists("filter", target); err != nil {
		return fmt.Errorf("iptables: %w", err)
	} else if !ok {
		return nil
	}
	return jumpFirst(ipt, proto, parent, target)
}

// jumpFirst makes the jump from parent (FORWARD, INPUT) to berth's chain target the
// parent's first rule and its only copy. A jump found elsewhere is moved in one
// iptables-restore transaction, so that berth's rules are never off between the
// delete and the insert; a concurrent berth may change the parent between the
// listing and the move, so it is tried again.
func jumpFirst(ipt *iptables.IPTables, proto iptables.Protocol, parent, target string) error {
	restore := "iptables-restore"
	if proto == iptables.ProtocolIPv6 {
		restore = "ip6tables-restore"
	}
	jump := "-A " + parent + " -j " + target // as `iptables -S` prints it
	var err error
	for try := 0; try < 3; try++ {
		var rules []string
		if rules, err = ipt.List("filter", parent); err != nil {
			return fmt.Errorf("iptables: %w", err)
		}
		copies := 0
		for _, r := range rules {
			if r == jump {
				copies++
			}
		}
		first := len(rules) > 1 && rules[1] == jump // rules[0] is the policy
		if first && copies == 1 {
			return nil
		}
		script := "*filter\n" + strings.Repeat("-D "+parent+" -j "+target+"\n", copies) +
			"-I " + parent + " 1 -j " + target + "\nCOMMIT\n"
		cmd := exec.Command(restore, "--noflush", "--wait")
		cmd.Stdin = strings.NewReader(script)
		out, cerr := cmd.CombinedOutput()
		if cerr == nil {
			return nil
		}
		err = fmt.Errorf("%s: %w: %s", restore, cerr, strings.TrimSpace(string(out)))
	}
	return fmt.Errorf("jump from %s to %s: %w", parent, target, err)
}

// deleteAll deletes every copy of a rule from chain: two berth processes may each
// have added one (jumpFirst and the next attachment leave one, so a few rounds are
// plenty).
func deleteAll(ipt *iptables.IPTables, chain string, rule ...string) error {
	for range 8 {
		ok, err := ipt.Exists("filter", chain, rule...)
		if err != nil {
			if isNoChain(err) {
				return nil
			}
			return fmt.Errorf("iptables: %w", err)
		}
		if !ok {
			return nil
		}
		if err := ipt.Delete("filter", chain, rule...); err != nil {
			return fmt.Errorf("iptables: %w", err)
		}
	}
	return nil
}

func unisolateIn(proto iptables.Protocol, bridge string) error {
	ipt, err := iptables.NewWithProtocol(proto)
	if err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	if err := deleteBridgeRules(ipt, bridge); err != nil {
		return err
	}
	// iptables-nft reports a missing chain in ways that vary by command: ask first.
	if ok, err := ipt.ChainExists("filter", isolationStage1); err != nil {
		return fmt.Errorf("iptables: %w", err)
	} else if !ok {
		return nil
	}
	for _, internal := range []bool{false, true} {
		stage1, stage2 := isolationRules(bridge, internal)
		for _, r := range []struct {
			chain string
			rule  []string
		}{{isolationStage1, stage1}, {isolationStage2, stage2}} {
			if err := ipt.DeleteIfExists("filter", r.chain, r.rule...); err != nil && !isNoChain(err) {
				return fmt.Errorf("iptables: %w", err)
			}
		}
	}
	return removeUnused(ipt, "FORWARD", isolationStage1, isolationStage2)
}

// removeUnused removes berth's chains, head (jumped to from parent) and the others it
// jumps to, once head holds no bridge's rule.
func removeUnused(ipt *iptables.IPTables, parent, head string, others ...string) error {
	rules, err := ipt.List("filter", head)
	if err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	if len(rules) > 1 { // the first line is the chain's own -N
		return nil
	}
	if err := deleteAll(ipt, parent, "-j", head); err != nil {
		return err
	}
	for _, chain := range append([]string{head}, others...) {
		if err := ipt.ClearAndDeleteChain("filter", chain); err != nil && !isNoChain(err) {
			return fmt.Errorf("iptables: %w", err)
		}
	}
	return nil
}

// ensureChain makes a chain of the filter table unless it exists.
func ensureChain(ipt *iptables.IPTables, chain string) error {
	return ensureTableChain(ipt, "filter", chain)
}

func isNoChain(err error) bool {
	var e *iptables.Error
	if errors.As(err, &e) && e.IsNotExist() {
		return true
	}
	return strings.Contains(err.Error(), "No chain") || strings.Contains(err.Error(), "does not exist")
}
