package e2e

import (
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// countingDNS answers every A query with ip on a loopback UDP port until the test
// ends, counting the queries for each name.
func countingDNS(t *testing.T, ip string) (addr string, asked func(name string) int64) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var counts [2]atomic.Int64 // the probe name, any other
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		if strings.HasPrefix(q.Question[0].Name, "leak-probe.") {
			counts[0].Add(1)
		} else {
			counts[1].Add(1)
		}
		m := new(dns.Msg)
		m.SetReply(q)
		if q.Question[0].Qtype == dns.TypeA {
			rr, _ := dns.NewRR(q.Question[0].Name + " 60 IN A " + ip)
			m.Answer = append(m.Answer, rr)
		}
		_ = w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String(), func(name string) int64 {
		if strings.HasPrefix(name, "leak-probe.") {
			return counts[0].Load()
		}
		return counts[1].Load()
	}
}

// TestInternalDNS: a container on internal networks only resolves the project's
// names, and its queries for other names never reach the host's upstream (moby's
// CVE-2024-29018); one also on a network with a way out is forwarded.
func TestInternalDNS(t *testing.T) {
	upstream, asked := countingDNS(t, "192.0.2.66")
	s := newScenario(t)
	s.env = append(s.env, "BERTH_DNS_UPSTREAMS="+upstream)
	s.must("up", "-d")

	if r := s.berth("exec", "-T", "inside", "nslookup", "both"); r.code != 0 {
		t.Errorf("inside: the project's names do not resolve: %s %s", r.stdout, r.stderr)
	}
	for range 3 {
		if r := s.berth("exec", "-T", "inside", "nslookup", "leak-probe.example"); r.code == 0 || strings.Contains(r.stdout, "192.0.2.66") {
			t.Errorf("inside: an outside name resolved from an internal network: %q", r.stdout)
		}
	}
	if n := asked("leak-probe.example."); n != 0 {
		t.Fatalf("the upstream received %d queries from a container on an internal network only", n)
	}
	if out := s.must("exec", "-T", "both", "nslookup", "leak-probe.example"); !strings.Contains(out, "192.0.2.66") {
		t.Errorf("both: a container with a way out was not forwarded: %q", out)
	}
	if asked("leak-probe.example.") == 0 {
		t.Errorf("the upstream heard nothing from the container with a way out")
	}
}

// TestLoopbackReach: a container routing 127.0.0.0/8 through its gateway does not
// reach a service the host binds to 127.0.0.1, while the port the project publishes
// still answers on the host's 127.0.0.1.
func TestLoopbackReach(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("host-loopback-only\n"))
			c.Close()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port

	s := newScenario(t)
	s.must("up", "-d")
	published := func(when string) {
		t.Helper()
		eventually(t, 10*time.Second, "the published port answers on 127.0.0.1 "+when, func() error {
			body, err := httpGet("http://127.0.0.1:18141/")
			if err == nil && strings.TrimSpace(body) != "published" {
				err = fmt.Errorf("got %q", body)
			}
			return err
		})
	}
	published("before the attempt")

	// The container's own lo would catch 127.0.0.1: take its address away and route
	// the loopback range to the gateway, the bridge, whose route_localnet is on.
	attack := fmt.Sprintf(`gw=$(ip route | awk '/^default/ {print $3}')
ip addr del 127.0.0.1/8 dev lo && ip route add 127.0.0.0/8 via "$gw" dev eth0 || exit 99
nc -w 2 127.0.0.1 %d`, port)
	r := s.berth("exec", "-T", "web", "sh", "-c", attack)
	if r.code == 99 {
		t.Fatalf("the container could not route 127.0.0.0/8 to its gateway: %s %s", r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "host-loopback-only") {
		t.Fatalf("a container reached the host's 127.0.0.1:%d through its gateway", port)
	}
	published("after the attempt")
}

// TestIsolationAfterFlush: a host tool flushes FORWARD (berth's jump and the firewall
// plugin's go); the next container attached puts the plugin's CNI-FORWARD, whose
// rules accept everything from a container, back first. Another project's container
// must still not reach this project's.
func TestIsolationAfterFlush(t *testing.T) {
	s := newScenario(t)
	other := []string{"-p", s.project + "-other", "-f", "other.yaml"}
	// Registered after the scenario's, so it runs first: the scenario's leak check
	// then sees both projects gone.
	t.Cleanup(func() { s.berth(append(other, "down", "-t", "1")...) })
	s.must("up", "-d", "web")
	s.must(append(other, "up", "-d")...)
	webIP := strings.TrimSpace(s.must("exec", "-T", "web", "sh", "-c", "ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1"))
	fetch := fmt.Sprintf(`printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 2 %s 80`, webIP)
	probe := append(other, "exec", "-T", "prober", "sh", "-c", fetch)
	unreachable := func(when string) {
		t.Helper()
		if r := s.berth(probe...); strings.Contains(r.stdout, "web") {
			out, _ := exec.Command("iptables", "-S", "FORWARD").Output()
			t.Fatalf("%s: another project's container reached web at %s:\n%s", when, webIP, out)
		}
	}
	unreachable("after up")

	// As `iptables -F FORWARD` would, for berth's and the plugin's rules only.
	for _, jump := range [][]string{
		{"-j", "BERTH-ISOLATION-1"},
		{"-m", "comment", "--comment", "CNI firewall plugin rules", "-j", "CNI-FORWARD"},
	} {
		for range 4 { // every copy
			if exec.Command("iptables", append([]string{"-D", "FORWARD"}, jump...)...).Run() != nil {
				break
			}
		}
	}
	s.must("up", "-d", "late")
	// The probe works: from the same network it gets the page.
	if out := s.must("exec", "-T", "late", "sh", "-c", fetch); !strings.Contains(out, "web") {
		t.Fatalf("late cannot fetch web's page on their network: %q", out)
	}
	unreachable("after FORWARD was flushed and a container attached")
}
