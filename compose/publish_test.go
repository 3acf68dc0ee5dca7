package compose

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestComposeArtifact: the manifest publish pushes is docker compose's: OCI 1.1
// with the artifact type and the empty config, or 1.0 with the config marking it;
// blobs before the manifest that names them.
func TestComposeArtifact(t *testing.T) {
	layer := artifactLayer(MediaTypeComposeFile, annotationComposeFile, "compose.yaml", []byte("services: {}\n"), "v1.2.3")
	for _, c := range []struct{ version, artifactType, configType string }{
		{"1.1", ArtifactTypeComposeProject, ocispec.MediaTypeEmptyJSON},
		{"1.0", "", MediaTypeComposeEmptyConfig},
	} {
		blobs := composeArtifact([]ocispec.Descriptor{layer}, c.version, time.Unix(0, 0))
		if len(blobs) != 3 || blobs[0].MediaType != c.configType || blobs[1].Digest != layer.Digest {
			t.Fatalf("OCI %s: blobs %+v", c.version, blobs)
		}
		var m ocispec.Manifest
		if err := json.Unmarshal(blobs[2].Data, &m); err != nil {
			t.Fatal(err)
		}
		if m.MediaType != ocispec.MediaTypeImageManifest || m.ArtifactType != c.artifactType || m.Config.MediaType != c.configType ||
			m.Config.Digest != blobs[0].Digest || len(m.Layers) != 1 || m.Layers[0].MediaType != MediaTypeComposeFile ||
			m.Layers[0].Annotations[annotationComposeFile] != "compose.yaml" || m.Layers[0].Annotations[annotationComposeVersion] != "v1.2.3" {
			t.Errorf("OCI %s: manifest %s", c.version, blobs[2].Data)
		}
		if string(blobs[0].Data) != "{}" || blobs[2].Size != int64(len(blobs[2].Data)) {
			t.Errorf("OCI %s: config %q, manifest size %d", c.version, blobs[0].Data, blobs[2].Size)
		}
	}
}

// TestAppIndex: publish --app's index lists the images and has the compose
// manifest, without its data, as subject.
func TestAppIndex(t *testing.T) {
	blobs := composeArtifact(nil, "1.1", time.Unix(0, 0))
	manifest := blobs[len(blobs)-1]
	img := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageIndex, Digest: digest.Digest("sha256:" + strings.Repeat("a", 64)), Size: 10}
	desc := appIndex([]ocispec.Descriptor{img}, manifest, "v1")
	var index ocispec.Index
	if err := json.Unmarshal(desc.Data, &index); err != nil {
		t.Fatal(err)
	}
	if desc.ArtifactType != ArtifactTypeComposeProject || desc.MediaType != ocispec.MediaTypeImageIndex || len(index.Manifests) != 1 ||
		index.Manifests[0].Digest != img.Digest || index.Subject == nil || index.Subject.Digest != manifest.Digest || index.Subject.Data != nil {
		t.Errorf("index %s", desc.Data)
	}
}
