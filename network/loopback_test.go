package network

import (
	"context"
	"strings"
	"testing"

	"github.com/coreos/go-iptables/iptables"
)

// TestLoopbackGuardOnAttach: a network's bridge gets its loopback guard when the
// network is made, and again when a container is attached to a network made by a
// berth that had no guard; Remove takes it away.
func TestLoopbackGuardOnAttach(t *testing.T) {
	m := rootManager(t)
	ctx := context.Background()
	before := inventory(t, m)
	ipt, err := iptables.NewWithProtocol(iptables.ProtocolIPv4)
	if err != nil {
		t.Fatal(err)
	}
	guarded := func(bridge string) bool {
		t.Helper()
		ok, err := ipt.Exists("filter", loopbackGuard, loopbackRule(bridge)...)
		if err != nil && !isNoChain(err) {
			t.Fatal(err)
		}
		rules, err := ipt.List("filter", "INPUT")
		if err != nil {
			t.Fatal(err)
		}
		return ok && len(rules) > 1 && rules[1] == "-A INPUT -j "+loopbackGuard
	}
	n, err := m.Ensure(ctx, Config{Name: "lg_default", Project: "lg"})
	if err != nil {
		t.Fatal(err)
	}
	if !guarded(n.Bridge) {
		t.Fatalf("network made without its loopback guard first in INPUT")
	}
	if err := unguardLoopback(n.Bridge); err != nil { // as a berth without the guard made it
		t.Fatal(err)
	}
	netns, err := m.CreateNetNS("lg-a")
	if err != nil {
		t.Fatal(err)
	}
	ports := freeHostPorts(t, 1)
	if _, err := m.Setup(ctx, Endpoint{ContainerID: "lg-a", Project: "lg", NetNS: netns},
		[]Attachment{{Network: "lg_default"}}, []Port{{HostPort: ports[0], ContainerPort: 80}}); err != nil {
		t.Fatal(err)
	}
	if !guarded(n.Bridge) {
		rules, _ := ipt.List("filter", "INPUT")
		t.Fatalf("attaching a container with a published port left the bridge unguarded:\n%s", strings.Join(rules, "\n"))
	}
	cleanupAll(t, m)
	assertSame(t, "after removal", before, inventory(t, m))
}
