package containerd

import (
	"context"
	"os"

	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// hostPrograms are the host's directories the agent sees, read-only, in its
// otherwise empty root: the interpreter and C libraries of a dynamic berth (built
// with cgo, as `go build` does where a C compiler exists), and the iptables and CNI
// plugins it runs when it remakes networks at boot, with their configuration.
var hostPrograms = []string{"/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc", "/opt/cni"}

// hostProgramMounts are read-only bind mounts of those of hostPrograms that exist
// on this host (merged /usr or not).
func hostProgramMounts() []specs.Mount {
	var mounts []specs.Mount
	for _, p := range hostPrograms {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		mounts = append(mounts, specs.Mount{Destination: p, Type: "bind", Source: p,
			Options: []string{"rbind", "ro", "nodev"}})
	}
	return mounts
}

// withRootfsPropagation sets the propagation of the container's mounts; rshared
// lets mounts made inside under an rshared bind mount reach the host.
func withRootfsPropagation(p string) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *specs.Spec) error {
		if s.Linux == nil {
			s.Linux = &specs.Linux{}
		}
		s.Linux.RootfsPropagation = p
		return nil
	}
}
