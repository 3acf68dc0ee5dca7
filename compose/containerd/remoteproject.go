package containerd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/remotes"
	"github.com/containerd/containerd/v2/core/remotes/docker"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"berth.dev/berth/compose"
)

// ArtifactLoader reads `-f oci://REF`, a compose project published as an OCI
// artifact (by `publish`, berth's or docker compose's), as compose-go's loader
// asks of a remote resource: the files are fetched into a cache directory named by
// the manifest's digest, through the resolver pulls use.
type ArtifactLoader struct {
	HostsDir string // "" = DefaultHostsDir
	CacheDir string // the artifacts' directories go under it
	known    map[string]string
}

const ociPrefix = "oci://"

// maxArtifactBlob bounds what berth reads of one manifest or file of an artifact.
const maxArtifactBlob = 16 << 20

func (l *ArtifactLoader) Accept(path string) bool { return strings.HasPrefix(path, ociPrefix) }

// Dir is the directory the artifact's files are in, once loaded.
func (l *ArtifactLoader) Dir(path string) string { return l.known[path] }

// Load fetches the artifact (once per digest) and returns its compose.yaml.
func (l *ArtifactLoader) Load(ctx context.Context, path string) (string, error) {
	if dir, ok := l.known[path]; ok {
		return filepath.Join(dir, "compose.yaml"), nil
	}
	ref := strings.TrimPrefix(path, ociPrefix)
	name, err := normalize(ref)
	if err != nil {
		return "", err
	}
	hostsDir := l.HostsDir
	if hostsDir == "" {
		hostsDir = DefaultHostsDir
	}
	resolver := docker.NewResolver(docker.ResolverOptions{Hosts: registryHostsAt(ctx, hostsDir, nil)})
	_, desc, err := resolver.Resolve(ctx, name)
	if err != nil {
		return "", registryError(ref, fmt.Errorf("%s: %w", path, err))
	}
	fetcher, err := resolver.Fetcher(ctx, name)
	if err != nil {
		return "", err
	}
	manifest, err := artifactManifest(ctx, fetcher, desc)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	dir := filepath.Join(l.CacheDir, desc.Digest.Encoded())
	if _, err := os.Stat(dir); err != nil {
		if err := fetchArtifactFiles(ctx, fetcher, manifest, l.CacheDir, dir); err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
	}
	if l.known == nil {
		l.known = map[string]string{}
	}
	l.known[path] = dir
	return filepath.Join(dir, "compose.yaml"), nil
}

// artifactManifest is the compose project's manifest desc names, itself or, for an
// index (publish --app), the one in it of the project's artifact type.
func artifactManifest(ctx context.Context, fetcher remotes.Fetcher, desc ocispec.Descriptor) (ocispec.Manifest, error) {
	var m ocispec.Manifest
	if images.IsIndexType(desc.MediaType) {
		var index ocispec.Index
		if err := fetchJSON(ctx, fetcher, desc, &index); err != nil {
			return m, err
		}
		found := false
		for _, d := range index.Manifests {
			if d.ArtifactType == compose.ArtifactTypeComposeProject {
				desc, found = d, true
			}
		}
		if !found {
			return m, fmt.Errorf("not a compose project: an index that refers to none")
		}
	}
	if err := fetchJSON(ctx, fetcher, desc, &m); err != nil {
		return m, err
	}
	if m.ArtifactType != compose.ArtifactTypeComposeProject && (m.ArtifactType != "" || m.Config.MediaType != compose.MediaTypeComposeEmptyConfig) {
		return m, fmt.Errorf("not a compose project but an artifact of type %q (config %s)", m.ArtifactType, m.Config.MediaType)
	}
	return m, nil
}

// fetchArtifactFiles writes the artifact's files into dir, through a temporary
// directory beside it: its compose files as one compose.yaml of several
// documents, its env files under their names, as docker compose lays them out.
func fetchArtifactFiles(ctx context.Context, fetcher remotes.Fetcher, m ocispec.Manifest, cacheDir, dir string) error {
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(cacheDir, ".fetch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var composeFile []byte
	for _, layer := range m.Layers {
		data, err := fetchBlob(ctx, fetcher, layer)
		if err != nil {
			return err
		}
		switch layer.MediaType {
		case compose.MediaTypeComposeFile:
			if len(composeFile) > 0 {
				composeFile = append(composeFile, "\n---\n"...)
			}
			composeFile = append(composeFile, data...)
		case compose.MediaTypeComposeEnvFile:
			// A bare file name: the artifact's names must not reach out of its directory.
			name := layer.Annotations["com.docker.compose.envfile"]
			if name == "" || name != filepath.Base(name) || name == "." || name == ".." || name == "compose.yaml" {
				return fmt.Errorf("an env file layer named %q", name)
			}
			if err := os.WriteFile(filepath.Join(tmp, name), data, 0o600); err != nil {
				return err
			}
		}
	}
	if len(composeFile) == 0 {
		return fmt.Errorf("the artifact holds no compose file")
	}
	if err := os.WriteFile(filepath.Join(tmp, "compose.yaml"), composeFile, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil && !os.IsExist(err) {
		if _, serr := os.Stat(dir); serr != nil { // not another berth's fetch of the same artifact
			return err
		}
	}
	return nil
}

func fetchJSON(ctx context.Context, fetcher remotes.Fetcher, desc ocispec.Descriptor, v any) error {
	data, err := fetchBlob(ctx, fetcher, desc)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// fetchBlob reads a blob whole, bounded, and checks it against its digest.
func fetchBlob(ctx context.Context, fetcher remotes.Fetcher, desc ocispec.Descriptor) ([]byte, error) {
	if desc.Size > maxArtifactBlob {
		return nil, fmt.Errorf("blob %s: %d bytes, more than a compose artifact holds", desc.Digest, desc.Size)
	}
	rc, err := fetcher.Fetch(ctx, desc)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, desc.Size+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != desc.Size || desc.Digest.Validate() != nil || desc.Digest.Algorithm().FromBytes(data) != desc.Digest {
		return nil, fmt.Errorf("blob %s: the registry sent other content", desc.Digest)
	}
	return data, nil
}
