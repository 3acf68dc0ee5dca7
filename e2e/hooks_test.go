package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestHooks: post_start runs after each start, pre_stop before each stop signal
// (stop, a recreate, restart), in the container's own log before what the main
// process prints on SIGTERM; a failing post_start fails up with its exit status.
func TestHooks(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d", "app")
	logs := func() string { return s.must("logs", "--no-log-prefix", "app") }
	eventually(t, 10*time.Second, "post_start in the log", func() error {
		if !strings.Contains(logs(), "post_start hook in /data\n") {
			return fmt.Errorf("log: %q", logs())
		}
		return nil
	})

	s.must("stop", "app")
	out := logs()
	pre, term := strings.Index(out, "pre_stop\n"), strings.Index(out, "main got TERM\n")
	if pre < 0 || term < 0 || pre > term {
		t.Fatalf("pre_stop is not before the stop signal in the container's log:\n%s", out)
	}

	s.must("start", "app")
	s.must("up", "-d", "--force-recreate", "app")
	s.must("restart", "app")
	want := strings.Repeat("post_start hook in /data\npre_stop\n", 3) + "post_start hook in /data\n"
	if got := s.must("exec", "-T", "app", "cat", "/data/hooks.log"); got != want {
		t.Errorf("hooks over stop, start, recreate and restart:\n%s\nwant:\n%s", got, want)
	}

	r := s.berth("--profile", "fail", "up", "-d", "bad")
	if r.code == 0 || !strings.Contains(r.stderr, "bad hook exited with status 3") {
		t.Errorf("a failing post_start: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
