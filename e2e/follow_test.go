package e2e

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"
)

// followUntil runs a following berth command (logs -f, up) until its output has
// want or ctx ends, then stops it by its PID and returns what it printed.
func followUntil(ctx context.Context, t *testing.T, s *scenario, want string, args ...string) string {
	t.Helper()
	cmd := s.command(args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var seen strings.Builder
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		for range lines {
		}
		_ = cmd.Wait()
	}()
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return seen.String()
			}
			seen.WriteString(l + "\n")
			if strings.Contains(l, want) {
				return seen.String()
			}
		case <-ctx.Done():
			return seen.String()
		}
	}
}
