package resolver

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

const (
	// upstreamTimeout bounds one exchange with one upstream; clients retry after ~5s,
	// so a dead upstream must not hold the answer longer than that.
	upstreamTimeout = 2 * time.Second
	// ownTTL is the TTL of berth's answers: a recreated container gets a new address,
	// and a cached old one would outlive it.
	ownTTL = 0
	// ednsSize is the UDP payload size berth advertises in its own answers.
	ednsSize = dns.DefaultMsgSize
	// maxForwards caps the queries waiting on upstreams at once, across every
	// container of every project (docker's embedded DNS caps at 100 too): one
	// container asking for slow names must not hold the goroutines and sockets of
	// the agent that all of them share.
	maxForwards = 100
)

// handler answers queries: berth's names from the current Records, the rest forwarded.
type handler struct {
	ctx       context.Context // ends forwarding when the server stops
	records   *atomic.Pointer[Records]
	upstreams []string
	logf      func(format string, args ...any)
	// forwarding holds a token per query at the upstreams (see maxForwards).
	forwarding chan struct{}

	mu        sync.Mutex
	lastWarn  map[string]time.Time // per upstream (and for the cap), to keep a dead upstream from flooding the log
	warnEvery time.Duration
}

func (h *handler) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	if r.Response {
		return // never answer an answer
	}
	if r.Opcode != dns.OpcodeQuery {
		h.reply(w, r, dns.RcodeNotImplemented)
		return
	}
	if len(r.Question) != 1 {
		h.reply(w, r, dns.RcodeFormatError)
		return
	}
	q := r.Question[0]
	records, client := h.records.Load(), clientIP(w.RemoteAddr())
	if q.Qtype == dns.TypePTR {
		if addr, ok := reverseAddr(q.Name); ok {
			if name, known := records.Reverse(client, addr); known {
				h.answerPTR(w, r, q, name)
				return
			}
		}
	}
	if ips, known := records.Lookup(client, q.Name); known {
		h.answer(w, r, q, ips)
		return
	}
	upstreams := records.Upstreams(client)
	switch {
	case records.InternalOnly(client):
		// A container whose every network is internal has no way out, and its
		// resolver must not be one (moby's CVE-2024-29018): only its own dns servers
		// on its own networks are asked; otherwise SERVFAIL, as docker answers there.
		upstreams = records.Reachable(client, upstreams)
		if len(upstreams) == 0 {
			h.reply(w, r, dns.RcodeServerFailure)
			return
		}
	case upstreams == nil:
		upstreams = h.upstreams
	}
	h.forward(w, r, upstreams)
}

// answer replies with berth's addresses for a name it knows: A records, and AAAA
// records for addresses on IPv6 networks. Another type, or AAAA for a name with no
// IPv6 address, gets NOERROR with no answer, so that the client does not conclude
// the name is absent (NXDOMAIN) nor ask the world about it.
func (h *handler) answer(w dns.ResponseWriter, r *dns.Msg, q dns.Question, ips []net.IP) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	m.RecursionAvailable = true
	// Shuffled so that clients taking the first address spread over the replicas.
	rand.Shuffle(len(ips), func(i, j int) { ips[i], ips[j] = ips[j], ips[i] })
	inet := q.Qclass == dns.ClassINET || q.Qclass == dns.ClassANY
	wantA := inet && (q.Qtype == dns.TypeA || q.Qtype == dns.TypeANY)
	wantAAAA := inet && (q.Qtype == dns.TypeAAAA || q.Qtype == dns.TypeANY)
	for _, ip := range ips {
		hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Ttl: ownTTL}
		if v4 := ip.To4(); v4 != nil && wantA {
			hdr.Rrtype = dns.TypeA
			m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: v4})
		} else if v4 == nil && wantAAAA {
			hdr.Rrtype = dns.TypeAAAA
			m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr, AAAA: ip})
		}
	}
	if r.IsEdns0() != nil {
		m.SetEdns0(ednsSize, false)
	}
	h.write(w, r, m)
}

// answerPTR replies to a reverse lookup of a container's address with its name.
func (h *handler) answerPTR(w dns.ResponseWriter, r *dns.Msg, q dns.Question, name string) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	m.RecursionAvailable = true
	m.Answer = append(m.Answer, &dns.PTR{
		Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: ownTTL},
		Ptr: dns.Fqdn(name),
	})
	if r.IsEdns0() != nil {
		m.SetEdns0(ednsSize, false)
	}
	h.write(w, r, m)
}

// forward passes a query berth cannot answer to the upstreams in order and relays the
// first usable answer (it keeps the client's ID, as the query is sent with it).
func (h *handler) forward(w dns.ResponseWriter, r *dns.Msg, upstreams []string) {
	if len(upstreams) == 0 {
		h.reply(w, r, dns.RcodeNameError)
		return
	}
	// Over the cap the query is answered SERVFAIL at once rather than dropped or
	// queued (docker waits up to its I/O timeout, then answers REFUSED): the client
	// learns now, and the agent keeps nothing for it.
	select {
	case h.forwarding <- struct{}{}:
		defer func() { <-h.forwarding }()
	default:
		h.warn("cap", fmt.Errorf("more than %d queries at the upstreams at once: answering SERVFAIL", maxForwards))
		h.reply(w, r, dns.RcodeServerFailure)
		return
	}
	var fallback *dns.Msg
	for _, up := range upstreams {
		resp, err := h.exchange(up, r)
		if err != nil {
			h.warn(up, err)
			continue
		}
		// Another upstream may do better than a failure or a refusal.
		if resp.Rcode == dns.RcodeServerFailure || resp.Rcode == dns.RcodeRefused {
			if fallback == nil {
				fallback = resp
			}
			continue
		}
		h.write(w, r, resp)
		return
	}
	if fallback != nil {
		h.write(w, r, fallback)
		return
	}
	h.reply(w, r, dns.RcodeServerFailure)
}

// exchange asks one upstream over UDP, and again over TCP when the answer is truncated.
func (h *handler) exchange(up string, r *dns.Msg) (*dns.Msg, error) {
	ctx, cancel := context.WithTimeout(h.ctx, upstreamTimeout)
	defer cancel()
	q := r.Copy()
	c := &dns.Client{Net: "udp", Timeout: upstreamTimeout}
	resp, _, err := c.ExchangeContext(ctx, q, up)
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		resp, _, err = c.ExchangeContext(ctx, q, up)
	}
	return resp, err
}

// reply sends an empty answer with rcode.
func (h *handler) reply(w dns.ResponseWriter, r *dns.Msg, rcode int) {
	m := new(dns.Msg)
	m.SetRcode(r, rcode)
	m.RecursionAvailable = true
	h.write(w, r, m)
}

// write sends m, truncated to what a UDP client can take (it then retries over TCP).
func (h *handler) write(w dns.ResponseWriter, r *dns.Msg, m *dns.Msg) {
	m.Id = r.Id
	if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
		size := dns.MinMsgSize
		if opt := r.IsEdns0(); opt != nil && int(opt.UDPSize()) > size {
			size = int(opt.UDPSize())
		}
		m.Truncate(size)
	}
	if err := w.WriteMsg(m); err != nil {
		h.logf("resolver: reply to %s: %v", w.RemoteAddr(), err)
	}
}

// warn logs err at most once per warnEvery for each key (an upstream, or "cap").
func (h *handler) warn(key string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if now.Sub(h.lastWarn[key]) < h.warnEvery {
		return
	}
	if h.lastWarn == nil {
		h.lastWarn = map[string]time.Time{}
	}
	h.lastWarn[key] = now
	if key == "cap" {
		h.logf("resolver: %v", err)
		return
	}
	h.logf("resolver: upstream %s: %v", key, err)
}

func clientIP(a net.Addr) net.IP {
	switch a := a.(type) {
	case *net.UDPAddr:
		return a.IP
	case *net.TCPAddr:
		return a.IP
	}
	return nil
}
