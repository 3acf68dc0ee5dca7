package networktest

import "testing"

func TestSnapshotDiff(t *testing.T) {
	a := Snapshot{Bridges: []string{"berth1"}, IPTables: []string{"nat: -A X"}, Shared: []string{"filter: :CNI-FORWARD - "}}
	b := Snapshot{Bridges: []string{"berth1"}, IPTables: []string{"nat: -A Y"}}
	if a.Equal(b) {
		t.Fatal("equal")
	}
	if d := a.Diff(b); d != "+ iptables: nat: -A Y\n- iptables: nat: -A X\n" {
		t.Fatalf("diff %q", d)
	}
	b.IPTables = a.IPTables
	if !a.Equal(b) || a.Counts() != b.Counts() {
		t.Fatal("Shared must not count")
	}
	for _, l := range []string{
		`filter: -A FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD`,
		`nat: -A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT`,
		`nat: :CNI-HOSTPORT-MASQ - `,
	} {
		if !isShared(l) {
			t.Errorf("%s should be shared", l)
		}
	}
	for _, l := range []string{
		`filter: -A CNI-FORWARD -d 10.89.0.2/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
		`nat: -A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \"n\" id: \"c\"" -m multiport --dports 18000 -j CNI-DN-x`,
		`nat: :CNI-DN-0123 - `,
	} {
		if isShared(l) {
			t.Errorf("%s should not be shared", l)
		}
	}
}
