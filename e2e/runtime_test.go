package e2e

import (
	"context"
	"os/exec"
	"strings"
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

	// crun 1.8 (Debian 12's) cannot start a container on a host whose cgroups are
	// v1 with a v2 hierarchy beside them; the container is made all the same.
	up := s.berth("up", "-d")
	hybrid := strings.Contains(up.stderr, "cgroups in hybrid mode not supported")
	if up.code != 0 && !hybrid {
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

	if hybrid {
		t.Skip("crun cannot run containers on this host (cgroups in hybrid mode): the container was made with crun, and not run")
	}
	if out := strings.TrimSpace(s.must("exec", "-T", "app", "echo", "ran")); out != "ran" {
		t.Errorf("exec in the crun container printed %q", out)
	}
}
