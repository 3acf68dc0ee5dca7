package containerd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/builder"
)

// Build builds the image with the host's builder, imports the archive it writes into
// berth's namespace under the service's image name (and build.tags) and unpacks it
// for the snapshotter containers use.
func (r *Runtime) Build(ctx context.Context, req compose.BuildRequest) error {
	name, err := normalize(req.Ref)
	if err != nil {
		return err
	}
	b, err := builder.Find(ctx, r.EnsureBuildKit)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "berth-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	archive := filepath.Join(dir, "image.tar")
	spec := req.Spec
	spec.Name = name
	spec.Registries = r.buildRegistries(ctx)
	if spec.ImageContexts, err = r.ociLayouts(ctx, req.ContextImages, dir); err != nil {
		return err
	}
	if err := b.Build(ctx, spec, archive, req.Output); err != nil || spec.Check {
		return err // a check makes no image
	}
	img, err := r.importImage(ctx, archive, name, spec.Platform)
	if err != nil {
		return err
	}
	for _, tag := range req.Tags {
		if err := r.tagImage(ctx, img, tag); err != nil {
			return err
		}
	}
	return nil
}

// importImage loads a docker-archive into the store and unpacks the image named
// name, built for platform ("" = the host's).
func (r *Runtime) importImage(ctx context.Context, archive, name, platform string) (images.Image, error) {
	f, err := os.Open(archive)
	if err != nil {
		return images.Image{}, err
	}
	defer f.Close()
	match := platforms.Default()
	if platform != "" {
		p, err := platforms.Parse(platform)
		if err != nil {
			return images.Image{}, err
		}
		match = platforms.Only(p)
	}
	imgs, err := r.client.Import(ctx, f, ctrd.WithImportPlatform(match))
	if err != nil {
		return images.Image{}, fmt.Errorf("import the built image: %w", err)
	}
	for _, img := range imgs {
		if img.Name != name {
			continue
		}
		if err := ctrd.NewImageWithPlatform(r.client, img, match).Unpack(ctx, snapshotter); err != nil {
			return images.Image{}, fmt.Errorf("unpack %s: %w", name, err)
		}
		return img, nil
	}
	return images.Image{}, fmt.Errorf("import the built image: the archive has no image %s", name)
}

// tagImage gives img one more name.
func (r *Runtime) tagImage(ctx context.Context, img images.Image, tag string) error {
	name, err := normalize(tag)
	if err != nil {
		return err
	}
	is := r.client.ImageService()
	img.Name = name
	if _, err := is.Update(ctx, img, "target"); errdefs.IsNotFound(err) {
		_, err = is.Create(ctx, img)
		return err
	} else if err != nil {
		return err
	}
	return nil
}
