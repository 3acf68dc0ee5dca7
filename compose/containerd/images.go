package containerd

import (
	"context"
	"fmt"
	"net/url"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
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
	report(compose.Progress{Ref: ref, Status: "Pulling"})
	// Fetch every blob, then unpack: pulling with unpack skips the layers whose
	// snapshots exist already, and an image without its layers cannot be pushed.
	img, err := r.client.Pull(ctx, name, ctrd.WithResolver(r.resolver(ctx)))
	if err != nil {
		return registryError(ref, err)
	}
	if err := img.Unpack(ctx, snapshotter); err != nil {
		return fmt.Errorf("unpack %s: %w", ref, err)
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

// Push sends an image of the store, with every platform it holds, to its registry.
func (r *Runtime) Push(ctx context.Context, ref string, report func(compose.Progress)) error {
	name, err := normalize(ref)
	if err != nil {
		return err
	}
	img, err := r.client.ImageService().Get(ctx, name)
	if errdefs.IsNotFound(err) {
		return fmt.Errorf("%w: %s: pull or build it first", compose.ErrImageNotFound, ref)
	}
	if err != nil {
		return err
	}
	report(compose.Progress{Ref: ref, Status: "Pushing"})
	if err := r.client.Push(ctx, name, img.Target, ctrd.WithResolver(r.resolver(ctx))); err != nil {
		return registryError(ref, err)
	}
	report(compose.Progress{Ref: ref, Status: "Pushed"})
	return nil
}
