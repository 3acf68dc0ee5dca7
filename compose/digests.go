package compose

import (
	"context"
	"errors"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
)

// ResolveImageDigests pins every image the project names (services, pre_start hooks,
// image volumes) to a digest, as `config --resolve-image-digests` does: the digest of
// the image in berth's store, which is what up would run, or where the store lacks
// it, the one its registry gives for the tag. A reference with a digest stays as it is.
func (e *Engine) ResolveImageDigests(ctx context.Context, p *types.Project) (*types.Project, error) {
	return p.WithImagesResolved(func(named reference.Named) (digest.Digest, error) {
		ref := named.String()
		d, err := e.Runtime.ImageDigest(ctx, ref)
		if errors.Is(err, ErrImageNotFound) {
			d, err = e.Runtime.RemoteDigest(ctx, ref)
		}
		if err != nil {
			return "", fmt.Errorf("resolve the digest of %s: %w", ref, err)
		}
		return digest.Parse(d)
	})
}
