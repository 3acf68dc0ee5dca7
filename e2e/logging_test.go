package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestLogging(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	eventually(t, 10*time.Second, "chatty's last line", func() error {
		if !strings.Contains(s.must("logs", "chatty"), "last-line") {
			return fmt.Errorf("not yet")
		}
		return nil
	})
	// Rotated at 2k, two files kept: the first lines are gone, the last are there,
	// and what is kept is well under the 400 lines written.
	out := s.must("logs", "--no-log-prefix", "chatty")
	if strings.Contains(out, "line-0\n") || !strings.Contains(out, "line-399") {
		t.Errorf("rotation: first line kept or last line missing")
	}
	if n := strings.Count(out, "\n"); n >= 400 || n < 10 {
		t.Errorf("rotation kept %d lines", n)
	}
	if out := s.must("logs", "silent"); strings.Contains(out, "not-kept") {
		t.Errorf("logging driver none kept output: %q", out)
	}
}
