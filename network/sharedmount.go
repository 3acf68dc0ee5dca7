package network

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"berth.dev/berth/internal/mountpoints"
)

// ShareRunRoot makes the directory above p.RunDir (one run directory per namespace
// below it) sit on a shared mount. berth's agent mounts the network namespaces of
// the containers it brings back at boot from its own mount namespace, which shares
// this one: only through a shared mount do they reach the host, where runc and
// berth's commands look for them. Where the mount holding the directory is private
// (a host without systemd), the directory becomes a shared bind mount of itself, as
// iproute2 does with /run/netns; unless mounts are already under it, which a bind
// over them would hide.
func ShareRunRoot(p Paths) error {
	dir := filepath.Dir(p.RunDir)
	if err := os.MkdirAll(dir, 0o711); err != nil {
		return err
	}
	point, shared, err := mountOf(dir)
	if err != nil || shared {
		return err
	}
	if point != dir {
		under, err := mountpoints.Under(dir)
		if err != nil || len(under) > 0 {
			return err
		}
		if err := unix.Mount(dir, dir, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("bind mount %s: %w", dir, err)
		}
	}
	if err := unix.Mount("", dir, "", unix.MS_SHARED|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("make %s a shared mount: %w", dir, err)
	}
	return nil
}

// mountOf finds the mount point holding path (the last mount listed at a point is
// the one on top) and whether it is shared.
func mountOf(path string) (point string, shared bool, err error) {
	if path, err = filepath.EvalSymlinks(path); err != nil {
		return "", false, err
	}
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", false, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		// id parent major:minor root mountpoint options [optional...] - fstype ...
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		mp := unescapeMountPath(f[4])
		if mp != path && mp != "/" && !strings.HasPrefix(path, mp+"/") || len(mp) < len(point) {
			continue
		}
		point, shared = mp, false
		for _, opt := range f[6:] {
			if opt == "-" {
				break
			}
			shared = shared || strings.HasPrefix(opt, "shared:")
		}
	}
	return point, shared, nil
}
