package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const containerdSocket = "/run/containerd/containerd.sock"

// setupLog is where scripts/setup sends the output of a containerd it starts.
const setupLog = "/var/log/berth-containerd.log"

// The resolver runs as containerd's task berth-agent under its restart monitor:
// killed, it comes back and answers again; containerd restarted, the names still
// answer and down still removes everything.
func TestResolverRestarts(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	web := strings.TrimSpace(s.must("exec", "-T", "web", "hostname", "-i"))
	answers := func() error {
		if got := lookupFrom(s, "client", "web"); strings.Join(got, ",") != web {
			return fmt.Errorf("web resolves to %v, want %s", got, web)
		}
		return nil
	}
	if err := answers(); err != nil {
		t.Fatal(err)
	}

	t.Run("agent killed", func(t *testing.T) {
		pid, err := runningPid("berth-agent")
		if err != nil {
			t.Fatalf("berth's agent: %v", err)
		}
		if err := syscall.Kill(int(pid), syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		// containerd's restart monitor looks every 10s.
		eventually(t, 40*time.Second, "a new agent answers web", func() error {
			if now, err := runningPid("berth-agent"); err != nil || now == pid {
				return fmt.Errorf("agent pid %d: %v", now, err)
			}
			return answers()
		})
	})

	t.Run("containerd restarted", func(t *testing.T) {
		restartContainerd(t)
		eventually(t, 30*time.Second, "web answers after containerd's restart", answers)
		for _, c := range s.ps(false) {
			if c.State != "running" {
				t.Errorf("%s is %s after containerd's restart", c.Name, c.State)
			}
		}
	})
}

// containerdPid is the PID of the daemon answering on containerd's socket, from the
// socket's peer credentials.
func containerdPid(t *testing.T) int {
	t.Helper()
	c, err := net.Dial("unix", containerdSocket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || credErr != nil {
		t.Fatalf("peer of %s: %v %v", containerdSocket, err, credErr)
	}
	return int(cred.Pid)
}

// restartContainerd stops the containerd that scripts/setup started (by its PID,
// from the socket's peer) and starts it again the same way, returning once it
// answers. The tasks and their shims live on. It skips the test when containerd
// was started otherwise (its own init system restarts it).
func restartContainerd(t *testing.T) {
	t.Helper()
	pid := stopContainerd(t)
	startContainerd(t)
	if now := containerdPid(t); now == pid {
		t.Fatalf("containerd was not restarted (pid %d)", now)
	}
}

// stopContainerd stops the containerd that scripts/setup started, by its PID, and
// returns that PID once it has exited; it skips the test for one started otherwise.
func stopContainerd(t *testing.T) int {
	t.Helper()
	pid := containerdPid(t)
	if out, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/1", pid)); out != setupLog {
		t.Skipf("containerd (pid %d, output %q) was not started by scripts/setup: its own init system restarts it", pid, out)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "containerd exits", func() error {
		if err := syscall.Kill(pid, 0); err == nil {
			return fmt.Errorf("pid %d still there", pid)
		}
		return nil
	})
	return pid
}

// startContainerd starts containerd as scripts/setup does (which starts it only
// when none answers), and waits until it answers.
func startContainerd(t *testing.T) {
	t.Helper()
	setup, _ := filepath.Abs("../scripts/setup")
	if out, err := exec.Command(setup).CombinedOutput(); err != nil {
		t.Fatalf("scripts/setup: %v\n%s", err, out)
	}
	eventually(t, 30*time.Second, "containerd answers", func() error {
		if out, err := exec.Command("ctr", "version").CombinedOutput(); err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	})
}

// berth's agent follows containerd through a restart: a container made after it
// (a second web replica) resolves by name from another container and its
// healthcheck reaches healthy.
func TestContainerdRestartFollowed(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d", "--wait", "--wait-timeout", "30")
	restartContainerd(t)

	s.must("up", "-d", "--wait", "--wait-timeout", "30", "--scale", "web=2")
	web2 := s.project + "-web-2"
	ip := strings.TrimSpace(s.must("exec", "-T", "--index", "2", "web", "hostname", "-i"))
	eventually(t, 10*time.Second, "the replica made after containerd's restart resolves", func() error {
		if got := lookupFrom(s, "client", web2); strings.Join(got, ",") != ip {
			return fmt.Errorf("%s resolves to %v, want %s", web2, got, ip)
		}
		return nil
	})
	for _, c := range s.ps(false) {
		if c.State != "running" {
			t.Errorf("%s is %s after containerd's restart", c.Name, c.State)
		}
	}
}
