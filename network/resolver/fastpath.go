package resolver

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// The fast path answers the common query, A or AAAA of a name berth knows, in the
// UDP read loop itself: the reply is the query's own header and question followed by
// the addresses, written into a buffer the loop reuses. It saves what dns.Server
// spends per packet (a goroutine, unpacking and packing a dns.Msg, a read deadline,
// control messages) and is what keeps the resolver as fast as dnsmasq. Every other
// packet (PTR, names to forward, anything unusual) goes on to dns.Server and the
// handler, which answer it as before: the fast path only ever answers what the
// handler would answer the same way.

const (
	headerLen = 12
	// DNS header flag bits.
	flagQR     = 1 << 15
	flagAA     = 1 << 10
	flagRD     = 1 << 8
	flagRA     = 1 << 7
	flagCD     = 1 << 4
	opcodeMask = 0xf << 11
	// maxNameLen is the longest name on the wire (RFC 1035), length bytes included.
	maxNameLen = 255
)

// plainQuery is what the fast path reads of a query.
type plainQuery struct {
	question []byte // the question section as received: name, type, class
	name     []byte // the name in lower case, without the final dot ("web.p_default")
	qtype    uint16
	qclass   uint16
	edns     bool   // the query has an OPT record
	maxReply int    // the largest reply the client takes over UDP
	flags    uint16 // the query's header flags
}

// parsePlainQuery reads a standard query with one question whose name is plain
// (letters, digits, '-' and '_', no compression) and, at most, an OPT record
// without options. Anything else is not ok: the slow path deals with it. name is
// built in nameBuf.
func parsePlainQuery(pkt []byte, nameBuf []byte) (q plainQuery, ok bool) {
	if len(pkt) < headerLen {
		return q, false
	}
	q.flags = binary.BigEndian.Uint16(pkt[2:])
	qd, an, ns, ar := binary.BigEndian.Uint16(pkt[4:]), binary.BigEndian.Uint16(pkt[6:]),
		binary.BigEndian.Uint16(pkt[8:]), binary.BigEndian.Uint16(pkt[10:])
	if q.flags&(flagQR|opcodeMask) != 0 || qd != 1 || an != 0 || ns != 0 || ar > 1 {
		return q, false
	}
	off := headerLen
	q.name = nameBuf[:0]
	for {
		if off >= len(pkt) {
			return q, false
		}
		l := int(pkt[off])
		off++
		if l == 0 {
			break
		}
		if l > 63 || off+l > len(pkt) || off-headerLen+l > maxNameLen-1 {
			return q, false // a pointer, a bad length or too long a name
		}
		if len(q.name) > 0 {
			q.name = append(q.name, '.')
		}
		for _, c := range pkt[off : off+l] {
			switch {
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
			default:
				return q, false // needs escaping in the name's text form
			}
			q.name = append(q.name, c)
		}
		off += l
	}
	if off+4 > len(pkt) {
		return q, false
	}
	q.qtype, q.qclass = binary.BigEndian.Uint16(pkt[off:]), binary.BigEndian.Uint16(pkt[off+2:])
	q.question = pkt[headerLen : off+4]
	off += 4
	q.maxReply = dns.MinMsgSize
	if ar == 1 {
		// An OPT record: root name, type OPT, class the UDP size, TTL, no data.
		const optLen = 11
		if off+optLen != len(pkt) || pkt[off] != 0 || binary.BigEndian.Uint16(pkt[off+1:]) != dns.TypeOPT ||
			binary.BigEndian.Uint16(pkt[off+9:]) != 0 {
			return q, false
		}
		q.edns = true
		q.maxReply = max(q.maxReply, int(binary.BigEndian.Uint16(pkt[off+3:])))
		off += optLen
	}
	return q, off == len(pkt)
}

// fastAnswer appends to dst the reply to pkt from client when the handler would
// answer it from the records: an address query (or any type but PTR) for a name
// that client sees. ok is false for every other query, and for a reply that
// would not fit the client's size (the handler truncates it).
func (h *handler) fastAnswer(dst, pkt []byte, client netip.Addr, s *fastScratch) (reply []byte, ok bool) {
	q, ok := parsePlainQuery(pkt, s.name[:])
	if !ok || q.qtype == dns.TypePTR { // PTR: a reverse lookup first (ServeDNS)
		return nil, false
	}
	records := h.records.Load()
	s.addrs = records.appendAddrs(s.addrs[:0], client.Unmap(), string(q.name))
	if len(s.addrs) == 0 {
		return nil, false // not berth's: forwarded
	}
	// Shuffled so that clients taking the first address spread over the replicas.
	rand.Shuffle(len(s.addrs), func(i, j int) { s.addrs[i], s.addrs[j] = s.addrs[j], s.addrs[i] })
	inet := q.qclass == dns.ClassINET || q.qclass == dns.ClassANY
	wantA := inet && (q.qtype == dns.TypeA || q.qtype == dns.TypeANY)
	wantAAAA := inet && (q.qtype == dns.TypeAAAA || q.qtype == dns.TypeANY)

	flags := flagQR | flagAA | flagRA | q.flags&(flagRD|flagCD)
	reply = append(dst, pkt[0], pkt[1]) // the query's ID
	reply = binary.BigEndian.AppendUint16(reply, uint16(flags))
	reply = binary.BigEndian.AppendUint16(reply, 1) // questions
	reply = append(reply, 0, 0, 0, 0, 0, 0)         // answers (counted below), authority, additional
	reply = append(reply, q.question...)
	var answers uint16
	for _, a := range s.addrs {
		// As the handler's net.IP.To4: an IPv4-mapped address answers A.
		if a.Unmap().Is4() {
			if wantA {
				v4 := a.Unmap().As4()
				reply = appendAnswer(reply, dns.TypeA, v4[:])
				answers++
			}
		} else if wantAAAA {
			v6 := a.As16()
			reply = appendAnswer(reply, dns.TypeAAAA, v6[:])
			answers++
		}
	}
	binary.BigEndian.PutUint16(reply[6:], answers)
	if q.edns {
		binary.BigEndian.PutUint16(reply[10:], 1)
		// OPT: root name, type, our UDP size, extended rcode/version/flags 0, no data.
		reply = append(reply, 0)
		reply = binary.BigEndian.AppendUint16(reply, dns.TypeOPT)
		reply = binary.BigEndian.AppendUint16(reply, ednsSize)
		reply = append(reply, 0, 0, 0, 0, 0, 0)
	}
	if len(reply) > q.maxReply {
		return nil, false
	}
	return reply, true
}

// appendAnswer appends a record of the question's name with TTL ownTTL.
func appendAnswer(reply []byte, rrtype uint16, addr []byte) []byte {
	reply = append(reply, 0xc0, headerLen) // the name: a pointer to the question's
	reply = binary.BigEndian.AppendUint16(reply, rrtype)
	reply = binary.BigEndian.AppendUint16(reply, dns.ClassINET)
	reply = binary.BigEndian.AppendUint32(reply, ownTTL)
	reply = binary.BigEndian.AppendUint16(reply, uint16(len(addr)))
	return append(reply, addr...)
}

// fastScratch is what one read loop reuses from query to query.
type fastScratch struct {
	in    [dns.DefaultMsgSize]byte // as dns.Server's UDPSize in listen
	out   []byte
	name  [maxNameLen]byte
	addrs []netip.Addr
}

// fastReader is the UDP reader of a dns.Server: it answers what the fast path can
// in the read loop and hands the rest to the server. It reads the socket as a
// plain net.PacketConn: the socket is bound to one address, so replies leave from
// it without the per-packet control messages dns.Server uses for *net.UDPConn (see
// boundUDP), and with no read deadline (Shutdown sets one to stop the loop).
type fastReader struct {
	dns.Reader // TCP, unused: the UDP server has no listener
	conn       *net.UDPConn
	h          *handler
	scratch    fastScratch
}

// boundUDP hides the *net.UDPConn from dns.Server, which then serves it as any
// net.PacketConn, through fastReader.ReadPacketConn, and replies with WriteTo.
type boundUDP struct{ net.PacketConn }

func (r *fastReader) ReadPacketConn(_ net.PacketConn, _ time.Duration) ([]byte, net.Addr, error) {
	s := &r.scratch
	for {
		n, from, err := r.conn.ReadFromUDPAddrPort(s.in[:])
		if err != nil {
			return nil, nil, err
		}
		if reply, ok := r.h.fastAnswer(s.out[:0], s.in[:n], from.Addr(), s); ok {
			s.out = reply[:0]
			if _, err := r.conn.WriteToUDPAddrPort(reply, from); err != nil {
				r.h.logf("resolver: reply to %s: %v", from, err)
			}
			continue
		}
		return bytes.Clone(s.in[:n]), net.UDPAddrFromAddrPort(from), nil
	}
}
