package containerd

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"berth.dev/berth/compose"
)

// blobFetcher serves blobs from memory, as a registry would.
type blobFetcher map[digest.Digest][]byte

func (f blobFetcher) Fetch(_ context.Context, desc ocispec.Descriptor) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(f[desc.Digest])), nil
}

func (f blobFetcher) layer(mediaType, key, name, data string) ocispec.Descriptor {
	d := digest.FromString(data)
	f[d] = []byte(data)
	return ocispec.Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(data)), Annotations: map[string]string{key: name}}
}

// TestFetchArtifactFiles: the artifact's compose files become one compose.yaml of
// several documents and its env files sit beside it; an env file whose name
// reaches out of the directory, or a blob that is not what its digest says, is
// refused with nothing written.
func TestFetchArtifactFiles(t *testing.T) {
	f := blobFetcher{}
	main := f.layer(compose.MediaTypeComposeFile, "com.docker.compose.file", "compose.yaml", "services: {a: {image: x}}\n")
	pins := f.layer(compose.MediaTypeComposeFile, "com.docker.compose.file", "image-digests.yaml", "services: {a: {image: x@sha256:0}}\n")
	env := f.layer(compose.MediaTypeComposeEnvFile, "com.docker.compose.envfile", "app.env", "A=1\n")
	cache := t.TempDir()
	dir := filepath.Join(cache, "good")
	if err := fetchArtifactFiles(context.Background(), f, ocispec.Manifest{Layers: []ocispec.Descriptor{main, env, pins}}, cache, dir); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "compose.yaml")); string(b) != "services: {a: {image: x}}\n\n---\nservices: {a: {image: x@sha256:0}}\n" {
		t.Errorf("compose.yaml: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "app.env")); string(b) != "A=1\n" {
		t.Errorf("app.env: %q", b)
	}

	lying := main
	lying.Digest = digest.FromString("something else")
	f[lying.Digest] = f[main.Digest]
	for name, layers := range map[string][]ocispec.Descriptor{
		"../escape.env": {main, f.layer(compose.MediaTypeComposeEnvFile, "com.docker.compose.envfile", "../escape.env", "B=2\n")},
		"sub/dir.env":   {main, f.layer(compose.MediaTypeComposeEnvFile, "com.docker.compose.envfile", "sub/dir.env", "B=2\n")},
		"a lying blob":  {lying},
	} {
		cache := t.TempDir()
		err := fetchArtifactFiles(context.Background(), f, ocispec.Manifest{Layers: layers}, filepath.Join(cache, "oci"), filepath.Join(cache, "oci", "bad"))
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		var left []string
		_ = filepath.Walk(cache, func(path string, _ os.FileInfo, _ error) error {
			if rel, _ := filepath.Rel(cache, path); rel != "." && rel != "oci" {
				left = append(left, rel)
			}
			return nil
		})
		if len(left) > 0 {
			t.Errorf("%s: left %s", name, strings.Join(left, ", "))
		}
	}
}
