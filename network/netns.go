package network

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"berth.dev/berth/internal/names"
	"berth.dev/berth/internal/statefile"
)

// berth creates network namespaces itself rather than with containerd's pkg/netns:
// that one picks random names, and berth wants <RunDir>/netns/<containerID> so that
// any later process (down, a restart, the resolver) finds a container's namespace from
// its ID alone, without a record of the name.

// NetNSPath is where the network namespace of a container is bind-mounted.
func (m *Manager) NetNSPath(containerID string) string {
	return m.paths.netnsFile(containerID)
}

// CreateNetNS makes a new network namespace, with lo up, bind-mounted at
// NetNSPath(containerID). If a namespace is already mounted there it is kept, so a
// restarted container keeps its namespace and with it its address.
func (m *Manager) CreateNetNS(containerID string) (string, error) {
	if err := checkName(names.Container, containerID); err != nil {
		return "", err
	}
	path := m.NetNSPath(containerID)
	if isNetNS(path) {
		return path, nil
	}
	if err := os.MkdirAll(m.paths.netnsDir(), 0o755); err != nil {
		return "", fmt.Errorf("netns for container %s: %w", containerID, err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o444)
	if err != nil {
		return "", fmt.Errorf("netns for container %s: %w", containerID, err)
	}
	f.Close()
	if err := newNetNSAt(path); err != nil {
		os.Remove(path) // only our empty mount point: isNetNS said nothing is mounted
		return "", fmt.Errorf("netns for container %s: %w", containerID, err)
	}
	return path, nil
}

// newNetNSAt unshares a new network namespace on a dedicated, locked OS thread and
// bind-mounts it onto target. The thread never goes back to the Go scheduler: the
// goroutine returns still locked, and the runtime then ends the thread instead of
// reusing it in the wrong namespace.
func newNetNSAt(target string) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // no Unlock, on purpose (see above)
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("unshare: %w", err)
			return
		}
		src := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
		if err := unix.Mount(src, target, "none", unix.MS_BIND, ""); err != nil {
			errc <- fmt.Errorf("bind mount %s: %w", target, err)
			return
		}
		// The netlink calls open their socket on this thread, so they act in the new
		// namespace.
		errc <- setLoopbackUp()
	}()
	return <-errc
}

func setLoopbackUp() error {
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("find lo: %w", err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		return fmt.Errorf("set lo up: %w", err)
	}
	return nil
}

// ensureLoopbackUp sets lo up in the namespace at path; Setup calls it so that a
// namespace made by someone else gets a working loopback too.
func ensureLoopbackUp(path string) error {
	return ns.WithNetNSPath(path, func(ns.NetNS) error { return setLoopbackUp() })
}

// isNetNS reports whether a network namespace is mounted at path.
func isNetNS(path string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return false
	}
	return st.Type == unix.NSFS_MAGIC
}

// removeNetNS unmounts and removes a namespace file. Unmounting with MNT_DETACH does
// not wait for users of the mount; the namespace itself lives on until its last user
// (a process inside, an open fd) is gone. Absent or unmounted files are fine.
func removeNetNS(path string) error {
	for i := 0; i < 4 && isNetNS(path); i++ {
		// A path can carry stacked mounts (two racing creators); peel them all.
		if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("unmount %s: %w", path, err)
		}
	}
	if err := statefile.Remove(path); err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}
