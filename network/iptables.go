package network

import (
	"crypto/sha512"
	"fmt"
	"strings"

	"github.com/coreos/go-iptables/iptables"
)

// cniChainName is the plugins' per-container chain name (pkg/utils
// MustFormatChainNameWithPrefix, unchanged since the 0.x releases): "CNI-" + prefix +
// hex(sha512(network+containerID)), cut to 28 characters.
func cniChainName(prefix, network, containerID string) string {
	sum := sha512.Sum512([]byte(network + containerID))
	return fmt.Sprintf("CNI-%s%x", prefix, sum)[:28]
}

// scrubContainerChains removes the per-container nat chains a plugin DEL can leave
// behind: the bridge plugin (1.1.1) skips its masquerade chain when the netns is
// already gone, and portmap does nothing on DEL without the port list. Both chains are
// named from (network, container), so this never touches another container's rules.
// The firewall plugin's rules are keyed by IP only; they are left to its DEL, which
// gets the IP from libcni's cached result.
func scrubContainerChains(network, containerID string) error {
	ipt, err := iptables.New()
	if err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	chains, err := ipt.ListChains("nat")
	if err != nil {
		return fmt.Errorf("iptables: %w", err)
	}
	have := map[string]bool{}
	for _, c := range chains {
		have[c] = true
	}
	for _, chain := range []string{cniChainName("", network, containerID), cniChainName("DN-", network, containerID)} {
		if !have[chain] {
			continue
		}
		for _, parent := range []string{"POSTROUTING", "CNI-HOSTPORT-DNAT"} {
			if !have[parent] {
				continue
			}
			if err := deleteJumps(ipt, "nat", parent, chain); err != nil {
				return err
			}
		}
		if err := ipt.ClearAndDeleteChain("nat", chain); err != nil {
			return fmt.Errorf("iptables: delete chain %s: %w", chain, err)
		}
	}
	return nil
}

// deleteJumps deletes the rules of table/parent that jump to target.
func deleteJumps(ipt *iptables.IPTables, table, parent, target string) error {
	rules, err := ipt.List(table, parent)
	if err != nil {
		return fmt.Errorf("iptables: list %s %s: %w", table, parent, err)
	}
	for _, r := range rules {
		args := splitRule(r)
		if len(args) < 2 || args[0] != "-A" || !jumpsTo(args, target) {
			continue
		}
		if err := ipt.DeleteIfExists(table, parent, args[2:]...); err != nil {
			return fmt.Errorf("iptables: delete %q: %w", r, err)
		}
	}
	return nil
}

func jumpsTo(args []string, target string) bool {
	for i := 0; i+1 < len(args); i++ {
		if (args[i] == "-j" || args[i] == "-g") && args[i+1] == target {
			return true
		}
	}
	return false
}

// splitRule splits a line of `iptables -S` into arguments: words, with double quotes
// grouping and \" escaping inside them (as comments are printed).
func splitRule(line string) []string {
	var args []string
	var cur strings.Builder
	inQuote, inWord := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
		case c == '"':
			inQuote = !inQuote
			inWord = true
		case !inQuote && (c == ' ' || c == '\t'):
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args
}
