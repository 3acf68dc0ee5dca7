package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
	"sigs.k8s.io/yaml"
)

// registryDigest asks the test registry which manifest a tag names now.
func registryDigest(t *testing.T, repo, tag string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodHead, "http://"+registry+"/v2/"+repo+"/manifests/"+tag, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", strings.Join([]string{images.MediaTypeDockerSchema2ManifestList, images.MediaTypeDockerSchema2Manifest,
		"application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json"}, ", "))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	d := resp.Header.Get("Docker-Content-Digest")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(d, "sha256:") {
		t.Fatalf("registry: %s/%s:%s: %s, digest %q", registry, repo, tag, resp.Status, d)
	}
	return d
}

// TestConfigImageDigests: config --resolve-image-digests pins each image as docker
// compose does, to the digest of berth's store (an image only the store holds too)
// or, where the store lacks it, of its registry; --lock-image-digests writes the
// override file that pins them, which loads over the file again.
func TestConfigImageDigests(t *testing.T) {
	s := newScenario(t)
	ctx := context.Background()
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	busybox, local := registry+"/berth/busybox:latest", registry+"/berth/local-only:1"
	_ = c.ImageService().Delete(ctx, busybox) // the registry answers for web
	want := registryDigest(t, "berth/busybox", "latest")

	// local is in the store only: a second name for busybox's manifest, which the
	// registry does not have under that name.
	s.must("pull", "web")
	img, err := c.ImageService().Get(ctx, busybox)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.ImageService().Delete(ctx, busybox) // web's digest comes from the registry again
	if _, err := c.ImageService().Create(ctx, images.Image{Name: local, Target: img.Target}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.ImageService().Delete(context.Background(), local) })

	imagesOf := func(out string) map[string]string {
		t.Helper()
		var f struct {
			Services map[string]struct{ Image string }
		}
		if err := yaml.Unmarshal([]byte(out), &f); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		got := map[string]string{}
		for name, svc := range f.Services {
			got[name] = svc.Image
		}
		return got
	}
	pinned := map[string]string{
		"web":    busybox + "@" + want,
		"local":  local + "@" + img.Target.Digest.String(),
		"pinned": registry + "/berth/busybox@sha256:1111111111111111111111111111111111111111111111111111111111111111",
	}
	full := s.must("config", "--resolve-image-digests")
	for name, ref := range pinned {
		if got := imagesOf(full)[name]; got != ref {
			t.Errorf("--resolve-image-digests: %s image %q, want %q", name, got, ref)
		}
	}
	if !strings.Contains(full, `command:`) {
		t.Errorf("--resolve-image-digests dropped the rest of the model:\n%s", full)
	}

	// The lock file: only the pinned images, as an override of the file.
	lock := s.must("config", "--lock-image-digests")
	if strings.Contains(lock, "command") || strings.Contains(lock, "networks") {
		t.Errorf("--lock-image-digests wrote more than the images:\n%s", lock)
	}
	for name, ref := range pinned {
		if got := imagesOf(lock)[name]; got != ref {
			t.Errorf("--lock-image-digests: %s image %q, want %q", name, got, ref)
		}
	}
	lockFile := filepath.Join(t.TempDir(), "compose.lock.yaml")
	if err := os.WriteFile(lockFile, []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}
	over := s.must("-f", "compose.yaml", "-f", lockFile, "config")
	if got := imagesOf(over)["web"]; got != pinned["web"] || !strings.Contains(over, "sleep") {
		t.Errorf("the lock file over the compose file: web image %q:\n%s", got, over)
	}

	// An image neither the store nor the registry has: refused, naming it.
	if r := s.berth("-f", "missing.yaml", "config", "--resolve-image-digests"); r.code == 0 || !strings.Contains(r.stderr, "berth/nosuch:1") {
		t.Errorf("an image nowhere: exit %d, %q", r.code, r.stderr)
	}
}
