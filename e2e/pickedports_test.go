package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// Host ports berth picks are shown by port and ps and answer; a port a container
// publishes already is refused with the container named.
func TestPickedPorts(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	answers := func(addr string) {
		t.Helper()
		eventually(t, 10*time.Second, addr+" answers", func() error {
			_, err := httpGet("http://" + addr + "/")
			return err
		})
	}

	eph := strings.TrimSpace(s.must("port", "eph", "80"))
	if !strings.HasPrefix(eph, "127.0.0.1:") || strings.HasSuffix(eph, ":0") {
		t.Fatalf("port eph 80 = %q, want 127.0.0.1 and the port berth picked", eph)
	}
	answers(eph)
	if ps := s.must("ps"); !strings.Contains(ps, eph+"->80/tcp") {
		t.Errorf("ps does not show %s->80/tcp:\n%s", eph, ps)
	}

	seen := map[string]bool{}
	for _, index := range []string{"1", "2"} {
		addr := strings.TrimSpace(s.must("port", "--index", index, "ranged", "80"))
		host, port, _ := strings.Cut(addr, ":")
		n, err := strconv.Atoi(port)
		if host != "127.0.0.1" || err != nil || n < 18131 || n > 18133 || seen[port] {
			t.Fatalf("ranged-%s publishes %q, want a port of 18131-18133 of its own (seen %v)", index, addr, seen)
		}
		seen[port] = true
		answers(addr)
	}

	taken := strings.TrimPrefix(eph, "127.0.0.1:")
	other := &scenario{t: t, dir: s.dir, project: s.project + "-clash", env: s.env}
	t.Cleanup(func() { other.berth("down", "-t", "0") })
	r := other.berthEnv([]string{"CLASH_PORT=" + taken}, "-f", "clash.yaml", "up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, "already allocated") || !strings.Contains(r.stderr, s.project+"-eph-1") {
		t.Errorf("up publishing %s, which eph has: exit %d %q", eph, r.code, r.stderr)
	}
}
