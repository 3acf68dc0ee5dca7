package e2e

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// fakeDNS serves one name on a loopback address until the test ends.
func fakeDNS(t *testing.T, addr, name, ip string) string {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		switch {
		case q.Question[0].Name != name:
			m.Rcode = dns.RcodeNameError
		case q.Question[0].Qtype == dns.TypeA:
			rr, _ := dns.NewRR(name + " 60 IN A " + ip)
			m.Answer = append(m.Answer, rr)
		}
		_ = w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestUpstreamForwarding(t *testing.T) {
	// The host's upstream, and one a service names with dns: both on loopback.
	upstream := fakeDNS(t, "127.0.0.1:0", "outside.example.", "192.0.2.55")
	fakeDNS(t, "127.0.0.3:53", "custom.example.", "192.0.2.77")

	s := newScenario(t)
	s.env = append(s.env, "BERTH_DNS_UPSTREAMS="+upstream)
	s.must("up", "-d")
	out := s.must("exec", "-T", "client", "nslookup", "outside.example")
	if !strings.Contains(out, "192.0.2.55") {
		t.Errorf("the upstream's answer was not passed on: %q", out)
	}
	if r := s.berth("exec", "-T", "client", "nslookup", "unknown.example"); r.code == 0 {
		t.Errorf("the upstream's NXDOMAIN became an answer: %q", r.stdout)
	}
	// dns: the service's own server answers its other names; berth's names still work.
	if out := s.berth("exec", "-T", "custom", "nslookup", "custom.example").stdout; !strings.Contains(out, "192.0.2.77") {
		t.Errorf("dns: the service's own server was not asked: %q", out)
	}
	if r := s.berth("exec", "-T", "client", "nslookup", "custom.example"); r.code == 0 {
		t.Errorf("another service's dns server answered for client: %q", r.stdout)
	}
	if r := s.berth("exec", "-T", "custom", "nslookup", "client"); r.code != 0 {
		t.Errorf("with dns set, berth's names stopped resolving: %s", r.stdout)
	}
}

func TestPublishedPorts(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	for port, want := range map[int]string{18101: "one", 18102: "two"} {
		eventually(t, 10*time.Second, fmt.Sprintf("127.0.0.1:%d answers", port), func() error {
			body, err := httpGet(fmt.Sprintf("http://127.0.0.1:%d/", port))
			if err != nil {
				return err
			}
			if strings.TrimSpace(body) != want {
				return fmt.Errorf("got %q, want %q", body, want)
			}
			return nil
		})
	}
	eventually(t, 10*time.Second, "a UDP datagram to 127.0.0.1:18103 reaches the container", func() error {
		c, err := net.Dial("udp", "127.0.0.1:18103")
		if err != nil {
			return err
		}
		defer c.Close()
		if _, err := c.Write([]byte("datagram-in\n")); err != nil {
			return err
		}
		if !strings.Contains(s.must("logs", "udp"), "datagram-in") {
			return fmt.Errorf("not in the container's output yet")
		}
		return nil
	})
	if ps := s.must("ps"); !strings.Contains(ps, "127.0.0.1:18103->7003/udp") {
		t.Errorf("ps does not show the ports:\n%s", ps)
	}
}

func TestProcessOptions(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	eventually(t, 10*time.Second, "output of both services", func() error {
		if out := s.must("logs", "--no-log-prefix", "term"); !strings.Contains(out, "/dev/pts/") {
			return fmt.Errorf("tty: the process has no terminal: %q", out)
		}
		if out := s.must("logs", "--no-log-prefix", "entry"); strings.TrimSpace(out) != "entry arg-zero arg-one from-env-file" {
			return fmt.Errorf("entrypoint, command and env_file: %q", out)
		}
		return nil
	})
	// init: true runs tini as PID 1, the command under it.
	if out := s.must("exec", "-T", "withinit", "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '"); !strings.HasPrefix(out, "/sbin/docker-init -- sleep 3600") {
		t.Errorf("init: PID 1 is %q", out)
	}
}
