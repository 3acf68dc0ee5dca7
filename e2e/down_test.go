package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A down takes its containers' attachments away with their networks, all at once.
// Here one network cannot go: a container not in the file (an orphan) still uses it.
// The down says so and fails; what the removed containers had on that network is
// taken down anyway, the other network goes whole, and a later down with
// --remove-orphans leaves nothing (the harness compares the host's inventory).
func TestDownWithOrphans(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	if got := lookupFrom(s, "db", "worker"); len(got) != 1 {
		t.Fatalf("worker resolves from db to %v before down", got)
	}

	r := s.berth("-f", "partial.yaml", "down")
	back := s.project + "_back"
	if r.code == 0 || !strings.Contains(r.stderr, back) || !strings.Contains(r.stderr, "in use by container(s) "+s.project+"-db-1") {
		t.Fatalf("down with db left on %s: exit %d, want a failure naming the network and the container using it:\n%s", back, r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "orphan") {
		t.Errorf("down did not warn of the orphan db:\n%s", r.stderr)
	}
	if got := s.services(); got != "db" {
		t.Errorf("after down of partial.yaml, running: %q, want db", got)
	}
	// The resolver no longer answers for the removed containers.
	eventually(t, 2*time.Second, "worker's name disappears", func() error {
		if got := lookupFrom(s, "db", "worker"); len(got) != 0 {
			return fmt.Errorf("still %v", got)
		}
		return nil
	})
	inv := takeInventory(t)
	if len(inv.host.Departed) != 0 {
		t.Errorf("records of removed containers left: %v", inv.host.Departed)
	}
	front := s.project + "_front"
	for _, n := range inv.host.Networks {
		if strings.HasPrefix(n, front) {
			t.Errorf("network %s still there, though nothing uses it", front)
		}
	}
	if ipam := strings.Join(inv.host.IPAM, " "); strings.Count(ipam, back+"/") != 2 { // the directory and db's lease
		t.Errorf("leases on %s, want only db's: %s", back, ipam)
	}

	s.must("-f", "partial.yaml", "down", "--remove-orphans")
}
