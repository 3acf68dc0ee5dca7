package e2e

import (
	"encoding/json"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// subnetsOf reads a network's subnets from network inspect.
func subnetsOf(s *scenario, name string) []netip.Prefix {
	var nets []struct {
		IPAM struct{ Config []struct{ Subnet string } }
	}
	if err := json.Unmarshal([]byte(s.must("network", "inspect", name)), &nets); err != nil || len(nets) != 1 {
		s.t.Fatalf("network inspect %s: %v", name, err)
	}
	var out []netip.Prefix
	for _, c := range nets[0].IPAM.Config {
		out = append(out, netip.MustParsePrefix(c.Subnet))
	}
	return out
}

// Two projects brought up at the same moment never share a subnet; a subnet given
// in a file that overlaps one of theirs is refused by name.
func TestConcurrentSubnets(t *testing.T) {
	first := newScenario(t)
	second := &scenario{t: t, dir: first.dir, project: first.project + "-2", env: first.env}
	t.Cleanup(func() {
		if r := second.berth("down", "-t", "0"); r.code != 0 {
			t.Errorf("down of the second project: %s", r.stderr)
		}
	})

	var wg sync.WaitGroup
	results := make([]result, 2)
	for i, s := range []*scenario{first, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.berth("up", "-d")
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Fatalf("up of project %d: exit %d: %s", i+1, r.code, r.stderr)
		}
	}

	owner := map[netip.Prefix]string{}
	var all []netip.Prefix
	for _, s := range []*scenario{first, second} {
		for _, key := range []string{"one", "two"} {
			name := s.project + "_" + key
			subnets := subnetsOf(s, name)
			if want := map[string]int{"one": 1, "two": 2}[key]; len(subnets) != want {
				t.Errorf("%s has subnets %v, want %d", name, subnets, want)
			}
			for _, p := range subnets {
				for _, q := range all {
					if p.Overlaps(q) {
						t.Errorf("%s's subnet %s overlaps %s's %s", name, p, owner[q], q)
					}
				}
				all = append(all, p)
				owner[p] = name
			}
		}
	}

	clash := subnetsOf(first, first.project+"_one")[0].String()
	r := first.berthEnv([]string{"CLASH_SUBNET=" + clash}, "-p", first.project+"-clash", "-f", "overlap.yaml", "up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, clash) || !strings.Contains(r.stderr, first.project+"_one") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 3 {
		t.Errorf("up with a subnet that overlaps %s: exit %d %q", clash, r.code, r.stderr)
	}
	if out := first.must("network", "ls", "-q"); strings.Contains(out, "-clash_clash") {
		t.Errorf("the refused network was made: %s", out)
	}
}
