package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAttach: attach through a real terminal as docker's: ctrl-p ctrl-q (or the
// --detach-keys) leave the container running; Ctrl-C reaches the container with
// --sig-proxy (the default) and ends only berth without it.
func TestAttach(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	talker := s.project + "-talker-1"
	state := func() psEntry {
		for _, c := range s.ps(true) {
			if c.Name == talker {
				return c
			}
		}
		t.Fatalf("no %s in ps", talker)
		return psEntry{}
	}
	attach := func(args ...string) *terminal {
		t.Helper()
		term := s.startInTerminal(append([]string{"attach"}, args...)...)
		term.showed(0, "tick", 30*time.Second) // attached: typed keys now reach it
		return term
	}
	ended := func(term *terminal, want int) {
		t.Helper()
		if code := term.wait(); code != want {
			t.Errorf("attach %v: exit %d, want %d:\n%s", term.args, code, want, term.out.String())
		}
	}
	running := func(after string) {
		t.Helper()
		if st := state(); st.State != "running" {
			t.Fatalf("after %s the container is %+v, want it running", after, st)
		}
	}

	// docker's ctrl-p ctrl-q detach.
	term := attach("talker")
	term.typeKeys("\x10\x11")
	ended(term, 0)
	running("ctrl-p ctrl-q")

	// Keys of one's own: docker's are then typed on, and attach goes on.
	term = attach("--detach-keys", "ctrl-x,y", "talker")
	term.typeKeys("\x10\x11")
	term.showed(len(term.out.String()), "tick", 10*time.Second)
	term.typeKeys("\x18y")
	ended(term, 0)
	running("--detach-keys ctrl-x,y")

	// --sig-proxy=false: Ctrl-C ends berth, not the container.
	term = attach("--sig-proxy=false", "talker")
	term.typeKeys("\x03")
	ended(term, 0)
	running("Ctrl-C with --sig-proxy=false")

	// --sig-proxy (the default): Ctrl-C is the container's SIGINT; attach ends with
	// its exit status.
	term = attach("talker")
	term.typeKeys("\x03")
	ended(term, 7)
	if out := term.out.String(); !strings.Contains(out, "got-INT") {
		t.Errorf("the container's answer to SIGINT is not shown:\n%s", out)
	}
	eventually(t, 10*time.Second, "talker exits", func() error {
		if st := state(); st.State != "exited" || st.ExitCode != 7 {
			return fmt.Errorf("talker is %+v", st)
		}
		return nil
	})
}
