package containerd

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/containerd/platforms"
	imagespecs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"berth.dev/berth/internal/builder"
)

// ociLayouts writes each image of the store a build takes as a context (a
// service's, service:NAME) to an OCI layout directory under dir: berth's buildkitd
// runs its own worker, which cannot see containerd's store, and reads a layout
// that buildctl offers it from this host instead.
func (r *Runtime) ociLayouts(ctx context.Context, contexts map[string]string, dir string) (map[string]builder.OCILayout, error) {
	if len(contexts) == 0 {
		return nil, nil
	}
	out := map[string]builder.OCILayout{}
	for name, ref := range contexts {
		normal, err := normalize(ref)
		if err != nil {
			return nil, err
		}
		img, err := r.client.ImageService().Get(ctx, normal)
		if err != nil {
			return nil, fmt.Errorf("additional context %s: image %s: %w", name, ref, err)
		}
		layout := filepath.Join(dir, "context-"+name)
		if err := writeOCILayout(ctx, r.client.ContentStore(), img.Target, layout); err != nil {
			return nil, fmt.Errorf("additional context %s: image %s: %w", name, ref, err)
		}
		out[name] = builder.OCILayout{Dir: layout, Digest: img.Target.Digest.String()}
	}
	return out, nil
}

// writeOCILayout copies the blobs of target for this host's platform from cs into
// an OCI image layout at dir (containerd's local content store has that layout's
// blobs/ tree) and names target in its index.json.
func writeOCILayout(ctx context.Context, cs content.Store, target ocispec.Descriptor, dir string) error {
	dst, err := local.NewStore(dir)
	if err != nil {
		return err
	}
	copyBlob := images.HandlerFunc(func(ctx context.Context, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
		ra, err := cs.ReaderAt(ctx, desc)
		if err != nil {
			return nil, err
		}
		defer ra.Close()
		return nil, content.WriteBlob(ctx, dst, desc.Digest.String(), content.NewReader(ra), desc)
	})
	children := images.FilterPlatforms(images.ChildrenHandler(cs), platforms.Default())
	if err := images.Walk(ctx, images.Handlers(copyBlob, children), target); err != nil {
		return err
	}
	index, err := json.Marshal(ocispec.Index{
		Versioned: imagespecs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{target},
	})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, ocispec.ImageIndexFile), index, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ocispec.ImageLayoutFile), []byte(`{"imageLayoutVersion":"`+ocispec.ImageLayoutVersion+`"}`), 0o644)
}
