package network

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/coreos/go-iptables/iptables"
)

// TestIsolationStaysFirst: berth's isolation jump loses its place at the head of
// FORWARD when a host tool flushes FORWARD or when another CNI user's firewall
// plugin inserts CNI-FORWARD (whose accept rules let every container out) ahead of
// it. Attaching a container puts berth's jump first again, and a container of one
// project still cannot reach another project's. berth itself no longer runs the
// firewall plugin, so the test makes CNI-FORWARD where the host has none, and
// takes it away again (undo) before the host is compared with how it was.
func TestIsolationStaysFirst(t *testing.T) {
	const cniForward = "CNI-FORWARD"
	cniJump := []string{"-m", "comment", "--comment", "CNI firewall plugin rules", "-j", cniForward}
	for _, tc := range []struct {
		name    string
		disturb func(ipt *iptables.IPTables) (undo func() error, err error)
	}{
		{"FORWARD flushed", func(ipt *iptables.IPTables) (func() error, error) {
			// What `iptables -F FORWARD` does to berth's rules, leaving the host's own alone.
			return func() error { return nil }, ipt.DeleteIfExists("filter", "FORWARD", "-j", isolationStage1)
		}},
		{"CNI-FORWARD inserted first", func(ipt *iptables.IPTables) (func() error, error) {
			undo := func() error { return nil }
			exists, err := ipt.ChainExists("filter", cniForward)
			if err != nil {
				return undo, err
			}
			if !exists {
				if err := ipt.NewChain("filter", cniForward); err != nil {
					return undo, err
				}
				undo = func() error {
					if err := ipt.DeleteIfExists("filter", "FORWARD", cniJump...); err != nil {
						return err
					}
					return ipt.DeleteChain("filter", cniForward)
				}
			}
			if err := ipt.DeleteIfExists("filter", "FORWARD", cniJump...); err != nil {
				return undo, err
			}
			return undo, ipt.Insert("filter", "FORWARD", 1, cniJump...)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := rootManager(t)
			ctx := context.Background()
			before := inventory(t, m)
			if _, err := m.Ensure(ctx, Config{Name: "isoa_default", Project: "isoa", IPv6: true}); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Ensure(ctx, Config{Name: "isob_default", Project: "isob"}); err != nil {
				t.Fatal(err)
			}
			attach := func(id, network string) *Endpoint {
				t.Helper()
				netns, err := m.CreateNetNS(id)
				if err != nil {
					t.Fatal(err)
				}
				ep, err := m.Setup(ctx, Endpoint{ContainerID: id, Project: strings.SplitN(network, "_", 2)[0], NetNS: netns},
					[]Attachment{{Network: network}}, nil)
				if err != nil {
					t.Fatal(err)
				}
				return ep
			}
			a := attach("iso-a1", "isoa_default")
			b := attach("iso-b1", "isob_default")
			serveInNS(t, b.NetNS, 8080, "B")
			bAddr := net.JoinHostPort(b.Networks[0].IP, "8080")
			unreachable := func(when string) {
				t.Helper()
				if got, err := dial(a.NetNS, "tcp4", bAddr); err == nil {
					t.Fatalf("%s: project isoa's container reached project isob's at %s: %q\nFORWARD:\n%s",
						when, bAddr, got, strings.Join(forwardRules(t, iptables.ProtocolIPv4), "\n"))
				}
			}
			unreachable("before the disturbance")

			var undos []func() error
			for _, proto := range []iptables.Protocol{iptables.ProtocolIPv4, iptables.ProtocolIPv6} {
				ipt, err := iptables.NewWithProtocol(proto)
				if err != nil {
					t.Fatal(err)
				}
				undo, err := tc.disturb(ipt)
				undos = append(undos, undo)
				if err != nil {
					t.Fatal(err)
				}
			}
			attach("iso-a2", "isoa_default")

			for _, proto := range []iptables.Protocol{iptables.ProtocolIPv4, iptables.ProtocolIPv6} {
				rules := forwardRules(t, proto)
				if len(rules) < 2 || rules[1] != "-A FORWARD -j "+isolationStage1 {
					t.Errorf("family %v: berth's jump is not FORWARD's first rule:\n%s", proto, strings.Join(rules, "\n"))
				}
				if n := strings.Count(strings.Join(rules, "\n"), "-j "+isolationStage1); n != 1 {
					t.Errorf("family %v: %d jumps to %s, want 1", proto, n, isolationStage1)
				}
			}
			unreachable("after a container was attached")

			for _, undo := range undos {
				if err := undo(); err != nil {
					t.Fatal(err)
				}
			}
			cleanupAll(t, m)
			assertSame(t, "after removal", before, inventory(t, m))
		})
	}
}

func forwardRules(t *testing.T, proto iptables.Protocol) []string {
	t.Helper()
	ipt, err := iptables.NewWithProtocol(proto)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := ipt.List("filter", "FORWARD")
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// TestGuardsIn: an attachment repairs berth's rules only when the listing of the
// filter table lacks one: the isolation jump first in FORWARD, the forwarding jump,
// the loopback guard's jump first in INPUT and each bridge's rule in it.
func TestGuardsIn(t *testing.T) {
	nets := []*Network{{Bridge: "berth0000000001"}, {Bridge: "berth0000000002"}}
	whole := `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
-A INPUT -j BERTH-LOCALNET
-A INPUT -p tcp -j ACCEPT
-A FORWARD -j BERTH-ISOLATION-1
-A FORWARD -j BERTH-FORWARD
-A FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD
-A BERTH-LOCALNET ! -s 127.0.0.0/8 -d 127.0.0.0/8 -i berth0000000001 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A BERTH-LOCALNET ! -s 127.0.0.0/8 -d 127.0.0.0/8 -i berth0000000002 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
COMMIT
`
	if !guardsIn(whole, true, nets) {
		t.Fatal("every guard is in place, but guardsIn says repair")
	}
	for name, edit := range map[string]func(string) string{
		"CNI-FORWARD first": func(s string) string {
			return strings.Replace(s, "-A FORWARD -j BERTH-ISOLATION-1\n", "-A FORWARD -m comment --comment \"CNI firewall plugin rules\" -j CNI-FORWARD\n-A FORWARD -j BERTH-ISOLATION-1\n", 1)
		},
		"FORWARD flushed":    func(s string) string { return strings.ReplaceAll(s, "-A FORWARD -j BERTH-", "-A OTHER -j BERTH-") },
		"no forwarding jump": func(s string) string { return strings.Replace(s, "-A FORWARD -j BERTH-FORWARD\n", "", 1) },
		"INPUT guard second": func(s string) string {
			return strings.Replace(s, "-A INPUT -j BERTH-LOCALNET\n-A INPUT -p tcp -j ACCEPT\n", "-A INPUT -p tcp -j ACCEPT\n-A INPUT -j BERTH-LOCALNET\n", 1)
		},
		"a bridge unguarded": func(s string) string { return strings.Replace(s, "-i berth0000000002 ", "-i berth0000000009 ", 1) },
	} {
		if broken := edit(whole); broken == whole {
			t.Fatalf("%s: the edit changed nothing", name)
		} else if guardsIn(broken, true, nets) {
			t.Errorf("%s: guardsIn says nothing to repair", name)
		}
	}
	// IPv6 has no loopback guard.
	if !guardsIn(strings.ReplaceAll(whole, "-A INPUT -j BERTH-LOCALNET\n", ""), false, nets) {
		t.Error("IPv6 asks for the loopback guard")
	}
}
