package resolver

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"berth.dev/berth/network"
)

// writeAtomic writes like berth does: a dot temp file renamed into place.
func writeAtomic(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	writeRaw(t, path, data)
}

func writeRaw(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func writeNetwork(t *testing.T, stateDir string, n network.Network) {
	t.Helper()
	writeAtomic(t, filepath.Join(stateDir, network.NetworksDir, n.Name+".json"), n)
}

func writeEndpoint(t *testing.T, stateDir string, ep network.Endpoint) {
	t.Helper()
	writeAtomic(t, filepath.Join(stateDir, network.EndpointsDir, ep.ContainerID+".json"), ep)
}

func removeEndpoint(t *testing.T, stateDir, id string) {
	t.Helper()
	if err := os.Remove(filepath.Join(stateDir, network.EndpointsDir, id+".json")); err != nil {
		t.Fatal(err)
	}
}

// ep builds an endpoint; nets are "network=ip" or "network=ip=alias1,alias2".
func ep(id, service, name string, nets ...string) network.Endpoint {
	e := network.Endpoint{ContainerID: id, Project: "p", Service: service, ContainerName: name}
	for i, spec := range nets {
		f := strings.SplitN(spec, "=", 3)
		en := network.EndpointNetwork{Network: f[0], IP: f[1], Interface: fmt.Sprintf("eth%d", i)}
		if len(f) == 3 {
			en.Aliases = strings.Split(f[2], ",")
		}
		e.Networks = append(e.Networks, en)
	}
	return e
}

// id64 makes a 64-hex-digit container ID from a short tag.
func id64(tag string) string {
	return tag + strings.Repeat("0", 64-len(tag))
}

// freePort finds a port free on 127.0.0.1 for both UDP and TCP.
func freePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		pc.Close()
		if err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// logBuf collects the server's log lines (t.Logf could race with the test's end).
type logBuf struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuf) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logBuf) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// startServer runs Run until the test ends and returns its log.
func startServer(t *testing.T, o Options) *logBuf {
	t.Helper()
	lb := &logBuf{}
	o.Logf = lb.logf
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, o) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", lb)
		}
	})
	return lb
}

// query asks server (which must be on 127.0.0.0/8) for name from the local address from.
func query(server, from, netw, name string, qtype uint16) (*dns.Msg, error) {
	if !strings.HasPrefix(server, "127.") {
		panic("tests query loopback only: " + server)
	}
	c := &dns.Client{Net: netw, Timeout: 500 * time.Millisecond}
	if from != "" {
		ip := net.ParseIP(from)
		if netw == "tcp" {
			c.Dialer = &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: c.Timeout}
		} else {
			c.Dialer = &net.Dialer{LocalAddr: &net.UDPAddr{IP: ip}, Timeout: c.Timeout}
		}
	}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	r, _, err := c.Exchange(m, server)
	if err == nil && r.Id != m.Id {
		return r, fmt.Errorf("reply id %d, query id %d", r.Id, m.Id)
	}
	return r, err
}

// aOf are the A addresses of a reply, sorted.
func aOf(m *dns.Msg) []string {
	var out []string
	for _, rr := range m.Answer {
		if a, ok := rr.(*dns.A); ok {
			out = append(out, a.A.String())
		}
	}
	slices.Sort(out)
	return out
}

// eventually polls cond every 20ms until it holds or within passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	var last string
	for {
		ok, detail := cond()
		if ok {
			return
		}
		last = detail
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s (last: %s)", what, within, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
