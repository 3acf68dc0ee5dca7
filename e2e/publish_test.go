package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestPublish: publish pushes the compose file to the registry as docker compose
// does (an OCI 1.1 artifact, which -f oci:// runs again, of type application/vnd.docker.compose.project, the
// file a layer of application/vnd.docker.compose.file+yaml), refuses a project
// with env_file unless --with-env or --yes, and speaks OCI 1.0 when asked.
func TestPublish(t *testing.T) {
	s := newScenario(t)
	// A repository of this run's own: the registry keeps what earlier runs pushed.
	repo := fmt.Sprintf("e2e/%s-%d", s.project, time.Now().UnixNano())
	ref := registry + "/" + repo
	compose, err := os.ReadFile(filepath.Join(s.dir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}

	if r := s.berth("publish", ref+":v1"); r.code == 0 || !strings.Contains(r.stderr, "service app declares env_file") {
		t.Fatalf("publish of a project with env_file: exit %d: %s", r.code, r.stderr)
	}
	if code, _ := registryGet(t, repo, "manifests/v1", ocispec.MediaTypeImageManifest); code != http.StatusNotFound {
		t.Errorf("a refused publish pushed a manifest: %d", code)
	}

	s.must("pull") // --resolve-image-digests pins the digest of the image in the store
	s.must("publish", "--with-env", "--resolve-image-digests", ref+":v1")
	m := registryManifest(t, repo, "v1")
	if m.ArtifactType != "application/vnd.docker.compose.project" || m.Config.MediaType != ocispec.MediaTypeEmptyJSON || len(m.Layers) != 3 {
		t.Fatalf("the published manifest: %+v", m)
	}
	want := []struct{ mediaType, key, name string }{
		{"application/vnd.docker.compose.file+yaml", "com.docker.compose.file", "compose.yaml"},
		{"application/vnd.docker.compose.envfile", "com.docker.compose.envfile", "app.env"},
		{"application/vnd.docker.compose.file+yaml", "com.docker.compose.file", "image-digests.yaml"},
	}
	for i, w := range want {
		l := m.Layers[i]
		if l.MediaType != w.mediaType || l.Annotations[w.key] != w.name || l.Annotations["com.docker.compose.version"] == "" {
			t.Errorf("layer %d: %+v, want %s named %s", i, l, w.mediaType, w.name)
		}
	}
	if _, body := registryGet(t, repo, "blobs/"+m.Layers[0].Digest.String(), ""); body != string(compose) {
		t.Errorf("the published compose file:\n%s\nwant:\n%s", body, compose)
	}
	if _, body := registryGet(t, repo, "blobs/"+m.Layers[1].Digest.String(), ""); body != "GREETING=hello-from-env-file\n" {
		t.Errorf("the published env file: %q", body)
	}
	if _, body := registryGet(t, repo, "blobs/"+m.Layers[2].Digest.String(), ""); !strings.Contains(body, "image: "+registry+"/berth/busybox:latest@sha256:") {
		t.Errorf("the published image-digests.yaml:\n%s", body)
	}

	// The artifact runs where -f names it, with its env file.
	s.must("publish", "--with-env", ref+":v2")
	cache := []string{"BERTH_CACHE_DIR=" + t.TempDir()}
	if r := s.berthEnv(cache, "-f", "oci://"+ref+":v2", "run", "--rm", "app"); r.code != 0 || r.stdout != "hello-from-env-file\n" {
		t.Errorf("run from oci://%s:v2: exit %d, %q\n%s", ref, r.code, r.stdout, r.stderr)
	}
	if r := s.berthEnv(cache, "-f", "oci://"+registry+"/berth/busybox:latest", "config"); r.code == 0 || !strings.Contains(r.stderr, "not a compose project") {
		t.Errorf("-f oci:// of an image: exit %d: %s", r.code, r.stderr)
	}

	// --app pushes the service's image into the artifact's repository too.
	s.must("publish", "--with-env", "--app", ref+":app")
	busybox := imageDigest(t, registry+"/berth/busybox:latest")
	if code, body := registryGet(t, repo, "manifests/"+busybox, ocispec.MediaTypeImageIndex+","+ocispec.MediaTypeImageManifest+
		",application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json"); code != http.StatusOK {
		t.Errorf("publish --app: the repository lacks the service's image %s: %d %s", busybox, code, body)
	}
	if m := registryManifest(t, repo, "app"); m.ArtifactType != "application/vnd.docker.compose.project" {
		t.Errorf("publish --app: the tag names %+v, not the compose manifest", m)
	}

	// --yes publishes without the env file; OCI 1.0 marks the config instead.
	s.must("publish", "-y", "--oci-version", "1.0", ref+":v0")
	m = registryManifest(t, repo, "v0")
	if m.ArtifactType != "" || m.Config.MediaType != "application/vnd.docker.compose.config.empty.v1+json" || len(m.Layers) != 1 {
		t.Errorf("the OCI 1.0 manifest: %+v", m)
	}
}

func registryManifest(t *testing.T, repo, tag string) ocispec.Manifest {
	t.Helper()
	code, body := registryGet(t, repo, "manifests/"+tag, ocispec.MediaTypeImageManifest)
	if code != http.StatusOK {
		t.Fatalf("GET manifest %s:%s: %d %s", repo, tag, code, body)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// registryGet reads /v2/REPO/PATH of the test registry.
func registryGet(t *testing.T, repo, path, accept string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/v2/%s/%s", registry, repo, path), nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
