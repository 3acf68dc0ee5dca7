package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestVolumesFromContainer(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	eventually(t, 10*time.Second, "the source's files seen by user", func() error {
		r := s.berth("exec", "-T", "user", "cat", "/data/f", "/anon/f")
		if r.code != 0 || r.stdout != "named\nanon\n" {
			return fmt.Errorf("%d %q %q", r.code, r.stdout, r.stderr)
		}
		return nil
	})
	if r := s.berth("exec", "-T", "byservice", "sh", "-c", "cat /data/f /anon/f && touch /anon/g"); r.code != 0 || r.stdout != "named\nanon\n" {
		t.Errorf("volumes_from a service: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := s.berth("exec", "-T", "user", "touch", "/data/g"); r.code == 0 {
		t.Error("volumes_from :ro: /data was writable")
	}
	if r := s.berth("exec", "-T", "user", "sh", "-c", "grep ' /anon ' /proc/mounts | cut -d' ' -f4"); !strings.HasPrefix(r.stdout, "ro,") {
		t.Errorf("volumes_from :ro: /anon is %q", r.stdout)
	}
}
