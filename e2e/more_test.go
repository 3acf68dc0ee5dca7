package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestAttachedUp(t *testing.T) {
	s := newScenario(t)
	r := s.berth("up", "--no-color")
	if r.code != 0 {
		t.Fatalf("attached up: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		s.project + "-first-1 ", "| first-says-hi",
		s.project + "-second-1", "| second-says-hi",
		s.project + "-second-1 exited with code 3",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("attached output has no %q:\n%s", want, r.stdout)
		}
	}
}

func TestAttachedInterrupt(t *testing.T) {
	s := newScenario(t)
	cmd := s.command("up", "--no-color")
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	eventually(t, 20*time.Second, "the ticker's first ticks", func() error {
		if len(s.ps(false)) == 1 {
			if o := s.must("logs", "ticker"); strings.Contains(o, "tick") {
				return nil
			}
		}
		return fmt.Errorf("not ticking yet")
	})
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("up after Ctrl-C: %v", err)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("up did not return after Ctrl-C")
	}
	ps := s.ps(true)
	if len(ps) != 1 || ps[0].State != "exited" || ps[0].ExitCode != 0 {
		t.Errorf("after Ctrl-C the container is %+v, want exited (0)", ps)
	}
	if logs := s.must("logs", "ticker"); !strings.Contains(logs, "got-term") {
		t.Errorf("the container did not get its stop signal: %q", logs)
	}
}

func TestVolumes(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	if out := s.must("exec", "-T", "app", "cat", "/data/hello.txt"); strings.TrimSpace(out) != "from the host" {
		t.Errorf("bind mount: %q", out)
	}
	if r := s.berth("exec", "-T", "-u", "0", "app", "touch", "/data/x"); r.code == 0 {
		t.Error("a :ro bind mount was writable")
	}
	if out := s.must("exec", "-T", "app", "sh", "-c", "hostname; id -u"); strings.Join(strings.Fields(out), " ") != "apphost 65534" {
		t.Errorf("hostname and user: %q", out)
	}
	// The named volume is shared and outlives its containers.
	s.must("exec", "-T", "root", "sh", "-c", "echo kept > /store/f")
	if out := s.must("exec", "-T", "app", "cat", "/store/f"); strings.TrimSpace(out) != "kept" {
		t.Errorf("shared volume: %q", out)
	}
	// volumes_from: reader sees root's volume at the same place, read-only.
	if out := s.must("exec", "-T", "reader", "cat", "/store/f"); strings.TrimSpace(out) != "kept" {
		t.Errorf("volumes_from: %q", out)
	}
	if r := s.berth("exec", "-T", "reader", "touch", "/store/g"); r.code == 0 {
		t.Error("volumes_from :ro was writable")
	}
	old := s.ids()
	s.must("up", "-d", "--force-recreate")
	if now := s.ids(); now[s.project+"-root-1"] == old[s.project+"-root-1"] {
		t.Fatal("--force-recreate kept the container")
	}
	if out := s.must("exec", "-T", "root", "cat", "/store/f"); strings.TrimSpace(out) != "kept" {
		t.Errorf("volume after recreate: %q", out)
	}
	// down keeps volumes, a second down does nothing, down -v removes them.
	s.must("down", "-t", "1")
	if r := s.berth("down"); r.code != 0 {
		t.Errorf("a second down failed: %s", r.stderr)
	}
	s.must("up", "-d")
	if out := s.must("exec", "-T", "root", "cat", "/store/f"); strings.TrimSpace(out) != "kept" {
		t.Errorf("volume after down and up: %q", out)
	}
	s.must("down", "-v", "-t", "1")
	s.must("up", "-d")
	if r := s.berth("exec", "-T", "root", "cat", "/store/f"); r.code == 0 {
		t.Errorf("down -v kept the volume's data: %q", r.stdout)
	}
}

func TestNetworks(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	resolves := func(from, name string) bool {
		return s.berth("exec", "-T", from, "nslookup", name).code == 0
	}
	for _, c := range []struct {
		from, name string
		want       bool
	}{
		{"client", "web", true}, {"client", "portal", true}, {"client", "db", false}, {"client", "database", false},
		{"web", "db", true}, {"web", "database", true}, {"web", "client", true},
		{"db", "web", true}, {"db", "portal", false}, {"db", "client", false},
	} {
		if got := resolves(c.from, c.name); got != c.want {
			t.Errorf("%s resolving %s: %v, want %v", c.from, c.name, got, c.want)
		}
	}
	// Addresses: web has one on each network; client reaches web but not db.
	if out := s.must("exec", "-T", "web", "sh", "-c", "ip -4 -o addr show | grep -c 'eth[01]'"); strings.TrimSpace(out) != "2" {
		t.Errorf("web's interfaces: %q", out)
	}
	if r := s.berth("exec", "-T", "client", "ping", "-c", "1", "-W", "2", "web"); r.code != 0 {
		t.Errorf("client cannot reach web: %s %s", r.stdout, r.stderr)
	}
	// Networks are isolated: client (front) cannot reach db (back) even by address,
	// though the host routes between the bridges.
	dbIP := strings.TrimSpace(s.must("exec", "-T", "db", "hostname", "-i"))
	if r := s.berth("exec", "-T", "client", "ping", "-c", "1", "-W", "1", dbIP); r.code == 0 {
		t.Errorf("client reached db at %s across networks", dbIP)
	}
	if r := s.berth("exec", "-T", "web", "ping", "-c", "1", "-W", "2", dbIP); r.code != 0 {
		t.Errorf("web cannot reach db at %s on their shared network", dbIP)
	}
}
