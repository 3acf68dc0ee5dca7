package compose

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"sigs.k8s.io/yaml"

	"berth.dev/berth/project"
)

// The media types and annotations of a Compose project published as an OCI
// artifact, as docker compose publishes and reads it.
const (
	ArtifactTypeComposeProject = "application/vnd.docker.compose.project"
	MediaTypeComposeFile       = "application/vnd.docker.compose.file+yaml"
	MediaTypeComposeEnvFile    = "application/vnd.docker.compose.envfile"
	// MediaTypeComposeEmptyConfig marks the config of an OCI 1.0 manifest, which has
	// no artifactType, as a Compose project's.
	MediaTypeComposeEmptyConfig = "application/vnd.docker.compose.config.empty.v1+json"

	annotationComposeVersion = "com.docker.compose.version"
	annotationComposeFile    = "com.docker.compose.file"
	annotationComposeEnvFile = "com.docker.compose.envfile"
)

// ErrManifestRefused is a registry refusing a manifest (a 4xx other than for
// credentials): one that knows no OCI 1.1 artifacts, for publish to try 1.0.
var ErrManifestRefused = errors.New("the registry refused the manifest")

// PublishOptions are the flags of `publish`.
type PublishOptions struct {
	Repository          string
	OCIVersion          string // "1.0", "1.1", or "" for 1.1 with a fall back to 1.0
	ResolveImageDigests bool   // add image-digests.yaml pinning each service's image
	WithEnv             bool   // publish the env_file files too
	Yes                 bool   // publish without them rather than refuse
	Version             string // berth's, in the layers' annotations
	// App pushes the services' images into the repository too, with an index of
	// them that refers to the compose manifest.
	App bool
}

// Publish pushes the project's compose files to a registry as an OCI artifact, as
// `docker compose publish` does, after the services' images (failures there are
// warnings, as there).
func (e *Engine) Publish(ctx context.Context, p *types.Project, o PublishOptions) error {
	if _, err := reference.ParseNormalizedNamed(o.Repository); err != nil {
		return fmt.Errorf("%w: publish %s: %w", project.ErrInvalid, o.Repository, err)
	}
	if o.OCIVersion != "" && o.OCIVersion != "1.0" && o.OCIVersion != "1.1" {
		return fmt.Errorf("%w: publish --oci-version %q: use 1.0 or 1.1", project.ErrInvalid, o.OCIVersion)
	}
	layers, err := e.publishLayers(ctx, p, o)
	if err != nil {
		return err
	}
	if err := e.Push(ctx, p, PushOptions{IgnoreFailures: true, Quiet: true}); err != nil {
		return err
	}
	e.event("Artifact", o.Repository, "Publishing", false)
	versions := []string{o.OCIVersion}
	if o.OCIVersion == "" {
		versions = []string{"1.1", "1.0"}
	}
	var blobs []ocispec.Descriptor
	for _, v := range versions {
		blobs = composeArtifact(layers, v, time.Now())
		err = e.Runtime.PushArtifact(ctx, o.Repository, blobs)
		if !errors.Is(err, ErrManifestRefused) {
			break
		}
	}
	if err == nil && o.App {
		err = e.publishApp(ctx, p, o, blobs[len(blobs)-1])
	}
	if err != nil {
		return e.failed("Artifact", o.Repository, fmt.Errorf("publish %s: %w", o.Repository, err))
	}
	e.event("Artifact", o.Repository, "Published", true)
	return nil
}

// publishApp pushes the services' images into the artifact's repository and, by
// digest, an index of them whose subject is the compose manifest, as docker
// compose's publish --app: the application in one repository.
func (e *Engine) publishApp(ctx context.Context, p *types.Project, o PublishOptions, manifest ocispec.Descriptor) error {
	var images []ocispec.Descriptor
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		desc, err := e.Runtime.PushImageTo(ctx, p.Services[name].Image, o.Repository)
		if err != nil {
			return fmt.Errorf("service %q: %w", name, err)
		}
		images = append(images, desc)
	}
	repo, err := reference.ParseNormalizedNamed(o.Repository)
	if err != nil {
		return err
	}
	// By digest: the tag stays on the compose manifest.
	index := appIndex(images, manifest, o.Version)
	return e.Runtime.PushArtifact(ctx, reference.TrimNamed(repo).String()+"@"+index.Digest.String(), []ocispec.Descriptor{index})
}

// appIndex is publish --app's index of the services' images, with the compose
// manifest as its subject.
func appIndex(images []ocispec.Descriptor, manifest ocispec.Descriptor, version string) ocispec.Descriptor {
	manifest.Data = nil
	data, _ := json.Marshal(ocispec.Index{ // marshals: nothing in it can fail
		Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex,
		Manifests: images, Subject: &manifest, Annotations: map[string]string{annotationComposeVersion: version},
	})
	return ocispec.Descriptor{MediaType: ocispec.MediaTypeImageIndex, ArtifactType: ArtifactTypeComposeProject,
		Digest: digest.FromBytes(data), Size: int64(len(data)), Data: data}
}

// publishLayers are the artifact's layers: each compose file as written, the
// env_file files with --with-env, and image-digests.yaml with
// --resolve-image-digests. Files that may hold secrets (env_file) are refused
// unless --with-env publishes them or --yes publishes without them, where docker
// compose asks.
func (e *Engine) publishLayers(ctx context.Context, p *types.Project, o PublishOptions) ([]ocispec.Descriptor, error) {
	var buildOnly, envFiles, withEnvFile []string
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		if project.BuildsOwnImage(p, s) {
			buildOnly = append(buildOnly, name)
		}
		for _, f := range s.EnvFiles {
			if _, err := os.Stat(f.Path); err == nil && !slices.Contains(envFiles, f.Path) {
				envFiles = append(envFiles, f.Path)
			}
		}
		if len(s.EnvFiles) > 0 {
			withEnvFile = append(withEnvFile, name)
		}
	}
	if len(buildOnly) > 0 {
		return nil, fmt.Errorf("%w: publish: service %s only builds an image, with no image: to publish it under", project.ErrInvalid, strings.Join(buildOnly, ", "))
	}
	if len(withEnvFile) > 0 && !o.WithEnv && !o.Yes {
		return nil, fmt.Errorf("%w: publish: service %s declares env_file, whose values may be secrets: --with-env publishes the files, --yes publishes the project without them",
			project.ErrInvalid, strings.Join(withEnvFile, ", "))
	}
	var layers []ocispec.Descriptor
	for _, file := range p.ComposeFiles {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		layers = append(layers, artifactLayer(MediaTypeComposeFile, annotationComposeFile, filepath.Base(file), data, o.Version))
	}
	if o.WithEnv {
		for _, file := range envFiles {
			// Readers (docker compose's, berth's -f oci://) lay the files out in one
			// directory, under these names: the compose file finds an env file there
			// only when it sits beside it.
			rel, err := filepath.Rel(p.WorkingDir, file)
			if err != nil || rel != filepath.Base(rel) {
				return nil, fmt.Errorf("%w: publish --with-env: env_file %s is not in the project directory %s, where a reader of the artifact would look for it", project.ErrInvalid, file, p.WorkingDir)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				return nil, err
			}
			layers = append(layers, artifactLayer(MediaTypeComposeEnvFile, annotationComposeEnvFile, rel, data, o.Version))
		}
	}
	if o.ResolveImageDigests {
		data, err := e.imageDigestsFile(ctx, p)
		if err != nil {
			return nil, err
		}
		layers = append(layers, artifactLayer(MediaTypeComposeFile, annotationComposeFile, "image-digests.yaml", data, o.Version))
	}
	return layers, nil
}

// imageDigestsFile is a compose file that pins each service's image to the digest
// berth's store has for it.
func (e *Engine) imageDigestsFile(ctx context.Context, p *types.Project) ([]byte, error) {
	services := map[string]map[string]string{}
	for name, s := range p.Services {
		if s.Image == "" {
			continue
		}
		d, err := e.Runtime.ImageDigest(ctx, s.Image)
		if err != nil {
			return nil, fmt.Errorf("publish --resolve-image-digests: service %q: image %s: %w (pull or build it first)", name, s.Image, err)
		}
		ref, _, _ := strings.Cut(s.Image, "@")
		services[name] = map[string]string{"image": ref + "@" + d}
	}
	return yaml.Marshal(map[string]any{"services": services})
}

func artifactLayer(mediaType, annotation, name string, data []byte, version string) ocispec.Descriptor {
	return ocispec.Descriptor{
		MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data)), Data: data,
		Annotations: map[string]string{annotationComposeVersion: version, annotation: name},
	}
}

// composeArtifact is what publish pushes, in order: the config, the layers, and
// last the manifest. OCI 1.1 names the artifact type and has the empty config;
// 1.0 has none, and marks the config instead. As docker compose's, the manifest
// carries the layers' data too.
func composeArtifact(layers []ocispec.Descriptor, ociVersion string, created time.Time) []ocispec.Descriptor {
	config, artifactType := ocispec.DescriptorEmptyJSON, ArtifactTypeComposeProject
	if ociVersion == "1.0" {
		config = ocispec.Descriptor{MediaType: MediaTypeComposeEmptyConfig, Digest: ocispec.DescriptorEmptyJSON.Digest,
			Size: ocispec.DescriptorEmptyJSON.Size, Data: ocispec.DescriptorEmptyJSON.Data}
		artifactType = ""
	}
	manifest, _ := json.Marshal(ocispec.Manifest{ // marshals: nothing in it can fail
		Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest,
		ArtifactType: artifactType, Config: config, Layers: layers,
		Annotations: map[string]string{"org.opencontainers.image.created": created.Format(time.RFC3339)},
	})
	blobs := append([]ocispec.Descriptor{config}, layers...)
	return append(blobs, ocispec.Descriptor{
		MediaType: ocispec.MediaTypeImageManifest, ArtifactType: artifactType,
		Digest: digest.FromBytes(manifest), Size: int64(len(manifest)), Data: manifest,
	})
}
