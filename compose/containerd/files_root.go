package containerd

import (
	"context"
	"fmt"
	"os"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/mount"

	"berth.dev/berth/compose"
)

// FilesRoot gives a host path at which the container's files can be read and
// written: a running container's root as its process sees it (its volumes with it),
// or a stopped container's snapshot mounted for the time of the copy.
func (r *Runtime) FilesRoot(ctx context.Context, id string) (string, func(), error) {
	c, _, err := r.load(ctx, id)
	if err != nil {
		return "", nil, err
	}
	if task, err := c.Task(ctx, nil); err == nil && running(ctx, c) {
		return fmt.Sprintf("/proc/%d/root", task.Pid()), func() {}, nil
	}
	info, err := c.Info(ctx, ctrd.WithoutRefreshedMetadata)
	if err != nil {
		return "", nil, err
	}
	mounts, err := r.client.SnapshotService(info.Snapshotter).Mounts(ctx, info.SnapshotKey)
	if err != nil {
		return "", nil, fmt.Errorf("%w: container %s has no filesystem: %w", compose.ErrNotFound, id, err)
	}
	dir, err := os.MkdirTemp("", "berth-cp-")
	if err != nil {
		return "", nil, err
	}
	if err := mount.All(mounts, dir); err != nil {
		os.Remove(dir)
		return "", nil, err
	}
	return dir, func() {
		_ = mount.UnmountAll(dir, 0)
		_ = os.Remove(dir)
	}, nil
}
