package containerd

import (
	"context"
	"os/exec"
	"regexp"

	runcoptions "github.com/containerd/containerd/api/types/runc/options"
	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/oci"

	"berth.dev/berth/project"
)

// withRuntime runs a container with the service's runtime: a shim of its own, or
// runc's shim running another OCI runtime binary.
func withRuntime(rt project.OCIRuntime) ctrd.NewContainerOpts {
	if rt.Binary == "" {
		return ctrd.WithRuntime(rt.Shim, nil)
	}
	return ctrd.WithRuntime(rt.Shim, &runcoptions.Options{BinaryName: rt.Binary})
}

// withSpecVersionOf declares the spec in the runtime-spec version an OCI runtime
// binary says it implements (`crun --version` prints "spec: 1.0.0"): crun refuses
// a spec of a later version than its own ("unknown version specified"), and what
// berth writes is read the same by the versions since 1.0. Nothing changes for
// runc, or for a binary that names no version.
func withSpecVersionOf(ctx context.Context, binary string) oci.SpecOpts {
	version := ""
	if binary != "" {
		out, _ := exec.CommandContext(ctx, binary, "--version").Output()
		if m := specVersionLine.FindSubmatch(out); m != nil {
			version = string(m[1])
		}
	}
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		if version != "" {
			s.Version = version
		}
		return nil
	}
}

var specVersionLine = regexp.MustCompile(`(?m)^spec: (\S+)$`)
