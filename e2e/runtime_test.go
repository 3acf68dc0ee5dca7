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
	s.must("up", "-d")
	if out := strings.TrimSpace(s.must("exec", "-T", "app", "echo", "ran")); out != "ran" {
		t.Errorf("exec in the crun container printed %q", out)
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

	r := s.berth("-f", "missing.yaml", "up", "-d")
	want := `service "sandboxed": field "runtime": "io.containerd.runsc.v1": its shim containerd-shim-runsc-v1 is not on PATH`
	if r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("up with a missing shim: exit %d, want %q:\n%s", r.code, want, r.stderr)
	}
	if len(s.berth("-f", "missing.yaml", "ps", "-a", "-q").stdout) != 0 {
		t.Error("the refused service has containers")
	}
}
