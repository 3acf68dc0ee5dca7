package resolver

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// recorder is the ResponseWriter of a UDP query for the handler's slow path.
type recorder struct {
	client net.IP
	msg    *dns.Msg
}

func (w *recorder) LocalAddr() net.Addr  { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 53), Port: 53} }
func (w *recorder) RemoteAddr() net.Addr { return &net.UDPAddr{IP: w.client, Port: 40000} }
func (w *recorder) WriteMsg(m *dns.Msg) error {
	// Through the wire, as the client sees it.
	b, err := m.Pack()
	if err != nil {
		return err
	}
	w.msg = new(dns.Msg)
	return w.msg.Unpack(b)
}
func (w *recorder) Write([]byte) (int, error) { return 0, fmt.Errorf("unused") }
func (w *recorder) Close() error              { return nil }
func (w *recorder) TsigStatus() error         { return nil }
func (w *recorder) TsigTimersOnly(bool)       {}
func (w *recorder) Hijack()                   {}

func fastPathHandler(t *testing.T) *handler {
	dir := serverFixture(t)
	six := ep(id64("f1"), "six", "p-six-1", "p_net1=10.1.0.7=sixer")
	six.Networks[0].IPv6 = "fd62:6572:7468::7"
	writeEndpoint(t, dir, six)
	for i := range 40 {
		writeEndpoint(t, dir, ep(id64(fmt.Sprintf("e%02d", i+10)), "many", fmt.Sprintf("p-many-%d", i), fmt.Sprintf("p_net1=10.1.1.%d", i+1)))
	}
	linked := ep(id64("c3"), "linked", "p-linked-1", "p_net1=127.0.0.3")
	linked.Links = map[string]string{"store": "web"}
	writeEndpoint(t, dir, linked)
	r, err := LoadRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := &handler{ctx: t.Context(), records: new(atomic.Pointer[Records]), logf: t.Logf, warnEvery: warnEvery,
		forwarding: make(chan struct{}, maxForwards)}
	h.records.Store(r)
	return h
}

// The fast path answers exactly what the handler answers, for the queries it takes,
// and takes the common ones: names berth knows, whatever their case or type.
func TestFastPathAnswersAsHandler(t *testing.T) {
	h := fastPathHandler(t)
	type query struct {
		client string
		name   string
		qtype  uint16
		qclass uint16
		edns   uint16 // advertised UDP size; 0 = no OPT
		cd     bool
		noRD   bool
		fast   bool // the fast path answers it
	}
	queries := []query{
		{client: "127.0.0.1", name: "web.", qtype: dns.TypeA, fast: true},
		{client: "127.0.0.1", name: "WeB.", qtype: dns.TypeA, fast: true},
		{client: "127.0.0.1", name: "www.", qtype: dns.TypeA, noRD: true, cd: true, fast: true},
		{client: "127.0.0.1", name: "web.p_net1.", qtype: dns.TypeA, fast: true},
		{client: "127.0.0.1", name: "p-web-1.", qtype: dns.TypeA, edns: 1232, fast: true},
		{client: "127.0.0.1", name: "a10000000000.", qtype: dns.TypeA, fast: true},
		{client: "127.0.0.1", name: "web.", qtype: dns.TypeAAAA, fast: true},
		{client: "127.0.0.1", name: "web.", qtype: dns.TypeMX, fast: true},
		{client: "127.0.0.1", name: "web.", qtype: dns.TypeA, qclass: dns.ClassCHAOS, fast: true},
		{client: "127.0.0.1", name: "six.", qtype: dns.TypeAAAA, fast: true},
		{client: "127.0.0.1", name: "sixer.", qtype: dns.TypeANY, qclass: dns.ClassANY, edns: 4096, fast: true},
		{client: "127.0.0.1", name: "many.", qtype: dns.TypeA, edns: 4096, fast: true},
		{client: "127.0.0.3", name: "store.", qtype: dns.TypeA, fast: true},
		{client: "127.0.0.5", name: "db.", qtype: dns.TypeA, fast: true},
		// Left to the handler: too big for 512 bytes (truncated), reverse
		// lookups, names berth does not answer for that client, escaped names.
		{client: "127.0.0.1", name: "many.", qtype: dns.TypeA},
		{client: "127.0.0.1", name: "3.0.1.10.in-addr.arpa.", qtype: dns.TypePTR},
		{client: "127.0.0.1", name: "web.", qtype: dns.TypePTR},
		{client: "127.0.0.1", name: "db.", qtype: dns.TypeA},
		{client: "127.0.0.1", name: "example.com.", qtype: dns.TypeA},
		{client: "127.0.0.9", name: "web.", qtype: dns.TypeA},
		{client: "127.0.0.1", name: `we\.b.`, qtype: dns.TypeA},
		{client: "127.0.0.1", name: ".", qtype: dns.TypeA},
	}
	var s fastScratch
	for _, q := range queries {
		t.Run(fmt.Sprintf("%s %s %s", q.client, q.name, dns.TypeToString[q.qtype]), func(t *testing.T) {
			m := new(dns.Msg).SetQuestion(q.name, q.qtype)
			m.RecursionDesired, m.CheckingDisabled = !q.noRD, q.cd
			if q.qclass != 0 {
				m.Question[0].Qclass = q.qclass
			}
			if q.edns != 0 {
				m.SetEdns0(q.edns, false)
			}
			pkt, err := m.Pack()
			if err != nil {
				t.Fatal(err)
			}
			client := net.ParseIP(q.client)
			reply, ok := h.fastAnswer(nil, pkt, netip.MustParseAddr(q.client), &s)
			if ok != q.fast {
				t.Fatalf("fast path took it: %v, want %v", ok, q.fast)
			}
			if !ok {
				return
			}
			fast := new(dns.Msg)
			if err := fast.Unpack(reply); err != nil {
				t.Fatalf("fast reply: %v", err)
			}
			w := &recorder{client: client}
			h.ServeDNS(w, m)
			if w.msg == nil {
				t.Fatal("the handler did not answer")
			}
			if got, want := normalized(fast), normalized(w.msg); got != want {
				t.Errorf("fast path:\n%s\nhandler:\n%s", got, want)
			}
		})
	}
}

// normalized prints a reply with its answers sorted (both shuffle them).
func normalized(m *dns.Msg) string {
	var answers []string
	for _, rr := range m.Answer {
		answers = append(answers, rr.String())
	}
	slices.Sort(answers)
	c := m.Copy()
	c.Answer = nil
	return c.String() + "\n;; ANSWERS (sorted)\n" + strings.Join(answers, "\n")
}

// Anything but a plain query goes to dns.Server and the handler.
func TestFastPathLeavesTheRest(t *testing.T) {
	h := fastPathHandler(t)
	plain := func() []byte {
		b, err := new(dns.Msg).SetQuestion("web.", dns.TypeA).Pack()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	withOption := new(dns.Msg).SetQuestion("web.", dns.TypeA)
	withOption.SetEdns0(4096, false)
	withOption.IsEdns0().Option = append(withOption.IsEdns0().Option, &dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: "0123456789abcdef"})
	optionPkt, err := withOption.Pack()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"short":        plain()[:11],
		"no question":  plain()[:12],
		"cut question": plain()[:len(plain())-1],
		"trailing":     append(plain(), 0),
		"response":     func() []byte { b := plain(); b[2] |= 0x80; return b }(),
		"notify":       func() []byte { b := plain(); b[2] |= dns.OpcodeNotify << 3; return b }(),
		"2 questions":  func() []byte { b := plain(); b[5] = 2; return b }(),
		"an answer":    func() []byte { b := plain(); b[7] = 1; return b }(),
		"pointer name": append(append(plain()[:12], 0xc0, 12), 0, 1, 0, 1),
		"long label":   append(append(plain()[:12], 64), []byte(strings.Repeat("a", 64)+"\x00\x00\x01\x00\x01")...),
		"long name":    append(append(plain()[:12], []byte(strings.Repeat("\x3f"+strings.Repeat("a", 63), 4))...), 0, 0, 1, 0, 1),
		"edns option":  optionPkt,
	}
	var s fastScratch
	for name, pkt := range cases {
		if reply, ok := h.fastAnswer(nil, pkt, netip.MustParseAddr("127.0.0.1"), &s); ok {
			t.Errorf("%s: answered %x", name, reply)
		}
	}
	if _, ok := h.fastAnswer(nil, plain(), netip.MustParseAddr("127.0.0.1"), &s); !ok {
		t.Error("the plain query itself is not answered")
	}
}

// The fast path allocates nothing per query but the name's string.
func TestFastPathAllocations(t *testing.T) {
	h := fastPathHandler(t)
	pkt, err := new(dns.Msg).SetQuestion("web.", dns.TypeA).Pack()
	if err != nil {
		t.Fatal(err)
	}
	var s fastScratch
	client := netip.MustParseAddr("127.0.0.1")
	allocs := testing.AllocsPerRun(100, func() {
		reply, ok := h.fastAnswer(s.out[:0], pkt, client, &s)
		if !ok {
			t.Fatal("not answered")
		}
		s.out = reply[:0]
	})
	if allocs > 1 {
		t.Errorf("%.1f allocations per query", allocs)
	}
}
