package containerd

import (
	"context"
	"io"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/mount"
	"github.com/containerd/containerd/v2/pkg/archive"
)

// Export writes the container's snapshot, mounted read-only, as a tar stream: its
// image's files with what it changed, and none of its volumes or bind mounts, as
// `docker export` writes. A running container's snapshot is read as it stands.
func (r *Runtime) Export(ctx context.Context, id string, w io.Writer) error {
	c, _, err := r.load(ctx, id)
	if err != nil {
		return err
	}
	info, err := c.Info(ctx, ctrd.WithoutRefreshedMetadata)
	if err != nil {
		return err
	}
	mounts, err := r.client.SnapshotService(info.Snapshotter).Mounts(ctx, info.SnapshotKey)
	if err != nil {
		return err
	}
	return mount.WithReadonlyTempMount(ctx, mounts, func(root string) error {
		// A diff from nothing is every file of root, as a layer tar holds them.
		return archive.WriteDiff(ctx, w, "", root)
	})
}
