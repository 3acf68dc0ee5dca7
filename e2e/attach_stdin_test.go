package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containerd/console"
)

// TestAttachStdin: attach types into a service with stdin_open and tty through a
// real terminal, sized as the caller's; ctrl-p ctrl-q leave it running, and logs
// keep the session. A service without stdin_open says its stdin is not attached.
func TestAttachStdin(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")

	term := s.startInTerminal("attach", "shell")
	if err := term.master.Resize(console.WinSize{Height: 33, Width: 97}); err != nil {
		t.Fatal(err)
	}
	// What is typed before attach holds the container's stdin goes nowhere and
	// its answer before the attach follows the output is not shown: type until
	// the answer shows, a bounded number of times.
	answered := func(typed, want string) {
		t.Helper()
		for try := 0; try < 10; try++ {
			n := len(term.out.String())
			term.typeKeys(typed + "\r")
			deadline := time.Now().Add(3 * time.Second)
			for time.Now().Before(deadline) {
				if strings.Contains(term.out.String()[n:], want) {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		t.Fatalf("attach shell: typed %q, %q never showed:\n%s", typed, want, term.out.String())
	}
	answered("echo $((6*7))", "42")
	answered("stty size", "33 97") // the container's terminal has the caller's size
	term.typeKeys("\x10\x11")
	if code := term.wait(); code != 0 {
		t.Errorf("attach shell: exit %d after ctrl-p ctrl-q:\n%s", code, term.out.String())
	}
	for _, c := range s.ps(true) {
		if c.Service == "shell" && c.State != "running" {
			t.Errorf("after ctrl-p ctrl-q the shell is %+v, want it running", c)
		}
	}
	if len(s.ps(false)) != 4 {
		t.Errorf("after ctrl-p ctrl-q, running: %+v, want all four", s.ps(false))
	}
	if logs := s.must("logs", "shell"); !strings.Contains(logs, "42") || !strings.Contains(logs, "33 97") {
		t.Errorf("logs shell do not show the session:\n%s", logs)
	}

	// Without a TTY: piped lines reach cat, whose output the log driver keeps; the
	// detach keys at the end leave it running with its stdin open. A restarted cat
	// gets a stdin of its own again.
	for i, step := range []string{"first", "restarted"} {
		if step == "restarted" {
			s.must("restart", "echo")
		}
		line := fmt.Sprintf("line %d from a pipe", i)
		if _, err := s.piped(line+"\n\x10\x11", "attach", "echo"); err != nil {
			t.Fatalf("attach echo (%s) with piped input: %v", step, err)
		}
		eventually(t, 20*time.Second, "logs echo show "+line, func() error {
			if logs := s.must("logs", "echo"); !strings.Contains(logs, line) {
				return fmt.Errorf("logs echo:\n%s", logs)
			}
			return nil
		})
	}
	// Its log rotates per its logging options, as every service's.
	var many strings.Builder
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&many, "rotated line %d\n", i)
	}
	if _, err := s.piped(many.String()+"\x10\x11", "attach", "echo"); err != nil {
		t.Fatalf("attach echo with 60 lines piped: %v", err)
	}
	eventually(t, 20*time.Second, "logs echo show the last piped line", func() error {
		if logs := s.must("logs", "echo"); !strings.Contains(logs, "rotated line 59\n") {
			return fmt.Errorf("logs echo:\n%s", logs)
		}
		return nil
	})
	rotated := filepath.Join(statePaths().StateDir, "logs", s.ids()[s.project+"-echo-1"]+".log.1")
	if _, err := os.Stat(rotated); err != nil {
		t.Errorf("echo's log did not rotate at 1k: %v", err)
	}
	if len(s.ps(false)) != 4 {
		t.Errorf("after attach echo, running: %+v, want all four", s.ps(false))
	}

	// A crash: containerd's restart monitor brings keeper back, and berth's agent
	// gives it its stdin again.
	if _, err := s.piped("before\ncrash\n\x10\x11", "attach", "keeper"); err != nil {
		t.Fatalf("attach keeper: %v", err)
	}
	eventually(t, 60*time.Second, "keeper takes input after its restart", func() error {
		if _, err := s.piped("after the crash\n\x10\x11", "attach", "keeper"); err != nil {
			return fmt.Errorf("attach keeper: %w", err)
		}
		if logs := s.must("logs", "keeper"); !strings.Contains(logs, "got crash") || !strings.Contains(logs, "got after the crash") {
			return fmt.Errorf("logs keeper:\n%s", logs)
		}
		return nil
	})

	// No stdin_open: one line says so; the detach keys still end the attach.
	term = s.startInTerminal("attach", "quiet")
	term.showed(0, "stdin is not attached", 30*time.Second)
	term.showed(0, "tick", 30*time.Second)
	term.typeKeys("\x10\x11")
	if code := term.wait(); code != 0 {
		t.Errorf("attach quiet: exit %d after ctrl-p ctrl-q:\n%s", code, term.out.String())
	}
}
