package e2e

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestNetworkAndVolumeCommands(t *testing.T) {
	s := newScenario(t)
	t.Cleanup(func() {
		s.berth("network", "rm", "e2e-extnet")
		s.berth("volume", "rm", "e2e-extvol")
	})
	s.must("network", "create", "--subnet", "10.123.5.0/24", "--label", "purpose=test", "e2e-extnet")
	if out := s.must("network", "ls", "-q"); !strings.Contains(out, "e2e-extnet\n") {
		t.Errorf("network ls: %q", out)
	}
	var nets []struct {
		Name   string
		IPAM   struct{ Config []map[string]string }
		Labels map[string]string
	}
	if err := json.Unmarshal([]byte(s.must("network", "inspect", "e2e-extnet")), &nets); err != nil || len(nets) != 1 ||
		nets[0].IPAM.Config[0]["Subnet"] != "10.123.5.0/24" || nets[0].Labels["purpose"] != "test" {
		t.Errorf("network inspect: %+v %v", nets, err)
	}
	if r := s.berth("network", "create", "e2e-extnet"); r.code == 0 || !strings.Contains(r.stderr, "exists") {
		t.Errorf("creating it twice: %d %q", r.code, r.stderr)
	}
	if r := s.berth("network", "create", "--subnet", "10.123.5.128/25", "e2e-overlap"); r.code == 0 || !strings.Contains(r.stderr, "e2e-extnet") {
		t.Errorf("an overlapping subnet: %d %q", r.code, r.stderr)
	}

	s.must("volume", "create", "--label", "k=v", "e2e-extvol")
	var vols []struct{ Name, Mountpoint string }
	if err := json.Unmarshal([]byte(s.must("volume", "inspect", "e2e-extvol")), &vols); err != nil || len(vols) != 1 {
		t.Fatalf("volume inspect: %+v %v", vols, err)
	}
	if st, err := os.Stat(vols[0].Mountpoint); err != nil || !st.IsDir() {
		t.Errorf("mountpoint %s: %v", vols[0].Mountpoint, err)
	}
	if out := s.must("volume", "ls"); !strings.Contains(out, "e2e-extvol") {
		t.Errorf("volume ls: %q", out)
	}
	s.must("network", "rm", "e2e-extnet")
	s.must("volume", "rm", "e2e-extvol")
	if out := s.must("network", "ls", "-q") + s.must("volume", "ls", "-q"); strings.Contains(out, "e2e-ext") {
		t.Errorf("still listed after rm: %q", out)
	}
	if r := s.berth("volume", "rm", "e2e-extvol"); r.code == 0 {
		t.Error("removing a missing volume succeeded")
	}
}
