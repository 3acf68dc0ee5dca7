package e2e

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/containerd/containerd/api/types/runc/options"
	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/typeurl/v2"
)

// TestRuntime runs a service with runtime: crun, and refuses one whose runtime's
// shim the host lacks, naming the shim.
func TestRuntime(t *testing.T) {
	crun, err := exec.LookPath("crun")
	if err != nil {
		t.Skip("crun is not installed (scripts/setup installs it)")
	}
	s := newScenario(t)
	r := s.berth("-f", "missing.yaml", "up", "-d")
	want := `service "sandboxed": field "runtime": "io.containerd.runsc.v1": its shim containerd-shim-runsc-v1 is not on PATH`
	if r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("up with a missing shim: exit %d, want %q:\n%s", r.code, want, r.stderr)
	}
	if len(s.berth("-f", "missing.yaml", "ps", "-a", "-q").stdout) != 0 {
		t.Error("the refused service has containers")
	}

	// crun cannot start a container on a host whose cgroups are v1 with
	// controllers in a v2 hierarchy beside them: berth refuses it in one line
	// before it makes anything, rather than fail at the start.
	up := s.berth("up", "-d")
	if hybridCgroupsHost() {
		want := `service "app": field "runtime": "crun": crun cannot run containers on this host: its cgroups are in hybrid mode`
		if up.code == 0 || !strings.Contains(up.stderr, want) || strings.Contains(up.stderr, "OCI runtime create failed") {
			t.Errorf("up with crun on a hybrid-cgroup host: exit %d, want %q:\n%s", up.code, want, up.stderr)
		}
		if out := s.berth("ps", "-a", "-q").stdout; out != "" {
			t.Errorf("the refused service has containers: %q", out)
		}
		t.Skip("crun cannot run containers on this host (cgroups in hybrid mode): refused by name, and nothing made")
	}
	if up.code != 0 {
		t.Fatalf("up: exit %d\n%s", up.code, up.stderr)
	}
	ctx := context.Background()
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ct, err := c.LoadContainer(ctx, s.ids()[s.project+"-app-1"])
	if err != nil {
		t.Fatal(err)
	}
	info, err := ct.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var opts options.Options
	if info.Runtime.Options != nil {
		if err := typeurl.UnmarshalTo(info.Runtime.Options, &opts); err != nil {
			t.Fatal(err)
		}
	}
	if info.Runtime.Name != "io.containerd.runc.v2" || opts.BinaryName != crun {
		t.Errorf("the container's runtime is %s with binary %q, want runc's shim running %s", info.Runtime.Name, opts.BinaryName, crun)
	}

	if out := strings.TrimSpace(s.must("exec", "-T", "app", "echo", "ran")); out != "ran" {
		t.Errorf("exec in the crun container printed %q", out)
	}
}

// hybridCgroupsHost says whether this host's cgroups are v1 under a tmpfs with
// controllers in the v2 hierarchy at /sys/fs/cgroup/unified, where crun refuses to
// start containers.
func hybridCgroupsHost() bool {
	var st syscall.Statfs_t
	if syscall.Statfs("/sys/fs/cgroup", &st) != nil || st.Type != 0x01021994 { // tmpfs
		return false
	}
	controllers, err := os.ReadFile("/sys/fs/cgroup/unified/cgroup.controllers")
	return err == nil && strings.TrimSpace(string(controllers)) != ""
}
