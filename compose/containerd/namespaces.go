package containerd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"berth.dev/berth/compose"
)

// sharedProc is the /proc directory of the task whose PID or IPC namespace a
// container joins ("" when it has its own), and the host directory its /dev/shm is
// when its IPC is shareable or shared.
type sharedProc struct{ PID, IPC, Shm string }

// shmDir is where a container with ipc: shareable keeps its /dev/shm on the host,
// a tmpfs of its own that the containers joining it mount too (as Docker does: a
// mount cannot be taken from another container's mount namespace).
func (r *Runtime) shmDir(id string) string { return filepath.Join(r.containerDir(id), "shm") }

// sharedProcs finds the tasks a pid or ipc of service: or container: joins, and
// makes the /dev/shm of a shareable IPC namespace.
func (r *Runtime) sharedProcs(ctx context.Context, id string, req compose.CreateRequest) (sharedProc, error) {
	var out sharedProc
	switch s := req.Service; {
	case s.Ipc == "shareable":
		out.Shm = r.shmDir(id)
		if err := mountShm(out.Shm, int64(s.ShmSize)); err != nil {
			return out, fmt.Errorf("service %q: ipc shareable: %w", s.Name, err)
		}
	case req.IPCFrom != "":
		out.Shm = r.shmDir(req.IPCFrom)
		if _, err := os.Stat(out.Shm); err != nil {
			return out, fmt.Errorf("service %q: ipc %s: that container's IPC is not shareable (ipc: shareable)", s.Name, s.Ipc)
		}
	}
	for _, x := range []struct {
		field, id string
		into      *string
	}{{"pid", req.PIDFrom, &out.PID}, {"ipc", req.IPCFrom, &out.IPC}} {
		if x.id == "" {
			continue
		}
		c, err := r.client.LoadContainer(ctx, x.id)
		if err == nil {
			var t interface{ Pid() uint32 }
			if t, err = c.Task(ctx, nil); err == nil {
				*x.into = fmt.Sprintf("/proc/%d", t.Pid())
			}
		}
		if err != nil {
			return out, fmt.Errorf("service %q: %s: the container to share has no task: %w", req.Service.Name, x.field, err)
		}
	}
	return out, nil
}

// namespaceOpts apply pid, ipc and cgroup with Docker's meaning. Joining another
// container's IPC namespace also shares its /dev/shm, as Docker does.
func namespaceOpts(s types.ServiceConfig, shared sharedProc) ([]oci.SpecOpts, error) {
	var opts []oci.SpecOpts
	switch {
	case s.Pid == "":
	case s.Pid == "host":
		opts = append(opts, oci.WithHostNamespace(specs.PIDNamespace))
	case isShared(s.Pid) && shared.PID != "":
		opts = append(opts, oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.PIDNamespace, Path: shared.PID + "/ns/pid"}))
	default:
		return nil, fmt.Errorf("service %q: pid %q is not supported: use host, service:NAME or container:NAME", s.Name, s.Pid)
	}
	switch {
	case s.Ipc == "", s.Ipc == "private":
	case s.Ipc == "shareable" && shared.Shm != "":
		opts = append(opts, withShm(&specs.Mount{Destination: "/dev/shm", Type: "bind", Source: shared.Shm,
			Options: []string{"rbind", "rprivate", "rw"}}))
	case s.Ipc == "none":
		opts = append(opts, withShm(nil))
	case s.Ipc == "host":
		opts = append(opts, oci.WithHostNamespace(specs.IPCNamespace), withShm(&specs.Mount{
			Destination: "/dev/shm", Type: "bind", Source: "/dev/shm", Options: []string{"rbind", "rprivate", "rw"}}))
	case isShared(s.Ipc) && shared.IPC != "" && shared.Shm != "":
		opts = append(opts, oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.IPCNamespace, Path: shared.IPC + "/ns/ipc"}),
			withShm(&specs.Mount{Destination: "/dev/shm", Type: "bind", Source: shared.Shm,
				Options: []string{"rbind", "rprivate", "rw"}}))
	default:
		return nil, fmt.Errorf("service %q: ipc %q is not supported: use private, shareable, host, none, service:NAME or container:NAME", s.Name, s.Ipc)
	}
	switch s.Cgroup {
	case "":
		// Docker's default: a cgroup namespace of its own on a cgroup v2 host, the
		// host's on v1 (as containerd's default spec has it).
		if unifiedCgroups {
			opts = append(opts, oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.CgroupNamespace}))
		}
	case "host":
		opts = append(opts, oci.WithHostNamespace(specs.CgroupNamespace))
	case "private":
		opts = append(opts, oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.CgroupNamespace}))
	default:
		return nil, fmt.Errorf("service %q: cgroup %q is not supported: use host or private", s.Name, s.Cgroup)
	}
	if len(s.Annotations) > 0 {
		opts = append(opts, oci.WithAnnotations(s.Annotations))
	}
	return opts, nil
}

// unifiedCgroups: the host has cgroup v2 alone.
var unifiedCgroups = hostHas("/sys/fs/cgroup/cgroup.controllers")

// defaultShmSize is Docker's size of /dev/shm.
const defaultShmSize = 64 << 20

func mountShm(dir string, size int64) error {
	if size <= 0 {
		size = defaultShmSize
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return unix.Mount("shm", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, fmt.Sprintf("mode=1777,size=%d", size))
}

// unmountShm undoes mountShm, if the container had one.
func (r *Runtime) unmountShm(id string) error {
	err := unix.Unmount(r.shmDir(id), unix.MNT_DETACH)
	if err == unix.ENOENT || err == unix.EINVAL {
		return nil
	}
	return err
}

func isShared(mode string) bool {
	return strings.HasPrefix(mode, "service:") || strings.HasPrefix(mode, "container:")
}

// withShm replaces the container's /dev/shm: with m, or with nothing.
func withShm(m *specs.Mount) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		var mounts []specs.Mount
		for _, x := range s.Mounts {
			if x.Destination != "/dev/shm" {
				mounts = append(mounts, x)
			}
		}
		if m != nil {
			mounts = append(mounts, *m)
		}
		s.Mounts = mounts
		return nil
	}
}
