package containerd

import (
	"context"
	"fmt"
	"net/url"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/remotes/docker"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
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

// RemoteDigest asks the image's registry, through the hosts dir and credentials every
// pull uses, which manifest the reference names now; nothing is fetched.
func (r *Runtime) RemoteDigest(ctx context.Context, ref string) (string, error) {
	name, err := normalize(ref)
	if err != nil {
		return "", err
	}
	_, desc, err := r.resolver(ctx, nil).Resolve(ctx, name)
	if err != nil {
		return "", registryError(ref, err)
	}
	return desc.Digest.String(), nil
}

// labelPulledAt on an image records when berth last pulled it (RFC 3339), for the
// pull policies that refresh an image after a time.
const labelPulledAt = "berth.pulled-at"

// ImagePulled is when berth last pulled the image; zero when it never did.
func (r *Runtime) ImagePulled(ctx context.Context, ref string) (time.Time, error) {
	name, err := normalize(ref)
	if err != nil {
		return time.Time{}, err
	}
	img, err := r.client.ImageService().Get(ctx, name)
	if errdefs.IsNotFound(err) {
		return time.Time{}, compose.ErrImageNotFound
	}
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, img.Labels[labelPulledAt])
	if err != nil {
		return time.Time{}, nil // not pulled by berth, or by an older one
	}
	return t, nil
}

// Pull fetches and unpacks an image for the platform ("" = the host's). Registries
// on localhost are spoken to in plain HTTP (containerd's resolver falls back to it for
// a localhost host with a port); others as hosts.toml says.
func (r *Runtime) Pull(ctx context.Context, ref, platform string, report func(compose.Progress)) error {
	name, err := normalize(ref)
	if err != nil {
		return err
	}
	counter := newPullProgress(r.client.ContentStore())
	opts := []ctrd.RemoteOpt{ctrd.WithResolver(r.resolver(ctx, nil)), ctrd.WithImageHandler(counter.handler())}
	if platform != "" {
		opts = append(opts, ctrd.WithPlatform(platform))
	}
	stop := counter.watch(ctx, func(current, total int64) {
		report(compose.Progress{Ref: ref, Status: "Downloading", Current: current, Total: total})
	})
	// Fetch every blob, then unpack: pulling with unpack skips the layers whose
	// snapshots exist already, and an image without its layers cannot be pushed.
	img, err := r.client.Pull(ctx, name, opts...)
	stop()
	if err != nil {
		return registryError(ref, err)
	}
	current, total := counter.sample(ctx)
	report(compose.Progress{Ref: ref, Status: "Extracting", Current: current, Total: total})
	if platform != "" {
		p, err := platforms.Parse(platform)
		if err != nil {
			return err
		}
		img = ctrd.NewImageWithPlatform(r.client, img.Metadata(), platforms.Only(p))
	}
	if err := img.Unpack(ctx, snapshotter); err != nil {
		return fmt.Errorf("unpack %s: %w", ref, err)
	}
	meta := img.Metadata()
	if meta.Labels == nil {
		meta.Labels = map[string]string{}
	}
	meta.Labels[labelPulledAt] = time.Now().UTC().Format(time.RFC3339Nano)
	if _, err := r.client.ImageService().Update(ctx, meta, "labels."+labelPulledAt); err != nil {
		return fmt.Errorf("record the pull of %s: %w", ref, err)
	}
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
	tracker := docker.NewInMemoryTracker()
	counter := newPushProgress(tracker)
	stop := counter.watch(ctx, func(current, total int64) {
		report(compose.Progress{Ref: ref, Status: "Pushing", Current: current, Total: total})
	})
	err = r.client.Push(ctx, name, img.Target, ctrd.WithResolver(r.resolver(ctx, tracker)), ctrd.WithImageHandler(counter.handler()))
	stop()
	if err != nil {
		return registryError(ref, err)
	}
	current, total := counter.sample(ctx)
	report(compose.Progress{Ref: ref, Status: "Pushing", Current: current, Total: total})
	return nil
}
