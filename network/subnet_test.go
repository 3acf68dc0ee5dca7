package network

import (
	"berth.dev/berth/internal/statefile"

	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func TestAllocateSubnet(t *testing.T) {
	cases := []struct {
		name   string
		used   []usedSubnet
		routes []hostRoute
		want   string
	}{
		{name: "empty host", want: "10.89.0.0/24"},
		{name: "default route ignored", routes: []hostRoute{{Dst: pfx("0.0.0.0/0"), Dev: "eth0"}}, want: "10.89.0.0/24"},
		{
			name:   "skips berth networks and routes",
			used:   []usedSubnet{{"a", pfx("10.89.0.0/24")}},
			routes: []hostRoute{{Dst: pfx("10.89.1.0/24"), Dev: "eth1"}, {Dst: pfx("10.89.2.128/25"), Dev: "tun0"}},
			want:   "10.89.3.0/24",
		},
		{name: "route covering a whole block", routes: []hostRoute{{Dst: pfx("10.89.0.0/16")}}, want: "10.90.0.0/24"},
		{name: "host route inside the pool", routes: []hostRoute{{Dst: pfx("10.89.0.7/32")}}, want: "10.89.1.0/24"},
		{name: "larger berth network", used: []usedSubnet{{"big", pfx("10.89.0.0/22")}}, want: "10.89.4.0/24"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := allocateSubnet(defaultPool, c.used, c.routes)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestAllocateSubnetExhausted(t *testing.T) {
	_, err := allocateSubnet(defaultPool, nil, []hostRoute{{Dst: pfx("10.0.0.0/8"), Dev: "vpn0"}})
	if !errors.Is(err, ErrPoolExhausted) {
		t.Fatalf("got %v, want ErrPoolExhausted", err)
	}
}

func TestAllocateSubnetPoolOrder(t *testing.T) {
	// Every /24 of a pool is handed out once, in order, block after block.
	pool := []netip.Prefix{pfx("10.89.0.0/23"), pfx("10.90.0.0/23")}
	want := []string{"10.89.0.0/24", "10.89.1.0/24", "10.90.0.0/24", "10.90.1.0/24"}
	var used []usedSubnet
	for i, w := range want {
		p, err := allocateSubnet(pool, used, nil)
		if err != nil || p.String() != w {
			t.Fatalf("allocation %d: %v %v, want %s", i, p, err, w)
		}
		used = append(used, usedSubnet{Network: p.String(), Prefix: p})
	}
	if _, err := allocateSubnet(pool, used, nil); !errors.Is(err, ErrPoolExhausted) {
		t.Fatalf("after the whole pool: %v", err)
	}
	if len(defaultPool) != 11 || defaultPool[0] != pfx("10.89.0.0/16") || defaultPool[10] != pfx("10.99.0.0/16") {
		t.Fatalf("default pool %v", defaultPool)
	}
}

// testManager is a Manager on temp dirs whose host routes are given, for tests that
// need no root: plan() reads state and routes but touches nothing on the host.
func testManager(t *testing.T, routes ...hostRoute) *Manager {
	t.Helper()
	m := NewManager(Paths{StateDir: t.TempDir(), RunDir: t.TempDir()})
	m.routes = func() ([]hostRoute, error) { return routes, nil }
	return m
}

func writeNetwork(t *testing.T, m *Manager, name, subnet string) {
	t.Helper()
	if err := statefile.WriteJSON(m.paths.networkFile(name), &Network{Name: name, Subnet: subnet}, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPlanExplicitSubnet(t *testing.T) {
	m := testManager(t, hostRoute{Dst: pfx("192.168.7.0/24"), Dev: "wlan0"})
	writeNetwork(t, m, "proj_a", "10.89.0.0/24")

	n, err := m.plan(Config{Name: "proj_b", Subnet: "172.30.5.9/24"})
	if err != nil {
		t.Fatal(err)
	}
	if n.Subnet != "172.30.5.0/24" || n.Gateway != "172.30.5.1" {
		t.Fatalf("subnet %s gateway %s", n.Subnet, n.Gateway)
	}
	if len(n.Bridge) != 15 || !strings.HasPrefix(n.Bridge, "berth") {
		t.Fatalf("bridge name %q", n.Bridge)
	}

	for _, c := range []struct{ subnet, mentions string }{
		{"10.89.0.0/16", `network "proj_a" (10.89.0.0/24)`},
		{"10.89.0.128/25", `network "proj_a"`},
		{"192.168.0.0/16", "host route 192.168.7.0/24 dev wlan0"},
	} {
		_, err := m.plan(Config{Name: "proj_b", Subnet: c.subnet})
		if !errors.Is(err, ErrOverlap) {
			t.Fatalf("%s: got %v, want ErrOverlap", c.subnet, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, `"proj_b"`) || !strings.Contains(msg, c.mentions) {
			t.Fatalf("%s: error %q should name proj_b and %s", c.subnet, msg, c.mentions)
		}
	}
}

func TestPlanAllocates(t *testing.T) {
	m := testManager(t, hostRoute{Dst: pfx("10.89.1.0/24"), Dev: "podman1"})
	writeNetwork(t, m, "x_default", "10.89.0.0/24")
	n, err := m.plan(Config{Name: "y_default"})
	if err != nil {
		t.Fatal(err)
	}
	if n.Subnet != "10.89.2.0/24" || n.Gateway != "10.89.2.1" {
		t.Fatalf("got %s gw %s", n.Subnet, n.Gateway)
	}
}

func TestPlanInvalid(t *testing.T) {
	m := testManager(t)
	for _, cfg := range []Config{
		{Name: "n", Subnet: "fd00::/64"},
		{Name: "n", Subnet: "10.1.2.3/31"},
		{Name: "n", Subnet: "nonsense"},
		{Name: "n", Subnet: "10.1.2.0/24", Gateway: "10.1.3.1"},
		{Name: "n", Subnet: "10.1.2.0/24", Gateway: "10.1.2.0"},
		{Name: "n", Subnet: "10.1.2.0/24", Gateway: "10.1.2.255"},
		{Name: "n", Gateway: "10.1.2.1"},
	} {
		if _, err := m.plan(cfg); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: got %v, want ErrInvalid", cfg, err)
		}
	}
	n, err := m.plan(Config{Name: "n", Subnet: "10.1.2.0/24", Gateway: "10.1.2.254"})
	if err != nil || n.Gateway != "10.1.2.254" {
		t.Fatalf("explicit gateway: %v %+v", err, n)
	}
}

func TestNames(t *testing.T) {
	m := testManager(t)
	for _, bad := range []string{"", "../x", "a/b", "-x", "a b"} {
		if _, err := m.Get(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Get(%q): %v", bad, err)
		}
	}
	if _, err := m.Get("absent_net"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(absent): %v", err)
	}
	if _, err := m.Endpoint("absent"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Endpoint(absent): %v", err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "x.json")
	for _, v := range []string{"one", "two"} {
		if err := statefile.WriteJSON(path, v, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got string
	if err := statefile.ReadJSON(path, &got); err != nil || got != "two" {
		t.Fatalf("got %q %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp files left: %v", entries)
	}
	names, err := statefile.JSONNames(dir)
	if err != nil || len(names) != 1 || names[0] != "x" {
		t.Fatalf("jsonNames: %v %v", names, err)
	}
}
