package resolver

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"berth.dev/berth/network"
)

// serverFixture: the test client is 127.0.0.1 on net1 (with web ×2) and 127.0.0.5 is
// on net2 (with db). Gateways are outside loopback: with ListenAddrs they are unused.
func serverFixture(t *testing.T) string {
	dir := t.TempDir()
	writeNetwork(t, dir, network.Network{Name: "p_net1", Subnet: "10.1.0.0/24", Gateway: "10.1.0.1"})
	writeNetwork(t, dir, network.Network{Name: "p_net2", Subnet: "10.2.0.0/24", Gateway: "10.2.0.1"})
	writeEndpoint(t, dir, ep(id64("c1"), "client", "p-client-1", "p_net1=127.0.0.1"))
	writeEndpoint(t, dir, ep(id64("c2"), "other", "p-other-1", "p_net2=127.0.0.5"))
	writeEndpoint(t, dir, ep(id64("a1"), "web", "p-web-1", "p_net1=10.1.0.2=www"))
	writeEndpoint(t, dir, ep(id64("a2"), "web", "p-web-2", "p_net1=10.1.0.3=www"))
	writeEndpoint(t, dir, ep(id64("b1"), "db", "p-db-1", "p_net2=10.2.0.2"))
	return dir
}

// waitServing waits until addr answers at all.
func waitServing(t *testing.T, addr string) {
	t.Helper()
	eventually(t, 2*time.Second, "server up on "+addr, func() (bool, string) {
		_, err := query(addr, "", "udp", "probe.", dns.TypeA)
		return err == nil, fmt.Sprint(err)
	})
}

func TestServerAnswers(t *testing.T) {
	dir := serverFixture(t)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startServer(t, Options{StateDir: dir, Port: port, ListenAddrs: []string{"127.0.0.1"}})
	waitServing(t, addr)

	for _, netw := range []string{"udp", "tcp"} {
		r, err := query(addr, "127.0.0.1", netw, "Web", dns.TypeA)
		if err != nil {
			t.Fatalf("%s: %v", netw, err)
		}
		if r.Rcode != dns.RcodeSuccess || !r.Authoritative || !r.RecursionAvailable {
			t.Errorf("%s: rcode %s aa %v ra %v", netw, dns.RcodeToString[r.Rcode], r.Authoritative, r.RecursionAvailable)
		}
		if got := aOf(r); !slices.Equal(got, []string{"10.1.0.2", "10.1.0.3"}) {
			t.Errorf("%s: web = %v", netw, got)
		}
		for _, rr := range r.Answer {
			if rr.Header().Ttl != 0 || rr.Header().Name != "Web." {
				t.Errorf("%s: answer %v", netw, rr)
			}
		}
	}

	// The replicas come in both orders.
	orders := map[string]bool{}
	for i := 0; i < 64 && len(orders) < 2; i++ {
		r, err := query(addr, "127.0.0.1", "udp", "web", dns.TypeA)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Answer) == 2 {
			orders[r.Answer[0].(*dns.A).A.String()] = true
		}
	}
	if len(orders) != 2 {
		t.Errorf("answers never shuffled: first was always %v", orders)
	}

	// A known name has no AAAA: empty NOERROR, not NXDOMAIN.
	for _, qt := range []uint16{dns.TypeAAAA, dns.TypeMX, dns.TypeTXT} {
		r, err := query(addr, "127.0.0.1", "udp", "p-web-1", qt)
		if err != nil {
			t.Fatal(err)
		}
		if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 {
			t.Errorf("%s p-web-1: rcode %s, %d answers", dns.TypeToString[qt], dns.RcodeToString[r.Rcode], len(r.Answer))
		}
	}

	// Without upstreams what berth does not know is NXDOMAIN: also db, which is on a
	// network 127.0.0.1 is not on.
	for _, name := range []string{"db", "p-db-1", "example.test"} {
		r, err := query(addr, "127.0.0.1", "udp", name, dns.TypeA)
		if err != nil {
			t.Fatal(err)
		}
		if r.Rcode != dns.RcodeNameError || len(r.Answer) != 0 {
			t.Errorf("%s: rcode %s, %v", name, dns.RcodeToString[r.Rcode], aOf(r))
		}
	}

	// Scoped by the source address: 127.0.0.5 is on net2 only.
	for name, want := range map[string][]string{"db": {"10.2.0.2"}, "web": nil, "www": nil} {
		r, err := query(addr, "127.0.0.5", "udp", name, dns.TypeA)
		if err != nil {
			t.Fatal(err)
		}
		if got := aOf(r); !slices.Equal(got, want) {
			t.Errorf("from 127.0.0.5, %s = %v, want %v", name, got, want)
		}
	}
	// 127.0.0.9 is no container: it sees nothing of berth's.
	if r, err := query(addr, "127.0.0.9", "udp", "web", dns.TypeA); err != nil || r.Rcode != dns.RcodeNameError {
		t.Errorf("from 127.0.0.9: %v %v", r, err)
	}
}

// TestServerTruncates: many replicas do not fit a 512-byte UDP answer; the client is
// told to retry over TCP, where it gets them all.
func TestServerTruncates(t *testing.T) {
	dir := serverFixture(t)
	for i := range 60 {
		writeEndpoint(t, dir, ep(id64(fmt.Sprintf("e%02d", i)), "many", fmt.Sprintf("p-many-%d", i), fmt.Sprintf("p_net1=10.1.1.%d", i+1)))
	}
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startServer(t, Options{StateDir: dir, Port: port, ListenAddrs: []string{"127.0.0.1"}})
	waitServing(t, addr)

	r, err := query(addr, "127.0.0.1", "udp", "many", dns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Truncated || len(r.Answer) >= 60 {
		t.Errorf("udp: tc %v with %d answers", r.Truncated, len(r.Answer))
	}
	r, err = query(addr, "127.0.0.1", "tcp", "many", dns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	if r.Truncated || len(r.Answer) != 60 {
		t.Errorf("tcp: tc %v with %d answers", r.Truncated, len(r.Answer))
	}
}

// fakeUpstream answers every A query with 192.0.2.7, and "big.test." only over TCP
// (truncated over UDP).
func fakeUpstream(t *testing.T) string {
	t.Helper()
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		m.RecursionAvailable = true
		q := r.Question[0]
		_, udp := w.RemoteAddr().(*net.UDPAddr)
		switch {
		case q.Name == "big.test." && udp:
			m.Truncated = true
		case q.Name == "nx.test.":
			m.Rcode = dns.RcodeNameError
		case q.Qtype == dns.TypeA:
			ip := "192.0.2.7"
			if q.Name == "big.test." {
				ip = "192.0.2.8"
			}
			m.Answer = append(m.Answer, &dns.A{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300},
				A:   net.ParseIP(ip),
			})
		}
		w.WriteMsg(m)
	})
	for _, netw := range []string{"udp", "tcp"} {
		started := make(chan struct{})
		s := &dns.Server{Addr: addr, Net: netw, Handler: h, NotifyStartedFunc: func() { close(started) }}
		go s.ListenAndServe()
		select {
		case <-started:
		case <-time.After(2 * time.Second):
			t.Fatalf("fake upstream %s did not start", netw)
		}
		t.Cleanup(func() { s.Shutdown() })
	}
	return addr
}

// deadAddr is a loopback port nobody listens on (a query there is refused at once).
func deadAddr(t *testing.T) string {
	return fmt.Sprintf("127.0.0.1:%d", freePort(t))
}

func TestServerForwards(t *testing.T) {
	dir := serverFixture(t)
	up := fakeUpstream(t)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// A dead first upstream is skipped for the next.
	startServer(t, Options{StateDir: dir, Port: port, ListenAddrs: []string{"127.0.0.1"},
		Upstreams: []string{deadAddr(t), up}})
	waitServing(t, addr)

	for _, from := range []string{"127.0.0.1", "127.0.0.9"} { // a container, the host
		r, err := query(addr, from, "udp", "example.test", dns.TypeA)
		if err != nil {
			t.Fatal(err)
		}
		if got := aOf(r); r.Rcode != dns.RcodeSuccess || !slices.Equal(got, []string{"192.0.2.7"}) || r.Answer[0].Header().Ttl != 300 {
			t.Errorf("from %s: forwarded answer %v", from, r)
		}
	}
	// Names the client cannot see are forwarded too; its own names are not.
	if r, err := query(addr, "127.0.0.1", "udp", "db", dns.TypeA); err != nil || !slices.Equal(aOf(r), []string{"192.0.2.7"}) {
		t.Errorf("db: %v %v", r, err)
	}
	if r, err := query(addr, "127.0.0.1", "udp", "web", dns.TypeA); err != nil || len(aOf(r)) != 2 {
		t.Errorf("web: %v %v", r, err)
	}
	if r, err := query(addr, "127.0.0.1", "udp", "web", dns.TypeAAAA); err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 {
		t.Errorf("web AAAA: %v %v", r, err)
	}
	// Upstream NXDOMAIN passes through.
	if r, err := query(addr, "127.0.0.1", "udp", "nx.test", dns.TypeA); err != nil || r.Rcode != dns.RcodeNameError {
		t.Errorf("nx.test: %v %v", r, err)
	}
	// Truncated over UDP upstream: asked again over TCP.
	if r, err := query(addr, "127.0.0.1", "udp", "big.test", dns.TypeA); err != nil || !slices.Equal(aOf(r), []string{"192.0.2.8"}) || r.Truncated {
		t.Errorf("big.test: %v %v", r, err)
	}
}

func TestServerServfailWhenUpstreamsDown(t *testing.T) {
	dir := serverFixture(t)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	lb := startServer(t, Options{StateDir: dir, Port: port, ListenAddrs: []string{"127.0.0.1"},
		Upstreams: []string{deadAddr(t), deadAddr(t)}})
	waitServing(t, addr)

	r, err := query(addr, "127.0.0.1", "udp", "example.test", dns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rcode != dns.RcodeServerFailure || !r.RecursionAvailable {
		t.Errorf("rcode %s ra %v", dns.RcodeToString[r.Rcode], r.RecursionAvailable)
	}
	if !lb.contains("upstream 127.0.0.1:") {
		t.Errorf("dead upstream not logged")
	}
	// berth's names do not depend on upstreams.
	if r, err := query(addr, "127.0.0.1", "udp", "web", dns.TypeA); err != nil || len(aOf(r)) != 2 {
		t.Errorf("web: %v %v", r, err)
	}
}

func TestServerFollowsEndpoints(t *testing.T) {
	dir := serverFixture(t)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	lb := startServer(t, Options{StateDir: dir, Port: port, ListenAddrs: []string{"127.0.0.1"}})
	waitServing(t, addr)

	answers := func(name string, want []string) func() (bool, string) {
		return func() (bool, string) {
			r, err := query(addr, "127.0.0.1", "udp", name, dns.TypeA)
			if err != nil {
				return false, err.Error()
			}
			got := aOf(r)
			return slices.Equal(got, want), fmt.Sprintf("%s %v", dns.RcodeToString[r.Rcode], got)
		}
	}

	writeEndpoint(t, dir, ep(id64("n1"), "cache", "p-cache-1", "p_net1=10.1.0.20=redis"))
	eventually(t, time.Second, "new endpoint answers", answers("cache", []string{"10.1.0.20"}))
	eventually(t, time.Second, "new alias answers", answers("redis", []string{"10.1.0.20"}))

	// A second replica joins the service.
	writeEndpoint(t, dir, ep(id64("n2"), "cache", "p-cache-2", "p_net1=10.1.0.21"))
	eventually(t, time.Second, "second replica", answers("cache", []string{"10.1.0.20", "10.1.0.21"}))

	// Rewritten in place (rename over the old file) with a new address.
	writeEndpoint(t, dir, ep(id64("n1"), "cache", "p-cache-1", "p_net1=10.1.0.30"))
	eventually(t, time.Second, "rewritten endpoint", answers("cache", []string{"10.1.0.21", "10.1.0.30"}))
	eventually(t, time.Second, "dropped alias", answers("redis", nil))

	removeEndpoint(t, dir, id64("n1"))
	removeEndpoint(t, dir, id64("n2"))
	eventually(t, time.Second, "removed endpoints", answers("cache", nil))

	// A bad file is logged and skipped; the server keeps answering.
	writeRaw(t, filepath.Join(dir, network.EndpointsDir, "bad.json"), []byte("{"))
	eventually(t, time.Second, "bad file logged", func() (bool, string) {
		return lb.contains("bad.json"), ""
	})
	eventually(t, time.Second, "still answering", answers("web", []string{"10.1.0.2", "10.1.0.3"}))

	// The endpoints directory removed and made again: the rescan picks it up.
	if err := os.RemoveAll(filepath.Join(dir, network.EndpointsDir)); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, "all endpoints gone", func() (bool, string) {
		r, err := query(addr, "127.0.0.1", "udp", "web", dns.TypeA)
		return err == nil && r.Rcode == dns.RcodeNameError, fmt.Sprint(r, err)
	})
	writeEndpoint(t, dir, ep(id64("c1"), "client", "p-client-1", "p_net1=127.0.0.1"))
	writeEndpoint(t, dir, ep(id64("n3"), "late", "p-late-1", "p_net1=10.1.0.40"))
	eventually(t, time.Second, "endpoint in a re-made dir", answers("late", []string{"10.1.0.40"}))
}

func TestServerListensOnGateways(t *testing.T) {
	dir := t.TempDir()
	writeNetwork(t, dir, network.Network{Name: "p_net1", Subnet: "127.0.0.0/29", Gateway: "127.0.0.2"})
	writeEndpoint(t, dir, ep(id64("c1"), "client", "p-client-1", "p_net1=127.0.0.1", "p_net2=127.0.0.1"))
	writeEndpoint(t, dir, ep(id64("a1"), "web", "p-web-1", "p_net1=10.1.0.2"))
	writeEndpoint(t, dir, ep(id64("b1"), "db", "p-db-1", "p_net2=10.2.0.2"))
	port := freePort(t)
	gw1 := fmt.Sprintf("127.0.0.2:%d", port)
	gw2 := fmt.Sprintf("127.0.0.3:%d", port)
	lb := startServer(t, Options{StateDir: dir, Port: port})

	resolves := func(server, name, want string) func() (bool, string) {
		return func() (bool, string) {
			r, err := query(server, "127.0.0.1", "udp", name, dns.TypeA)
			if err != nil {
				return false, err.Error()
			}
			return slices.Equal(aOf(r), []string{want}), fmt.Sprint(aOf(r))
		}
	}
	eventually(t, 2*time.Second, "listening on the gateway", resolves(gw1, "web", "10.1.0.2"))
	if r, err := query(gw1, "127.0.0.1", "tcp", "web", dns.TypeA); err != nil || len(r.Answer) != 1 {
		t.Errorf("tcp on gateway: %v %v", r, err)
	}
	if _, err := query(gw2, "127.0.0.1", "udp", "web", dns.TypeA); err == nil {
		t.Errorf("answers on %s before its network exists", gw2)
	}

	// A new network: a new listener, no restart.
	writeNetwork(t, dir, network.Network{Name: "p_net2", Subnet: "127.0.0.8/29", Gateway: "127.0.0.3"})
	eventually(t, time.Second, "listening on the new gateway", resolves(gw2, "db", "10.2.0.2"))

	// The network removed: its listener stops, the other stays.
	if err := os.Remove(filepath.Join(dir, network.NetworksDir, "p_net2.json")); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, "stopped on the removed gateway", func() (bool, string) {
		_, err := query(gw2, "127.0.0.1", "udp", "db", dns.TypeA)
		return err != nil, fmt.Sprint(err)
	})
	if r, err := query(gw1, "127.0.0.1", "udp", "db", dns.TypeA); err != nil || len(r.Answer) != 1 {
		t.Errorf("gateway 1 after removal: %v %v", r, err)
	}
	if !lb.contains("stopped listening on 127.0.0.3") {
		t.Errorf("stop not logged")
	}
}

func TestRunOptions(t *testing.T) {
	if err := Run(t.Context(), Options{}); err == nil || !strings.Contains(err.Error(), "state dir") {
		t.Errorf("no state dir: %v", err)
	}
	if err := Run(t.Context(), Options{StateDir: t.TempDir(), Port: 70000}); err == nil {
		t.Errorf("bad port accepted")
	}
}

// On an IPv6 network a name answers AAAA with its IPv6 addresses and A as before;
// a name with no IPv6 address answers AAAA with nothing.
func TestServerAnswersAAAA(t *testing.T) {
	dir := serverFixture(t)
	v6 := ep(id64("e1"), "six", "p-six-1", "p_net1=10.1.0.7")
	v6.Networks[0].IPv6 = "fd62:6572:7468::7"
	writeEndpoint(t, dir, v6)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startServer(t, Options{StateDir: dir, Port: port, ListenAddrs: []string{"127.0.0.1"}})
	waitServing(t, addr)

	r, err := query(addr, "127.0.0.1", "udp", "six", dns.TypeAAAA)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Answer) != 1 || r.Answer[0].(*dns.AAAA).AAAA.String() != "fd62:6572:7468::7" {
		t.Errorf("six AAAA: %v", r.Answer)
	}
	r, err = query(addr, "127.0.0.1", "udp", "six", dns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	if got := aOf(r); !slices.Equal(got, []string{"10.1.0.7"}) || len(r.Answer) != 1 {
		t.Errorf("six A: %v", r.Answer)
	}
	r, err = query(addr, "127.0.0.1", "udp", "web", dns.TypeAAAA)
	if err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 {
		t.Errorf("web AAAA: %v %v", r, err)
	}
}

// A reverse lookup of a container's address answers its name on the shared network;
// other addresses go the way of other names (NXDOMAIN without upstreams).
func TestServerAnswersPTR(t *testing.T) {
	dir := serverFixture(t)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startServer(t, Options{StateDir: dir, Port: port, ListenAddrs: []string{"127.0.0.1"}})
	waitServing(t, addr)
	for ip, want := range map[string]string{"10.1.0.3": "p-web-2.p_net1.", "10.2.0.2": "", "192.0.2.1": ""} {
		name, _ := dns.ReverseAddr(ip)
		r, err := query(addr, "127.0.0.1", "udp", name, dns.TypePTR)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(r.Answer) == 1 {
			got = r.Answer[0].(*dns.PTR).Ptr
		}
		if got != want || (want == "" && r.Rcode != dns.RcodeNameError) {
			t.Errorf("PTR %s: %q rcode %s, want %q", ip, got, dns.RcodeToString[r.Rcode], want)
		}
	}
}
