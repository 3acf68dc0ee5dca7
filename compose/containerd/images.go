package containerd

import (
	"context"
	"fmt"
	"net/url"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/remotes/docker"
	"github.com/containerd/containerd/v2/core/remotes/docker/config"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"

	"berth.dev/berth/compose"
)

// normalize turns "redis" into "docker.io/library/redis:latest", the name
// containerd stores images under.
func normalize(ref string) (string, error) {
	n, err := reference.ParseDockerRef(ref)
	if err != nil {
		return "", fmt.Errorf("image reference %q: %w", ref, err)
	}
	return n.String(), nil
}

// ImageDigest returns the digest of an image in the store.
func (r *Runtime) ImageDigest(ctx context.Context, ref string) (string, error) {
	name, err := normalize(ref)
	if err != nil {
		return "", err
	}
	img, err := r.client.ImageService().Get(ctx, name)
	if errdefs.IsNotFound(err) {
		return "", compose.ErrImageNotFound
	}
	if err != nil {
		return "", err
	}
	return img.Target.Digest.String(), nil
}

// Pull fetches and unpacks an image. Registries on localhost are spoken to in plain
// HTTP (containerd's resolver falls back to it for a localhost host with a port).
func (r *Runtime) Pull(ctx context.Context, ref string, report func(compose.Progress)) error {
	name, err := normalize(ref)
	if err != nil {
		return err
	}
	resolver := docker.NewResolver(docker.ResolverOptions{
		Hosts: config.ConfigureHosts(ctx, config.HostOptions{HostDir: config.HostDirFromRoot("/etc/containerd/certs.d")}),
	})
	report(compose.Progress{Ref: ref, Status: "Pulling"})
	_, err = r.client.Pull(ctx, name,
		ctrd.WithResolver(resolver),
		ctrd.WithPullUnpack,
		ctrd.WithPullSnapshotter(snapshotter),
	)
	if err != nil {
		return err
	}
	report(compose.Progress{Ref: ref, Status: "Pulled"})
	return nil
}

// RemoveImage deletes an image from the store.
func (r *Runtime) RemoveImage(ctx context.Context, ref string) error {
	name, err := normalize(ref)
	if err != nil {
		return err
	}
	err = r.client.ImageService().Delete(ctx, name, images.SynchronousDelete())
	if errdefs.IsNotFound(err) {
		return compose.ErrImageNotFound
	}
	return err
}

func parseURI(s string) (*url.URL, error) { return url.Parse(s) }
