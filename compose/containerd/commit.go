package containerd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/pkg/rootfs"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/imagechange"
)

// Commit stores a new image: the container's image with one more layer, what the
// container changed (containerd's differ compares its snapshot with the image's),
// a config with the changes applied and a history entry of the author and
// message, as `docker commit` makes. The image is unpacked, ready to run.
func (r *Runtime) Commit(ctx context.Context, id string, req compose.CommitRequest) (string, error) {
	name, err := normalize(req.Ref)
	if err != nil {
		return "", err
	}
	c, _, err := r.load(ctx, id)
	if err != nil {
		return "", err
	}
	info, err := c.Info(ctx, ctrd.WithoutRefreshedMetadata)
	if err != nil {
		return "", err
	}
	// The lease keeps the new blobs until the image refers to them.
	ctx, done, err := r.client.WithLease(ctx)
	if err != nil {
		return "", err
	}
	defer done(context.WithoutCancel(ctx))
	cs := r.client.ContentStore()
	base, err := r.client.ImageService().Get(ctx, info.Image)
	if err != nil {
		return "", fmt.Errorf("the image %s of the container: %w", info.Image, err)
	}
	manifest, err := images.Manifest(ctx, cs, base.Target, platforms.Default())
	if err != nil {
		return "", fmt.Errorf("the image %s of the container: %w", info.Image, err)
	}
	var config ocispec.Image
	if err := readJSON(ctx, cs, manifest.Config, &config); err != nil {
		return "", err
	}
	if err := imagechange.Apply(&config.Config, req.Changes); err != nil {
		return "", fmt.Errorf("commit --change: %w", err)
	}

	resume, err := r.pauseForCommit(ctx, c, req.Pause)
	if err != nil {
		return "", err
	}
	layer, err := rootfs.CreateDiff(ctx, info.SnapshotKey, r.client.SnapshotService(info.Snapshotter), r.client.DiffService())
	resume()
	if err != nil {
		return "", fmt.Errorf("read the container's changes: %w", err)
	}
	diffID, err := uncompressedDigest(ctx, cs, layer)
	if err != nil {
		return "", err
	}

	now := time.Now().UTC()
	config.Created, config.Author = &now, req.Author
	config.RootFS.DiffIDs = append(config.RootFS.DiffIDs, diffID)
	createdBy := ""
	if spec, err := c.Spec(ctx); err == nil && spec.Process != nil {
		createdBy = strings.Join(spec.Process.Args, " ")
	}
	config.History = append(config.History, ocispec.History{Created: &now, Author: req.Author, Comment: req.Message, CreatedBy: createdBy})

	// The new manifest keeps the family of the base's media types: Docker's or OCI's.
	configType, layerType := ocispec.MediaTypeImageConfig, ocispec.MediaTypeImageLayerGzip
	if manifest.MediaType == images.MediaTypeDockerSchema2Manifest {
		configType, layerType = images.MediaTypeDockerSchema2Config, images.MediaTypeDockerSchema2LayerGzip
	} else {
		manifest.MediaType = ocispec.MediaTypeImageManifest
	}
	configDesc, err := writeJSON(ctx, cs, configType, config, nil)
	if err != nil {
		return "", err
	}
	layers := append(manifest.Layers[:len(manifest.Layers):len(manifest.Layers)],
		ocispec.Descriptor{MediaType: layerType, Digest: layer.Digest, Size: layer.Size})
	// containerd's collector follows these labels from the manifest to its blobs.
	labels := map[string]string{"containerd.io/gc.ref.content.config": configDesc.Digest.String()}
	for i, l := range layers {
		labels[fmt.Sprintf("containerd.io/gc.ref.content.l.%d", i)] = l.Digest.String()
	}
	target, err := writeJSON(ctx, cs, manifest.MediaType, ocispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: manifest.MediaType, Config: configDesc, Layers: layers,
	}, labels)
	if err != nil {
		return "", err
	}

	img := images.Image{Name: name, Target: target}
	is := r.client.ImageService()
	if img, err = is.Create(ctx, img); errdefs.IsAlreadyExists(err) {
		img, err = is.Update(ctx, images.Image{Name: name, Target: target}, "target")
	}
	if err != nil {
		return "", err
	}
	if err := ctrd.NewImage(r.client, img).Unpack(ctx, snapshotter); err != nil {
		return "", fmt.Errorf("unpack %s: %w", name, err)
	}
	return target.Digest.String(), nil
}

// pauseForCommit pauses a running container when asked, so that its files hold
// still while the differ reads them; resume undoes it.
func (r *Runtime) pauseForCommit(ctx context.Context, c ctrd.Container, pause bool) (resume func(), err error) {
	if !pause {
		return func() {}, nil
	}
	task, err := c.Task(ctx, nil)
	if errdefs.IsNotFound(err) {
		return func() {}, nil
	} else if err != nil {
		return nil, err
	}
	if st, err := task.Status(ctx); err != nil || st.Status != ctrd.Running {
		return func() {}, nil
	}
	if err := task.Pause(ctx); err != nil {
		return nil, fmt.Errorf("pause the container: %w", err)
	}
	return func() { _ = task.Resume(context.WithoutCancel(ctx)) }, nil
}

// uncompressedDigest is the digest of a compressed layer's tar (its diff ID): an
// annotation of the differ's answer in containerd 2, a label of the blob in 1.6.
func uncompressedDigest(ctx context.Context, cs content.Store, layer ocispec.Descriptor) (digest.Digest, error) {
	const key = "containerd.io/uncompressed"
	value := layer.Annotations[key]
	if value == "" {
		info, err := cs.Info(ctx, layer.Digest)
		if err != nil {
			return "", err
		}
		value = info.Labels[key]
	}
	d, err := digest.Parse(value)
	if err != nil {
		return "", fmt.Errorf("the layer of the container's changes has no uncompressed digest: %w", err)
	}
	return d, nil
}

func readJSON(ctx context.Context, cs content.Store, desc ocispec.Descriptor, v any) error {
	b, err := content.ReadBlob(ctx, cs, desc)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// writeJSON stores v as a blob of mediaType, with labels, and returns its descriptor.
func writeJSON(ctx context.Context, cs content.Store, mediaType string, v any, labels map[string]string) (ocispec.Descriptor, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	desc := ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(b), Size: int64(len(b))}
	var opts []content.Opt
	if labels != nil {
		opts = append(opts, content.WithLabels(labels))
	}
	if err := content.WriteBlob(ctx, cs, "berth-commit-"+desc.Digest.String(), bytes.NewReader(b), desc, opts...); err != nil {
		return ocispec.Descriptor{}, err
	}
	return desc, nil
}
