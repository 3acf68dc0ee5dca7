package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"

	"berth.dev/berth/network"
)

// buildkitd is a BuildKit daemon a test started from $BUILDKIT_BINS
// (scripts/buildkit-bins), with its root, socket and configuration in a directory
// of its own: an OCI worker running RUN steps with the host's runc in the host's
// network, and the test registry spoken to in plain HTTP.
type buildkitd struct {
	t      *testing.T
	dir    string
	bins   string
	cmd    *exec.Cmd
	exited chan struct{} // closed when the daemon has exited
}

// startBuildkitd starts a buildkitd, stopped (by its PID) when the test ends, after
// the scenarios the test makes later have been taken down; it speaks plain HTTP to
// the test registry and to the registries named. Without BUILDKIT_BINS the test is
// skipped.
func startBuildkitd(t *testing.T, registries ...string) *buildkitd {
	t.Helper()
	bins := os.Getenv("BUILDKIT_BINS")
	if bins == "" {
		t.Skip("BUILDKIT_BINS is not set: run BUILDKIT_BINS=$(scripts/buildkit-bins) to test BuildKit builds")
	}
	dir, err := os.MkdirTemp("", "berth-bk-")
	if err != nil {
		t.Fatal(err)
	}
	b := &buildkitd{t: t, dir: dir, bins: bins}
	t.Cleanup(func() { b.stop(); os.RemoveAll(dir) })
	// RUN steps' cgroups go under a parent of this daemon's own, removed at the end.
	config := fmt.Sprintf("[worker.oci]\n  defaultCgroupParent = %q\n", b.cgroupParent())
	for _, host := range append([]string{registry}, registries...) {
		config += fmt.Sprintf("[registry.%q]\n  http = true\n  insecure = true\n", host)
	}
	if err := os.WriteFile(filepath.Join(dir, "buildkitd.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	b.cmd = exec.Command(filepath.Join(bins, "buildkitd"),
		"--root", filepath.Join(dir, "root"), "--addr", b.host(), "--config", filepath.Join(dir, "buildkitd.toml"),
		"--oci-worker=true", "--containerd-worker=false", "--oci-worker-net=host",
		"--allow-insecure-entitlement", "network.host")
	logFile, err := os.Create(filepath.Join(dir, "buildkitd.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	b.cmd.Stdout, b.cmd.Stderr = logFile, logFile
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b.exited = make(chan struct{})
	go func(cmd *exec.Cmd) { _ = cmd.Wait(); close(b.exited) }(b.cmd)
	eventually(t, 30*time.Second, "buildkitd answering at "+b.host(), func() error {
		select {
		case <-b.exited:
			t.Fatalf("buildkitd exited:\n%s", b.logText())
		default:
		}
		conn, err := net.Dial("unix", filepath.Join(dir, "buildkitd.sock"))
		if err != nil {
			return err
		}
		return conn.Close()
	})
	return b
}

func (b *buildkitd) cgroupParent() string { return filepath.Base(b.dir) }

func (b *buildkitd) host() string { return "unix://" + filepath.Join(b.dir, "buildkitd.sock") }

// env points berth at this buildkitd, and only at it.
func (b *buildkitd) env() []string {
	return []string{"BUILDKIT_HOST=" + b.host(), "BERTH_BUILDER=buildkit", "PATH=" + b.bins + ":" + os.Getenv("PATH")}
}

func (b *buildkitd) logText() string {
	text, _ := os.ReadFile(filepath.Join(b.dir, "buildkitd.log"))
	return string(text)
}

// stop ends the daemon and checks that it left no process and no mount behind.
func (b *buildkitd) stop() {
	t := b.t
	if b.cmd == nil || b.cmd.Process == nil {
		return
	}
	cmd := b.cmd
	b.cmd = nil
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-b.exited
		t.Errorf("buildkitd did not stop on SIGTERM within 30s:\n%s", b.logText())
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mounts), "\n") {
		if strings.Contains(line, b.dir) {
			t.Errorf("buildkitd left a mount: %s", line)
		}
	}
	// The parent cgroup RUN steps ran under, in each hierarchy (v1) or the one (v2),
	// and the cgroups buildkitd made in it: rmdir fails on one that holds a process.
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", b.cgroupParent()))
	more, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", b.cgroupParent()))
	for _, d := range append(dirs, more...) {
		removeCgroupTree(t, d)
	}
}

// removeCgroupTree removes a cgroup and those under it, deepest first.
func removeCgroupTree(t *testing.T, dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			removeCgroupTree(t, filepath.Join(dir, e.Name()))
		}
	}
	if err := os.Remove(dir); err != nil {
		t.Errorf("buildkitd left a cgroup: %v", err)
	}
}

// useOwnBuildkitd lets berth build as it does on a fresh machine: no BERTH_BUILDER,
// no BUILDKIT_HOST, buildkitd and buildctl on PATH (from $BUILDKIT_BINS), so berth
// starts a buildkitd of its own. That buildkitd is kept running by design; the
// test removes it, its state and its log before the scenario's down and leak
// check. Call it after newScenario. Without BUILDKIT_BINS the test is skipped.
func useOwnBuildkitd(t *testing.T, s *scenario) {
	t.Helper()
	bins := os.Getenv("BUILDKIT_BINS")
	if bins == "" {
		t.Skip("BUILDKIT_BINS is not set: run BUILDKIT_BINS=$(scripts/buildkit-bins) to test BuildKit builds")
	}
	s.env = append(s.env, "BERTH_BUILDER=", "BUILDKIT_HOST=", "PATH="+bins+":"+os.Getenv("PATH"))
	t.Cleanup(func() { removeOwnBuildkitdIn(t, namespace) })
}

const ownBuildkitdID = "berth-buildkitd"

// ownBuildkitdPid is the PID of berth's buildkitd, 0 when it does not run.
func ownBuildkitdPid() uint32 {
	pid, _ := runningPid(ownBuildkitdID)
	return pid
}

// removeOwnBuildkitdIn removes berth's buildkitd of namespace ns as an
// administrator would: stopped for containerd's restart monitor, its task and
// container deleted, and its directories and log removed.
func removeOwnBuildkitdIn(t testing.TB, ns string) {
	ctx := context.Background()
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(ns))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ct, err := c.LoadContainer(ctx, ownBuildkitdID); err == nil {
		if _, err := ct.SetLabels(ctx, map[string]string{"containerd.io/restart.status": string(ctrd.Stopped)}); err != nil {
			t.Error(err)
		}
		if task, err := ct.Task(ctx, nil); err == nil {
			if _, err := task.Delete(ctx, ctrd.WithProcessKill); err != nil {
				t.Errorf("remove berth's buildkitd task: %v", err)
			}
		}
		if err := ct.Delete(ctx); err != nil {
			t.Errorf("remove berth's buildkitd: %v", err)
		}
	}
	p := network.Paths{StateDir: filepath.Join("/var/lib/berth", ns), RunDir: filepath.Join("/run/berth", ns)}
	for _, path := range []string{filepath.Join(p.StateDir, "buildkit"), filepath.Join(p.RunDir, "buildkit")} {
		if err := os.RemoveAll(path); err != nil {
			t.Error(err)
		}
	}
	logs, _ := filepath.Glob(filepath.Join(p.StateDir, "logs", ownBuildkitdID+".log*"))
	for _, l := range logs {
		os.Remove(l)
	}
}
