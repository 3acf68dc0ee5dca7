package resolver

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"berth.dev/berth/network"
)

// fixture: net1 holds web (2 replicas) and proxy; net2 holds db and proxy.
func recordsFixture(t *testing.T) string {
	dir := t.TempDir()
	writeNetwork(t, dir, network.Network{Name: "p_net1", Subnet: "10.1.0.0/24", Gateway: "10.1.0.1"})
	writeNetwork(t, dir, network.Network{Name: "p_net2", Subnet: "10.2.0.0/24", Gateway: "10.2.0.1"})
	writeEndpoint(t, dir, ep(id64("a1"), "web", "p-web-1", "p_net1=10.1.0.2=www"))
	writeEndpoint(t, dir, ep(id64("a2"), "web", "p-web-2", "p_net1=10.1.0.3=www"))
	writeEndpoint(t, dir, ep(id64("b1"), "db", "p-db-1", "p_net2=10.2.0.2=database"))
	proxy := ep(id64("c1"), "proxy", "p-proxy-1", "p_net1=10.1.0.4=edge", "p_net2=10.2.0.4=gw")
	proxy.Hostname = "proxyhost"
	writeEndpoint(t, dir, proxy)
	return dir
}

func lookup(t *testing.T, r *Records, client, name string) []string {
	t.Helper()
	ips, known := r.Lookup(net.ParseIP(client), name)
	if known != (len(ips) > 0) {
		t.Fatalf("Lookup(%s, %s): known=%v with %d ips", client, name, known, len(ips))
	}
	var out []string
	for _, ip := range ips {
		out = append(out, ip.String())
	}
	slices.Sort(out)
	return out
}

func TestLookupScoping(t *testing.T) {
	r, err := LoadRecords(recordsFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		client, name string
		want         []string
	}{
		// web-1 is on net1 only.
		{"10.1.0.2", "web", []string{"10.1.0.2", "10.1.0.3"}},
		{"10.1.0.2", "db", nil},
		{"10.1.0.2", "p-db-1", nil},
		{"10.1.0.2", "database", nil},
		{"10.1.0.2", id64("b1")[:12], nil},
		{"10.1.0.2", "proxy", []string{"10.1.0.4"}}, // its net1 address only
		{"10.1.0.2", "edge", []string{"10.1.0.4"}},
		{"10.1.0.2", "gw", nil}, // an alias on net2
		{"10.1.0.2", "www", []string{"10.1.0.2", "10.1.0.3"}},
		// db is on net2 only.
		{"10.2.0.2", "web", nil},
		{"10.2.0.2", "proxy", []string{"10.2.0.4"}},
		{"10.2.0.2", "edge", nil},
		{"10.2.0.2", "gw", []string{"10.2.0.4"}},
		{"10.2.0.2", "db", []string{"10.2.0.2"}}, // itself
		// proxy is on both, whichever address it asks from.
		{"10.1.0.4", "db", []string{"10.2.0.2"}},
		{"10.2.0.4", "web", []string{"10.1.0.2", "10.1.0.3"}},
		{"10.1.0.4", "proxy", []string{"10.1.0.4", "10.2.0.4"}},
		{"10.1.0.4", "edge", []string{"10.1.0.4"}},
		{"10.1.0.4", "gw", []string{"10.2.0.4"}},
		{"10.1.0.4", "database", []string{"10.2.0.2"}},
	}
	for _, c := range cases {
		if got := lookup(t, r, c.client, c.name); !slices.Equal(got, c.want) {
			t.Errorf("from %s, %q = %v, want %v", c.client, c.name, got, c.want)
		}
	}
}

func TestLookupNames(t *testing.T) {
	r, err := LoadRecords(recordsFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	from := "10.1.0.4"
	cases := map[string][]string{
		"p-web-2":             {"10.1.0.3"},
		"P-Web-2.":            {"10.1.0.3"},
		"WEB.":                {"10.1.0.2", "10.1.0.3"},
		id64("a2")[:12]:       {"10.1.0.3"},
		id64("a2")[:12] + ".": {"10.1.0.3"},
		id64("a2"):            nil, // the short ID only, as docker
		"proxyhost":           nil, // hostnames are not names on the network
		// name.network, as Docker: that network only.
		"web.p_net1":            {"10.1.0.2", "10.1.0.3"},
		"P-DB-1.p_net2.":        {"10.2.0.2"},
		"db.p_net1":             nil,
		"web.p_net2":            nil,
		"":                      nil,
		".":                     nil,
		"nothing.example.test.": nil,
	}
	for name, want := range cases {
		if got := lookup(t, r, from, name); !slices.Equal(got, want) {
			t.Errorf("%q = %v, want %v", name, got, want)
		}
	}
}

// A link alias answers for the container that declares it, and for no other.
func TestLookupLinks(t *testing.T) {
	dir := recordsFixture(t)
	linker := ep(id64("d1"), "app", "p-app-1", "p_net1=10.1.0.9")
	linker.Links = map[string]string{"Backend": "web", "web": "web"}
	writeEndpoint(t, dir, linker)
	r, err := LoadRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		client, name string
		want         []string
	}{
		{"10.1.0.9", "backend", []string{"10.1.0.2", "10.1.0.3"}},
		{"10.1.0.9", "BACKEND.", []string{"10.1.0.2", "10.1.0.3"}},
		{"10.1.0.9", "web", []string{"10.1.0.2", "10.1.0.3"}},
		{"10.1.0.4", "backend", nil}, // proxy did not link
		{"10.1.0.2", "backend", nil},
	} {
		if got := lookup(t, r, c.client, c.name); !slices.Equal(got, c.want) {
			t.Errorf("from %s, %q = %v, want %v", c.client, c.name, got, c.want)
		}
	}
}

// A PTR answer is "container-name.network", for addresses on the asker's networks.
func TestReverse(t *testing.T) {
	r, err := LoadRecords(recordsFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ client, addr, want string }{
		{"10.1.0.4", "10.1.0.3", "p-web-2.p_net1"},
		{"10.1.0.4", "10.2.0.2", "p-db-1.p_net2"},
		{"10.1.0.2", "10.2.0.2", ""}, // web is not on net2
		{"127.0.0.1", "10.1.0.3", ""},
	} {
		got, ok := r.Reverse(net.ParseIP(c.client), netip.MustParseAddr(c.addr))
		if got != c.want || ok != (c.want != "") {
			t.Errorf("from %s, %s = %q %v, want %q", c.client, c.addr, got, ok, c.want)
		}
	}
}

func TestLookupUnknownClient(t *testing.T) {
	r, err := LoadRecords(recordsFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, client := range []string{"127.0.0.1", "10.1.0.1", "10.1.0.99", "::1"} {
		for _, name := range []string{"web", "db", "proxy", "p-web-1"} {
			if got := lookup(t, r, client, name); got != nil {
				t.Errorf("from %s, %q = %v, want nothing", client, name, got)
			}
		}
	}
	if ips, known := r.Lookup(nil, "web"); known || ips != nil {
		t.Errorf("nil client: %v %v", ips, known)
	}
}

func TestLoadRecordsSkipsBadFiles(t *testing.T) {
	dir := recordsFixture(t)
	epDir := filepath.Join(dir, network.EndpointsDir)
	writeRaw(t, filepath.Join(epDir, "garbage.json"), []byte("{not json"))
	writeRaw(t, filepath.Join(dir, network.NetworksDir, "broken.json"), []byte("["))
	writeAtomic(t, filepath.Join(epDir, "noid.json"), network.Endpoint{ContainerName: "no-id"})
	// One bad attachment does not hide the good one.
	writeEndpoint(t, dir, ep(id64("d1"), "half", "p-half-1", "p_net1=not-an-ip", "p_net2=10.2.0.9"))
	// Temp files of an atomic write are not read.
	if err := os.WriteFile(filepath.Join(epDir, ".x.json.tmp-1"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(epDir, ".hidden.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, skipped, err := loadRecords(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 4 {
		t.Errorf("skipped %d: %v", len(skipped), skipped)
	}
	if got := lookup(t, r, "10.1.0.2", "web"); len(got) != 2 {
		t.Errorf("web = %v", got)
	}
	if got := lookup(t, r, "10.2.0.2", "half"); !slices.Equal(got, []string{"10.2.0.9"}) {
		t.Errorf("half = %v", got)
	}
	if got := r.gateways(); !slices.Equal(got, []string{"10.1.0.1", "10.2.0.1"}) {
		t.Errorf("gateways = %v", got)
	}
}

func TestLoadRecordsEmpty(t *testing.T) {
	r, err := LoadRecords(filepath.Join(t.TempDir(), "absent"))
	if err != nil {
		t.Fatal(err)
	}
	if _, known := r.Lookup(net.ParseIP("10.1.0.2"), "web"); known {
		t.Error("empty state knows web")
	}
	if g := r.gateways(); len(g) != 0 {
		t.Errorf("gateways = %v", g)
	}
}

func TestUpstreamsFromResolvConf(t *testing.T) {
	p := filepath.Join(t.TempDir(), "resolv.conf")
	conf := `# a comment
; another
search example.test
nameserver 192.0.2.53
nameserver   192.0.2.54 # trailing
nameserver 2001:db8::1
nameserver fe80::1%eth0
nameserver bogus
nameserver 192.0.2.53
options ndots:2
`
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := UpstreamsFromResolvConf(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"192.0.2.53:53", "192.0.2.54:53", "[2001:db8::1]:53", "[fe80::1%eth0]:53"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := UpstreamsFromResolvConf(filepath.Join(t.TempDir(), "none")); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}

// A container the caller says is not running (stopped) answers to nothing.
func TestLoadRecordsLeavesOutStopped(t *testing.T) {
	dir := t.TempDir()
	writeNetwork(t, dir, network.Network{Name: "n", Subnet: "10.1.0.0/24", Gateway: "10.1.0.1"})
	for id, ip := range map[string]string{"aaaaaaaaaaaaaaaa": "10.1.0.2", "bbbbbbbbbbbbbbbb": "10.1.0.3"} {
		writeEndpoint(t, dir, network.Endpoint{ContainerID: id, Service: "svc",
			ContainerName: "c-" + id[:1], Networks: []network.EndpointNetwork{{Network: "n", IP: ip}}})
	}
	r, _, err := loadRecords(dir, func(id string) bool { return id[0] == 'a' })
	if err != nil {
		t.Fatal(err)
	}
	ips, known := r.Lookup(net.ParseIP("10.1.0.2"), "svc")
	if !known || len(ips) != 1 || !ips[0].Equal(net.ParseIP("10.1.0.2")) {
		t.Errorf("svc: %v %v, want only the running replica", ips, known)
	}
	if _, known := r.Lookup(net.ParseIP("10.1.0.2"), "c-b"); known {
		t.Error("the stopped container's name answered")
	}
}

func TestReverseAddr(t *testing.T) {
	for _, a := range []string{"10.1.0.3", "fd62:6572:7468::7", "::1"} {
		name, err := dns.ReverseAddr(a)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := reverseAddr(strings.ToUpper(name))
		if !ok || got != netip.MustParseAddr(a) {
			t.Errorf("%s (%s) read back as %v %v", a, name, got, ok)
		}
	}
	for _, bad := range []string{"web.", "1.2.3.in-addr.arpa.", "300.2.3.4.in-addr.arpa.", "1.ip6.arpa.", "x.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa."} {
		if a, ok := reverseAddr(bad); ok {
			t.Errorf("%s read as %v", bad, a)
		}
	}
}
