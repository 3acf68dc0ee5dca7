package e2e

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// driver_opts name the bridge and set its MTU, down removes the named bridge, and a
// port in host mode is published as any other.
func TestNetworkDriverOpts(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")

	br, err := net.InterfaceByName("e2e-brdrvopts")
	if err != nil {
		t.Fatalf("the bridge named by driver_opts: %v", err)
	}
	if br.MTU != 1400 {
		t.Errorf("bridge MTU %d, want 1400", br.MTU)
	}
	if out := s.must("exec", "-T", "web", "cat", "/sys/class/net/eth0/mtu"); strings.TrimSpace(out) != "1400" {
		t.Errorf("eth0 MTU in the container: %q, want 1400", out)
	}
	eventually(t, 10*time.Second, "the host-mode port answers on 127.0.0.1:18111", func() error {
		body, err := httpGet("http://127.0.0.1:18111/")
		if err != nil {
			return err
		}
		if strings.TrimSpace(body) != "host-mode" {
			return fmt.Errorf("body %q", body)
		}
		return nil
	})

	r := s.berth("-f", "taken.yaml", "up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, `bridge name "lo"`) || !strings.Contains(r.stderr, "exists on the host") {
		t.Errorf("up with the bridge name of a host link: exit %d %q", r.code, r.stderr)
	}
	if _, err := net.InterfaceByName("lo"); err != nil {
		t.Errorf("lo after the refused up: %v", err)
	}

	r = s.berth("-f", "changed.yaml", "up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, "MTU") || !strings.Contains(r.stderr, "berth down") {
		t.Errorf("up with another MTU for an existing network: exit %d %q", r.code, r.stderr)
	}
	if br, err := net.InterfaceByName("e2e-brdrvopts"); err != nil || br.MTU != 1400 {
		t.Errorf("the bridge after the refused up: %v %v", br, err)
	}

	s.must("down")
	if _, err := net.InterfaceByName("e2e-brdrvopts"); err == nil {
		t.Errorf("down left the bridge e2e-brdrvopts")
	}
}
