package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"berth.dev/berth/internal/filelock"
)

// TestVerbsTakeTheProjectLock holds the project's lock as another berth would (an
// `up` or a `down` in another terminal) and checks that each verb that changes the
// project's containers waits for it in the kernel, then does its work once it is
// free.
func TestVerbsTakeTheProjectLock(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	lockPath := filepath.Join(statePaths().StateDir, "locks", s.project+".lock")
	for _, verb := range [][]string{
		{"stop"}, {"start"}, {"restart"}, {"pause"}, {"unpause"}, {"kill"}, {"rm", "-f"},
	} {
		release, err := filelock.Acquire(context.Background(), lockPath)
		if err != nil {
			t.Fatal(err)
		}
		cmd := s.command(verb...)
		if err := cmd.Start(); err != nil {
			release()
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		eventually(t, 30*time.Second, fmt.Sprintf("berth %s waiting for the project lock", verb[0]), func() error {
			select {
			case err := <-done:
				done <- err
				return nil // reported below
			default:
			}
			if !waitsForFlock(cmd.Process.Pid) {
				return fmt.Errorf("pid %d does not wait for a lock", cmd.Process.Pid)
			}
			return nil
		})
		select {
		case err := <-done:
			release()
			t.Fatalf("berth %s ran while another berth held the project lock (exit: %v)", verb[0], err)
		default:
		}
		release()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("berth %s after the lock was released: %v", verb[0], err)
			}
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("berth %s did not finish once the lock was free", verb[0])
		}
	}
	if ps := s.ps(true); len(ps) != 0 {
		t.Errorf("rm -f under the lock left %v", ps)
	}
}

// waitsForFlock reports whether the process pid is blocked waiting for a flock,
// as /proc/locks lists the waiters ("-> FLOCK ... <pid> ...").
func waitsForFlock(pid int) bool {
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 6 && f[1] == "->" && f[2] == "FLOCK" && f[5] == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}
