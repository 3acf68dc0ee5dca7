package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/containernetworking/cni/libcni"
)

func TestConflist(t *testing.T) {
	for _, internal := range []bool{false, true} {
		n := &Network{Name: "proj_default", Subnet: "10.89.3.0/24", Gateway: "10.89.3.1", Bridge: bridgeName("/var/lib/berth/x", "proj_default"), Internal: internal}
		data, err := buildConflist("/var/lib/berth/x", n, conflistVariant{})
		if err != nil {
			t.Fatal(err)
		}
		list, err := libcni.ConfListFromBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		if list.Name != "proj_default" || list.CNIVersion != "1.0.0" || len(list.Plugins) != 2 {
			t.Fatalf("list %+v", list)
		}
		var types []string
		for _, p := range list.Plugins {
			types = append(types, p.Network.Type)
		}
		if !reflect.DeepEqual(types, []string{"bridge", "portmap"}) {
			t.Fatalf("plugins %v", types)
		}
		if !list.Plugins[1].Network.Capabilities["portMappings"] {
			t.Fatal("portmap lacks the portMappings capability")
		}
		var br struct {
			Bridge    string `json:"bridge"`
			IsGateway bool   `json:"isGateway"`
			IPMasq    bool   `json:"ipMasq"`
			Hairpin   bool   `json:"hairpinMode"`
			IPAM      struct {
				DataDir string          `json:"dataDir"`
				Ranges  [][]ipamRange   `json:"ranges"`
				Routes  []ipamRouteConf `json:"routes"`
			} `json:"ipam"`
		}
		if err := json.Unmarshal(list.Plugins[0].Bytes, &br); err != nil {
			t.Fatal(err)
		}
		if br.Bridge != n.Bridge || !br.IsGateway || !br.Hairpin || br.IPMasq {
			t.Fatalf("bridge conf %+v (internal=%v)", br, internal)
		}
		if br.IPAM.DataDir != "/var/lib/berth/x/ipam" || br.IPAM.Ranges[0][0] != (ipamRange{Subnet: "10.89.3.0/24", Gateway: "10.89.3.1"}) {
			t.Fatalf("ipam %+v", br.IPAM)
		}
		if (len(br.IPAM.Routes) == 0) != internal {
			t.Fatalf("internal=%v but routes %v", internal, br.IPAM.Routes)
		}
	}
}

// TestConflistNoPorts: a container that publishes nothing attaches without portmap,
// which would only start and return.
func TestConflistNoPorts(t *testing.T) {
	n := &Network{Name: "proj_default", Subnet: "10.89.3.0/24", Gateway: "10.89.3.1", Bridge: "berth0000000001"}
	data, err := buildConflist("/var/lib/berth/x", n, conflistVariant{NoPorts: true})
	if err != nil {
		t.Fatal(err)
	}
	list, err := libcni.ConfListFromBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Plugins) != 1 || list.Plugins[0].Network.Type != "bridge" {
		t.Fatalf("plugins %+v", list.Plugins)
	}
}

func TestBridgeName(t *testing.T) {
	a := bridgeName("/var/lib/berth/default", "app_default")
	if len(a) != 15 || a[:5] != "berth" {
		t.Fatalf("%q", a)
	}
	if a != bridgeName("/var/lib/berth/default/", "app_default") {
		t.Fatal("not stable under path cleaning")
	}
	if a == bridgeName("/var/lib/berth/other", "app_default") || a == bridgeName("/var/lib/berth/default", "app_other") {
		t.Fatal("collision across namespaces or networks")
	}
}

func TestSplitRule(t *testing.T) {
	line := `-A POSTROUTING -s 10.89.0.2/32 -m comment --comment "name: \"n\" id: \"c\"" -j CNI-abc`
	want := []string{"-A", "POSTROUTING", "-s", "10.89.0.2/32", "-m", "comment", "--comment", `name: "n" id: "c"`, "-j", "CNI-abc"}
	if got := splitRule(line); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q", got)
	}
	if !jumpsToAny(want, map[string]bool{"CNI-abc": true}) || jumpsToAny(want, map[string]bool{"CNI-ab": true}) {
		t.Fatal("jumpsToAny")
	}
}

// A port another container publishes is refused by owner; a range skips it, an
// ephemeral port never picks it (18501 on 127.0.0.1 clashes with every address).
func TestPortsInUse(t *testing.T) {
	used := []usedPort{
		{Port{HostPort: 18500, Protocol: "tcp"}, "container a"},
		{Port{HostIP: "127.0.0.1", HostPort: 18501, Protocol: "tcp"}, "container b"},
	}
	for _, c := range []struct {
		p     Port
		taken bool
	}{
		{Port{HostPort: 18500, ContainerPort: 80}, true},
		{Port{HostIP: "127.0.0.2", HostPort: 18500, ContainerPort: 80}, true}, // a has every address
		{Port{HostPort: 18500, ContainerPort: 80, Protocol: "udp"}, false},
		{Port{HostIP: "127.0.0.2", HostPort: 18501, ContainerPort: 80}, false},
		{Port{HostPort: 18501, ContainerPort: 80}, true},
	} {
		_, err := normalizePorts([]Port{c.p}, used)
		if taken := errors.Is(err, ErrPortAllocated); taken != c.taken {
			t.Errorf("%+v: %v", c.p, err)
		}
		if c.taken && err != nil && !strings.Contains(err.Error(), "container ") {
			t.Errorf("%+v: the error names no owner: %v", c.p, err)
		}
	}
	ps, err := normalizePorts([]Port{{HostPort: 18500, HostPortEnd: 18503, ContainerPort: 80}, {HostPort: 18500, HostPortEnd: 18503, ContainerPort: 81}}, used)
	if err != nil || ps[0].HostPort != 18502 || ps[1].HostPort != 18503 || ps[0].HostPortEnd != 0 {
		t.Errorf("ranges: %+v %v", ps, err)
	}
	if !portsMatch(ps[:1], []Port{{HostPort: 18500, HostPortEnd: 18503, ContainerPort: 80}}) {
		t.Error("a port picked from a range does not match the range")
	}
	if _, err := normalizePorts([]Port{{HostPort: 18500, HostPortEnd: 18500 + 0, ContainerPort: 80}}, used); !errors.Is(err, ErrPortAllocated) {
		t.Errorf("a range of one used port: %v", err)
	}
}

func TestPorts(t *testing.T) {
	ps, err := normalizePorts([]Port{{HostPort: 18000, ContainerPort: 80}, {HostIP: "0.0.0.0", ContainerPort: 53, Protocol: "UDP"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].Protocol != "tcp" || ps[1].Protocol != "udp" || ps[1].HostIP != "" || ps[1].HostPort == 0 {
		t.Fatalf("%+v", ps)
	}
	if !portsMatch(ps, []Port{{HostPort: 18000, ContainerPort: 80}, {HostIP: "0.0.0.0", ContainerPort: 53, Protocol: "udp"}}) {
		t.Fatal("ports should match their request")
	}
	if portsMatch(ps, []Port{{HostPort: 18001, ContainerPort: 80}, {ContainerPort: 53, Protocol: "udp"}}) {
		t.Fatal("different host port matched")
	}
	for _, bad := range []Port{{ContainerPort: 0, HostPort: 1}, {ContainerPort: 1, Protocol: "icmp"}, {ContainerPort: 1, HostIP: "::1", Protocol: "udp"}, {ContainerPort: 1, HostIP: "fe80::1%eth0"}, {ContainerPort: 1, HostIP: "x"}} {
		if _, err := normalizePorts([]Port{bad}, nil); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	v6, err := normalizePorts([]Port{{HostIP: "::1", ContainerPort: 80}, {HostIP: "::ffff:127.0.0.1", ContainerPort: 81}, {HostIP: "::", ContainerPort: 82}}, nil)
	if err != nil || v6[0].HostIP != "::1" || v6[1].HostIP != "127.0.0.1" || v6[2].HostIP != "::" || v6[0].HostPort == 0 {
		t.Fatalf("IPv6 host IPs: %+v, %v", v6, err)
	}
	if !loopbackProxied(v6[0]) || loopbackProxied(v6[1]) || !loopbackProxied(v6[2]) || v6[0].String() != fmt.Sprintf("[::1]:%d/tcp", v6[0].HostPort) {
		t.Errorf("the ports berth's agent proxies on ::1: %+v", v6)
	}
	pm := portMappings([]Port{{HostIP: "127.0.0.1", HostPort: 1, ContainerPort: 2, Protocol: "tcp"}})
	data, _ := json.Marshal(pm)
	var back []any
	json.Unmarshal(data, &back)
	got := portsFromCapability(map[string]any{"portMappings": back})
	if len(got) != 1 || got[0] != (Port{HostIP: "127.0.0.1", HostPort: 1, ContainerPort: 2, Protocol: "tcp"}) {
		t.Fatalf("round trip %+v", got)
	}
}
