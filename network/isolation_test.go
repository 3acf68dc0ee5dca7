package network

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/coreos/go-iptables/iptables"
)

// TestIsolationStaysFirst: berth's isolation jump loses its place at the head of
// FORWARD when a host tool flushes FORWARD (the firewall plugin's next ADD then puts
// CNI-FORWARD first, whose accept rules let every container out) or when CNI-FORWARD
// is inserted ahead of it. Attaching a container puts berth's jump first again, and
// a container of one project still cannot reach another project's.
func TestIsolationStaysFirst(t *testing.T) {
	for _, tc := range []struct {
		name    string
		disturb func(ipt *iptables.IPTables) error
	}{
		{"FORWARD flushed", func(ipt *iptables.IPTables) error {
			// What `iptables -F FORWARD` does to berth's and the plugins' rules,
			// leaving the host's own alone.
			for _, jump := range []string{isolationStage1, "CNI-FORWARD"} {
				if err := ipt.DeleteIfExists("filter", "FORWARD", "-j", jump); err != nil {
					return err
				}
			}
			return nil
		}},
		{"CNI-FORWARD inserted first", func(ipt *iptables.IPTables) error {
			jump := []string{"-m", "comment", "--comment", "CNI firewall plugin rules", "-j", "CNI-FORWARD"}
			if err := ipt.DeleteIfExists("filter", "FORWARD", jump...); err != nil {
				return err
			}
			return ipt.Insert("filter", "FORWARD", 1, jump...)
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

			for _, proto := range []iptables.Protocol{iptables.ProtocolIPv4, iptables.ProtocolIPv6} {
				ipt, err := iptables.NewWithProtocol(proto)
				if err != nil {
					t.Fatal(err)
				}
				if err := tc.disturb(ipt); err != nil {
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
