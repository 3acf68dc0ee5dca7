package builder

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// outputTail is how many of the builder's last lines a failed build keeps.
const outputTail = 30

// runLogged runs a builder's command, copying its output line by line to out, and
// returns the last lines it wrote with its exit error. watch, when not nil, sees
// every line.
func runLogged(ctx context.Context, out io.Writer, watch func(string), env []string, path string, args ...string) ([]string, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", filepath.Base(path), err)
	}
	var tail []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(out, line)
			if watch != nil {
				watch(line)
			}
			tail = append(tail, line)
			if len(tail) > outputTail {
				tail = tail[1:]
			}
		}
		_, _ = io.Copy(io.Discard, pr) // a line over the limit: keep the builder unblocked
	}()
	err := cmd.Wait()
	pw.Close()
	<-done
	return tail, err
}
