package resolver

import (
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"berth.dev/berth/network"
)

// countingUpstream is an upstream on loopback that answers every query with
// 192.0.2.9 after delay, counting the queries it received and the most it held at
// once.
type countingUpstream struct {
	addr                     string
	received, inFlight, most atomic.Int64
}

func newCountingUpstream(t *testing.T, delay time.Duration) *countingUpstream {
	return newCountingUpstreamOn(t, "127.0.0.1", delay)
}

func newCountingUpstreamOn(t *testing.T, ip string, delay time.Duration) *countingUpstream {
	t.Helper()
	u := &countingUpstream{}
	pc, err := net.ListenPacket("udp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	u.addr = pc.LocalAddr().String()
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		u.received.Add(1)
		n := u.inFlight.Add(1)
		defer u.inFlight.Add(-1)
		for {
			most := u.most.Load()
			if n <= most || u.most.CompareAndSwap(most, n) {
				break
			}
		}
		time.Sleep(delay)
		m := new(dns.Msg)
		m.SetReply(r)
		m.Answer = append(m.Answer, &dns.A{
			Hdr: dns.RR_Header{Name: r.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
			A:   net.ParseIP("192.0.2.9"),
		})
		w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	select {
	case <-started:
	case <-time.After(2 * time.Second):
		t.Fatal("counting upstream did not start")
	}
	t.Cleanup(func() { srv.Shutdown() })
	return u
}

// TestServerInternalNotForwarded: a container whose every network is internal gets
// berth's names and nothing from the host's upstreams (SERVFAIL, as docker answers on
// an internal network); the upstream never hears its queries, whatever the type, nor
// do the servers it names with dns, unless one is on its own network. A container
// also on a network with a way out is forwarded as before.
func TestServerInternalNotForwarded(t *testing.T) {
	up := newCountingUpstream(t, 0)
	own := newCountingUpstream(t, 0)
	dir := t.TempDir()
	writeNetwork(t, dir, network.Network{Name: "p_back", Subnet: "10.3.0.0/24", Gateway: "10.3.0.1", Internal: true})
	writeNetwork(t, dir, network.Network{Name: "p_front", Subnet: "10.4.0.0/24", Gateway: "10.4.0.1"})
	writeEndpoint(t, dir, ep(id64("i1"), "inside", "p-inside-1", "p_back=127.0.0.1"))
	withDNS := ep(id64("i2"), "insidedns", "p-insidedns-1", "p_back=127.0.0.6")
	withDNS.DNS = []string{own.addr}
	writeEndpoint(t, dir, withDNS)
	writeEndpoint(t, dir, ep(id64("b1"), "both", "p-both-1", "p_back=127.0.0.5", "p_front=10.4.0.5"))
	// A DNS server of the internal network's own, which its members reach anyway.
	onNet := newCountingUpstreamOn(t, "127.0.1.53", 0)
	writeNetwork(t, dir, network.Network{Name: "p_lo", Subnet: "127.0.1.0/24", Gateway: "127.0.1.1", Internal: true})
	withNetDNS := ep(id64("l1"), "lo", "p-lo-1", "p_lo=127.0.1.7")
	withNetDNS.DNS = []string{up.addr, onNet.addr} // the one off the network first
	writeEndpoint(t, dir, withNetDNS)
	writeEndpoint(t, dir, ep(id64("d1"), "db", "p-db-1", "p_back=10.3.0.2"))
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startServer(t, Options{StateDir: dir, Port: port, ListenAddrs: []string{"127.0.0.1"}, Upstreams: []string{up.addr}})
	waitServing(t, addr)
	up.received.Store(0) // waitServing's probe came from the host, which is forwarded

	for _, from := range []string{"127.0.0.1", "127.0.0.6"} {
		if r, err := query(addr, from, "udp", "db", dns.TypeA); err != nil || !slices.Equal(aOf(r), []string{"10.3.0.2"}) {
			t.Errorf("from %s: db on the internal network: %v %v", from, r, err)
		}
		for _, q := range []struct {
			name  string
			qtype uint16
		}{{"leak-probe.example", dns.TypeA}, {"leak-probe.example", dns.TypeTXT}, {"9.2.0.192.in-addr.arpa", dns.TypePTR}} {
			for _, netw := range []string{"udp", "tcp"} {
				r, err := query(addr, from, netw, q.name, q.qtype)
				if err != nil || r.Rcode != dns.RcodeServerFailure || len(r.Answer) != 0 {
					t.Errorf("from %s over %s: %s %s: %v %v, want SERVFAIL", from, netw, q.name, dns.TypeToString[q.qtype], r, err)
				}
			}
		}
	}
	if n, m := up.received.Load(), own.received.Load(); n != 0 || m != 0 {
		t.Errorf("internal-only containers' queries reached the upstreams: %d to the host's, %d to dns:", n, m)
	}

	// Its own dns server on its internal network is asked; the one off it is not.
	if r, err := query(addr, "127.0.1.7", "udp", "leak-probe.example", dns.TypeA); err != nil || !slices.Equal(aOf(r), []string{"192.0.2.9"}) ||
		onNet.received.Load() != 1 || up.received.Load() != 0 {
		t.Errorf("dns: on the internal network's own subnet: %v %v (it got %d, the one off the network %d)", r, err, onNet.received.Load(), up.received.Load())
	}

	r, err := query(addr, "127.0.0.5", "udp", "leak-probe.example", dns.TypeA)
	if err != nil || !slices.Equal(aOf(r), []string{"192.0.2.9"}) || up.received.Load() != 1 {
		t.Errorf("a container also on a non-internal network: %v %v (upstream got %d)", r, err, up.received.Load())
	}
}

// TestServerCapsForwards: a flood of queries for outside names against a slow
// upstream holds at most maxForwards of them at the upstream at once; the rest are
// answered SERVFAIL at once, and berth's own names still answer during the flood.
func TestServerCapsForwards(t *testing.T) {
	up := newCountingUpstream(t, 1500*time.Millisecond)
	dir := serverFixture(t)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startServer(t, Options{StateDir: dir, Port: port, ListenAddrs: []string{"127.0.0.1"}, Upstreams: []string{up.addr}})
	eventually(t, 2*time.Second, "server up on "+addr, func() (bool, string) { // by a name of its own: the upstream is slow
		r, err := query(addr, "127.0.0.1", "udp", "web", dns.TypeA)
		return err == nil && len(aOf(r)) == 2, fmt.Sprint(r, err)
	})

	const flood = maxForwards + 60
	var wg sync.WaitGroup
	var answered, servfail atomic.Int64
	start := make(chan struct{})
	for i := range flood {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c := &dns.Client{Net: "udp", Timeout: 5 * time.Second}
			m := new(dns.Msg)
			m.SetQuestion(fmt.Sprintf("n%d.flood.example.", i), dns.TypeA)
			r, _, err := c.Exchange(m, addr)
			switch {
			case err != nil:
			case r.Rcode == dns.RcodeServerFailure:
				servfail.Add(1)
			case len(r.Answer) == 1:
				answered.Add(1)
			}
		}()
	}
	close(start)
	eventually(t, 5*time.Second, "the upstream holds queries", func() (bool, string) {
		return up.inFlight.Load() > 0, fmt.Sprint(up.inFlight.Load())
	})
	// While the upstream holds its fill, berth's names answer.
	if r, err := query(addr, "127.0.0.1", "udp", "web", dns.TypeA); err != nil || len(aOf(r)) != 2 {
		t.Errorf("web during the flood: %v %v", r, err)
	}
	wg.Wait()
	if most := up.most.Load(); most > maxForwards {
		t.Errorf("%d queries at the upstream at once, cap %d", most, maxForwards)
	}
	if servfail.Load() == 0 || answered.Load() == 0 || answered.Load() > maxForwards {
		t.Errorf("of %d queries: %d answered, %d SERVFAIL; want at most %d answered and the rest SERVFAIL",
			flood, answered.Load(), servfail.Load(), maxForwards)
	}
	t.Logf("%d queries: %d answered, %d SERVFAIL, at most %d at the upstream at once", flood, answered.Load(), servfail.Load(), up.most.Load())
}
