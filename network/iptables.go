package network

import (
	"crypto/sha512"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
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

// deleteContainerRules deletes, in one iptables-save and one iptables-restore of the
// family, what the plugins made for containers that are gone: the nat chains named
// in chains (the bridge plugin's masquerade chains, portmap's DNAT chains) with every
// rule that jumps to them, and the firewall plugin's rules in CNI-FORWARD that accept
// traffic from or to one of addrs, once per container that had the address (two
// networks may share a subnet). Whatever is already gone is skipped. The rules go
// in one transaction per table, so no rule is left jumping to a deleted chain.
func deleteContainerRules(proto iptables.Protocol, chains map[string]bool, addrs map[netip.Addr]int) error {
	save, restore := "iptables-save", "iptables-restore"
	if proto == iptables.ProtocolIPv6 {
		save, restore = "ip6tables-save", "ip6tables-restore"
	}
	out, err := exec.Command(save).Output()
	if err != nil {
		return fmt.Errorf("%s: %w", save, commandError(err))
	}
	script := deletionScript(string(out), chains, addrs)
	if script == "" {
		return nil
	}
	cmd := exec.Command(restore, "--noflush", "--wait")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", restore, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// deletionScript is the iptables-restore input that deletes, from the tables in
// saved (iptables-save's output), the chains and rules deleteContainerRules names:
// per table, the rules first, then the chains, flushed and deleted.
func deletionScript(saved string, chains map[string]bool, addrs map[netip.Addr]int) string {
	// How many more rules of each direction may go for each address.
	left := map[string]int{}
	for a, n := range addrs {
		left["-s "+a.String()], left["-d "+a.String()] = n, n
	}
	var script strings.Builder
	var table string
	var rules, dropped []string
	flush := func() {
		if len(rules) == 0 && len(dropped) == 0 {
			return
		}
		fmt.Fprintf(&script, "*%s\n", table)
		for _, r := range rules {
			script.WriteString(r + "\n")
		}
		for _, c := range dropped {
			fmt.Fprintf(&script, "-F %s\n", c)
		}
		for _, c := range dropped {
			fmt.Fprintf(&script, "-X %s\n", c)
		}
		script.WriteString("COMMIT\n")
	}
	for _, line := range strings.Split(saved, "\n") {
		switch {
		case strings.HasPrefix(line, "*"):
			table, rules, dropped = line[1:], nil, nil
		case line == "COMMIT":
			flush()
			table = ""
		case strings.HasPrefix(line, ":"):
			if name, _, _ := strings.Cut(line[1:], " "); table == "nat" && chains[name] {
				dropped = append(dropped, name)
			}
		case strings.HasPrefix(line, "-A "):
			args := splitRule(line)
			if len(args) < 2 || chains[args[1]] {
				continue // the chain's own rules go with -F
			}
			if table == "nat" && jumpsToAny(args, chains) {
				rules = append(rules, "-D"+line[2:])
			}
			if key := acceptedAddress(args); table == "filter" && left[key] > 0 {
				left[key]--
				rules = append(rules, "-D"+line[2:])
			}
		}
	}
	return script.String()
}

func jumpsToAny(args []string, chains map[string]bool) bool {
	for i := 0; i+1 < len(args); i++ {
		if (args[i] == "-j" || args[i] == "-g") && chains[args[i+1]] {
			return true
		}
	}
	return false
}

// acceptedAddress tells a firewall plugin's per-container rule, in CNI-FORWARD
// ACCEPT from (-s) or to (-d) one host address, by "-s ADDR" or "-d ADDR"; "" for
// any other rule.
func acceptedAddress(args []string) string {
	if args[1] != "CNI-FORWARD" || !slices.Contains(args, "ACCEPT") {
		return ""
	}
	for i := 2; i+1 < len(args); i++ {
		if args[i] != "-s" && args[i] != "-d" {
			continue
		}
		if p, err := netip.ParsePrefix(args[i+1]); err == nil && p.IsSingleIP() {
			return args[i] + " " + p.Addr().String()
		}
	}
	return ""
}

// commandError adds a failed command's standard error to its error.
func commandError(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}
