package containerd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	remoteerrors "github.com/containerd/containerd/v2/core/remotes/errors"
)

func TestDockerConfigCredentials(t *testing.T) {
	dir := t.TempDir()
	config := `{"auths": {
		"127.0.0.1:5051": {"auth": "YmVydGg6czNjcmV0"},
		"https://index.docker.io/v1/": {"username": "hub", "password": "pw"}
	}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
	for host, want := range map[string]string{
		"127.0.0.1:5051":       "berth:s3cret",
		"registry-1.docker.io": "hub:pw", // Docker Hub's API host takes the index's entry
		"registry.berth.test":  ":",      // none: anonymous
	} {
		user, secret, err := dockerConfigCredentials(host)
		if got := user + ":" + secret; err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", host, got, err, want)
		}
	}
}

func TestRegistryErrorNamesTheRegistry(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", "/etc/berth-test-docker")
	refused := fmt.Errorf("resolve: %w", remoteerrors.ErrUnexpectedStatus{Status: "401 Unauthorized", StatusCode: 401})
	err := registryError("127.0.0.1:5051/berth/busybox:latest", refused)
	if !errors.Is(err, refused) || !strings.Contains(err.Error(), "registry 127.0.0.1:5051: unauthorized: check the credentials for it in the Docker config (/etc/berth-test-docker/config.json)") {
		t.Errorf("refused credentials: %v", err)
	}
	other := fmt.Errorf("resolve: %w", remoteerrors.ErrUnexpectedStatus{Status: "404 Not Found", StatusCode: 404})
	if err := registryError("redis", other); err != other {
		t.Errorf("another error was rewritten: %v", err)
	}
	if err := registryError("redis", refused); !strings.Contains(err.Error(), "registry docker.io:") {
		t.Errorf("a Docker Hub image: %v", err)
	}
}
