package e2e

import (
	"fmt"
	"regexp"
	"slices"
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

// A down killed half-way (SIGKILL: nothing of berth runs after it) leaves records
// of the containers it removed, whose attachments wait for their networks' removal.
// An up then brings the project back without them answering for anything, and the
// down after it leaves nothing (the harness compares the host's inventory).
func TestKilledDown(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	// The chain goes last first: s7, then s6 … Kill once s7 is removed.
	cmd, _ := s.startUntil(s.project+"-s7-1  Removed", "down")
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if got := len(takeInventory(t).host.Departed); got == 0 {
		t.Fatal("no record of a removed container waits for its networks: the killed down did not get that far")
	}

	s.must("up", "-d")
	if st := s.states(); len(st) != 8 {
		t.Fatalf("after up: %v", st)
	}
	// Every address the resolver gives for s7 is one the new s7 has, not the
	// removed one's.
	var current []string
	for _, m := range regexp.MustCompile(`inet ([0-9.]+)/`).FindAllStringSubmatch(s.must("exec", "-T", "s7", "ip", "-o", "-4", "addr"), -1) {
		current = append(current, m[1])
	}
	for _, from := range []string{"s0", "s1"} { // on back only, and on both networks
		got := lookupFrom(s, from, "s7")
		if len(got) == 0 {
			t.Errorf("s7 does not resolve from %s", from)
		}
		for _, a := range got {
			if !slices.Contains(current, a) {
				t.Errorf("s7 resolves from %s to %v; its addresses are %v", from, got, current)
			}
		}
	}
}

// An up killed at any point (SIGKILL) is finished by the next up, and the down after
// it leaves nothing: a container killed between its network attachment and its
// creation in containerd must not keep a record that answers for its name and keeps
// its network in use, and one killed while its task starts must start.
func TestKilledUp(t *testing.T) {
	s := newScenario(t)
	before := takeInventory(t)
	for _, after := range []time.Duration{200, 400, 600, 800, 1000} {
		cmd := s.command("up", "-d")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after * time.Millisecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if r := s.berth("up", "-d"); r.code != 0 {
			t.Fatalf("up after an up killed at %dms: %s", after, r.stderr)
		}
		for name, state := range s.states() {
			if state != "running" {
				t.Errorf("killed at %dms, then up: %s is %s", after, name, state)
			}
		}
		if r := s.berth("down"); r.code != 0 {
			t.Fatalf("down after an up killed at %dms: %s", after, r.stderr)
		}
		if diff := before.diff(takeInventory(t)); diff != "" {
			t.Fatalf("left behind by an up killed at %dms, then up and down:\n%s", after, diff)
		}
	}
}
