package containerd

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/remotes"
	remoteerrors "github.com/containerd/containerd/v2/core/remotes/errors"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"berth.dev/berth/compose"
)

// PushArtifact pushes blobs that are not in berth's store (publish's compose
// files and their manifest) straight from memory, through the resolver pulls and
// pushes use: the hosts dir, the Docker config's credentials, plain HTTP to a
// registry on localhost.
func (r *Runtime) PushArtifact(ctx context.Context, ref string, blobs []ocispec.Descriptor) error {
	name, err := normalize(ref)
	if err != nil {
		return err
	}
	pusher, err := r.resolver(ctx, nil).Pusher(ctx, name)
	if err != nil {
		return registryError(ref, err)
	}
	for _, b := range blobs {
		data := b.Data
		b.Data = nil
		if err := pushBlob(ctx, pusher, b, data); err != nil {
			var status remoteerrors.ErrUnexpectedStatus
			if errors.As(err, &status) && status.StatusCode >= 400 && status.StatusCode < 500 && !refusedCredentials(err) &&
				status.StatusCode != http.StatusProxyAuthRequired {
				return fmt.Errorf("%w: %w", compose.ErrManifestRefused, err)
			}
			return registryError(ref, err)
		}
	}
	return nil
}

func pushBlob(ctx context.Context, pusher remotes.Pusher, desc ocispec.Descriptor, data []byte) error {
	w, err := pusher.Push(ctx, desc)
	if errdefs.IsAlreadyExists(err) {
		return nil // the registry has it
	} else if err != nil {
		return err
	}
	defer w.Close()
	if _, err := w.Write(data); err != nil {
		return err
	}
	if err := w.Commit(ctx, desc.Size, desc.Digest); err != nil && !errdefs.IsAlreadyExists(err) {
		return err
	}
	return nil
}

// PushImageTo pushes an image of the store, with what it holds of every platform,
// into repository by digest: no tag of the repository moves.
func (r *Runtime) PushImageTo(ctx context.Context, ref, repository string) (ocispec.Descriptor, error) {
	name, err := normalize(ref)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	img, err := r.client.ImageService().Get(ctx, name)
	if errdefs.IsNotFound(err) {
		return ocispec.Descriptor{}, fmt.Errorf("%w: %s: pull or build it first", compose.ErrImageNotFound, ref)
	} else if err != nil {
		return ocispec.Descriptor{}, err
	}
	repo, err := reference.ParseNormalizedNamed(repository)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("repository %q: %w", repository, err)
	}
	target, err := reference.WithDigest(reference.TrimNamed(repo), img.Target.Digest)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if err := r.client.Push(ctx, target.String(), img.Target, ctrd.WithResolver(r.resolver(ctx, nil))); err != nil {
		return ocispec.Descriptor{}, registryError(repository, err)
	}
	return img.Target, nil
}
