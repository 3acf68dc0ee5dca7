package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/console"
)

// inTerminal runs berth with a real pseudo-terminal as its stdin, stdout and
// stderr, as a user at a shell runs it; it types input and returns all the
// terminal showed and the exit status.
func (s *scenario) inTerminal(input string, args ...string) (string, int) {
	s.t.Helper()
	term := s.startInTerminal(args...)
	term.typeKeys(input)
	code := term.wait()
	return term.out.String(), code
}

// terminal is a berth running in a pseudo-terminal of its own.
type terminal struct {
	s      *scenario
	args   []string
	master console.Console
	cmd    *exec.Cmd
	out    lockedBuffer
	copied chan struct{}
}

// startInTerminal starts berth with a new pseudo-terminal as its controlling
// terminal, stdin, stdout and stderr.
func (s *scenario) startInTerminal(args ...string) *terminal {
	s.t.Helper()
	master, slavePath, err := console.NewPty()
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { master.Close() })
	slave, err := os.OpenFile(slavePath, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := s.command(args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	slave.Close()
	term := &terminal{s: s, args: args, master: master, cmd: cmd, copied: make(chan struct{})}
	go func() {
		// Ends with EIO once berth, the last holder of the terminal, exits.
		_, _ = io.Copy(&term.out, master)
		close(term.copied)
	}()
	return term
}

// typeKeys types input at the terminal.
func (term *terminal) typeKeys(input string) {
	term.s.t.Helper()
	if _, err := term.master.Write([]byte(input)); err != nil {
		term.s.t.Fatal(err)
	}
}

// showed waits, at most for limit, until the terminal has shown what after the
// first n bytes of its output.
func (term *terminal) showed(n int, what string, limit time.Duration) {
	term.s.t.Helper()
	eventually(term.s.t, limit, fmt.Sprintf("berth %v shows %q", term.args, what), func() error {
		if out := term.out.String(); len(out) < n || !strings.Contains(out[n:], what) {
			return fmt.Errorf("it showed %q", out)
		}
		return nil
	})
}

// wait waits for berth to exit, at most two minutes, and returns its exit status.
func (term *terminal) wait() int {
	term.s.t.Helper()
	done := make(chan error, 1)
	go func() { done <- term.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		_ = term.cmd.Process.Kill()
		term.s.t.Fatalf("berth %v in a terminal did not end; it showed:\n%s", term.args, term.out.String())
	}
	select {
	case <-term.copied:
	case <-time.After(10 * time.Second):
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	} else if err != nil {
		term.s.t.Fatal(err)
	}
	return 0
}

// piped runs berth with input as its stdin (a pipe) and returns its stdout; a
// berth that has not ended within a minute is killed.
func (s *scenario) piped(input string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := s.command(args...)
	cmd := exec.CommandContext(ctx, c.Path, c.Args[1:]...)
	cmd.Dir, cmd.Env = c.Dir, c.Env
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.Output()
	return string(out), err
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestInteractive: exec -it and run -it as docker compose users type them, through
// a real terminal, and exec -i with a piped stdin.
func TestInteractive(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	pts := regexp.MustCompile(`/dev/pts/[0-9]+`)
	const typed = "tty; echo TERM is $TERM; exit 3\n"
	for _, args := range [][]string{
		{"exec", "-it", "box", "sh"},
		{"--progress", "plain", "run", "-it", "--rm", "box", "sh"},
	} {
		out, code := s.inTerminal(typed, args...)
		if code != 3 || !pts.MatchString(out) || !strings.Contains(out, "TERM is xterm") {
			t.Errorf("berth %s in a terminal: exit %d (want 3), want a /dev/pts path and TERM is xterm in:\n%s",
				strings.Join(args, " "), code, out)
		}
	}
	// -T: no TTY even in a terminal.
	if out, code := s.inTerminal("", "exec", "-T", "box", "sh", "-c", "tty; exit 0"); code != 0 || !strings.Contains(out, "not a tty") {
		t.Errorf("exec -T in a terminal: exit %d, want tty to say not a tty:\n%s", code, out)
	}
	// Piped stdin: attached without a TTY, and its end ends the command.
	if out, err := s.piped("hi\n", "exec", "-i", "box", "cat"); err != nil || out != "hi\n" {
		t.Errorf("echo hi | berth exec -i box cat: %q, %v", out, err)
	}
	if out, err := s.piped("hi\n", "run", "--rm", "box", "cat"); err != nil || out != "hi\n" {
		t.Errorf("echo hi | berth run --rm box cat: %q, %v", out, err)
	}
	if out := s.must("exec", "-T", "box", "sh", "-c", "echo ${TERM:-none}"); strings.TrimSpace(out) != "none" {
		t.Errorf("exec without a TTY has TERM %q", out)
	}
	// -i=false: the process's stdin is not the caller's.
	if out, err := s.piped("should not be read\n", "exec", "-i=false", "box", "cat"); err != nil || len(out) != 0 {
		t.Errorf("exec -i=false read stdin: %q, %v", out, err)
	}
	if r := s.berth("exec", "-t", "-T", "box", "true"); r.code == 0 || !strings.Contains(r.stderr, "--tty and --no-tty") {
		t.Errorf("exec -t -T: exit %d, %q", r.code, r.stderr)
	}
}
