package containerd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/containerd/containerd/v2/core/remotes"
	"github.com/containerd/containerd/v2/core/remotes/docker"
	"github.com/containerd/containerd/v2/core/remotes/docker/config"
	remoteerrors "github.com/containerd/containerd/v2/core/remotes/errors"
	"github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// DefaultHostsDir is where containerd's own CRI plugin reads hosts.toml files.
const DefaultHostsDir = "/etc/containerd/certs.d"

// resolver speaks to registries as the hosts dir says, with credentials from the
// Docker config file; tracker, when not nil, follows the bytes of a push.
func (r *Runtime) resolver(ctx context.Context, tracker docker.StatusTracker) remotes.Resolver {
	return docker.NewResolver(docker.ResolverOptions{Hosts: r.registryHosts(ctx, nil), Tracker: tracker})
}

// registryHosts reads the hosts.toml files under the hosts dir (mirrors, plain
// HTTP, insecure TLS): the one reading of them that pulls, pushes and builds follow.
// updateClient, when not nil, sees each host's HTTP client as it is made.
func (r *Runtime) registryHosts(ctx context.Context, updateClient config.UpdateClientFunc) docker.RegistryHosts {
	return registryHostsAt(ctx, r.hostsDir(), updateClient)
}

func registryHostsAt(ctx context.Context, hostsDir string, updateClient config.UpdateClientFunc) docker.RegistryHosts {
	return config.ConfigureHosts(ctx, config.HostOptions{
		HostDir:      config.HostDirFromRoot(hostsDir),
		Credentials:  dockerConfigCredentials,
		UpdateClient: updateClient,
	})
}

func (r *Runtime) hostsDir() string {
	if r.o.HostsDir == "" {
		return DefaultHostsDir
	}
	return r.o.HostsDir
}

// dockerConfigCredentials answers containerd's authorizer from the Docker config file
// ($DOCKER_CONFIG or ~/.docker/config.json: auths and credential helpers), read by
// go-containerregistry's keychain.
func dockerConfigCredentials(host string) (string, string, error) {
	if host == "registry-1.docker.io" {
		host = name.DefaultRegistry // the Docker config names Docker Hub by its index
	}
	reg, err := name.NewRegistry(host)
	if err != nil {
		return "", "", fmt.Errorf("registry %s: %w", host, err)
	}
	a, err := authn.DefaultKeychain.Resolve(reg)
	if err != nil {
		return "", "", fmt.Errorf("registry %s: credentials from the Docker config: %w", host, err)
	}
	cfg, err := a.Authorization()
	if err != nil {
		return "", "", fmt.Errorf("registry %s: credentials from the Docker config: %w", host, err)
	}
	if cfg.IdentityToken != "" {
		return "", cfg.IdentityToken, nil // containerd sends a secret with no user as a refresh token
	}
	return cfg.Username, cfg.Password, nil
}

// registryError says which registry refused the credentials and where they come
// from; other errors pass unchanged.
func registryError(ref string, err error) error {
	if !refusedCredentials(err) {
		return err
	}
	host := ref
	if n, perr := reference.ParseNormalizedNamed(ref); perr == nil {
		host = reference.Domain(n)
	}
	return fmt.Errorf("registry %s: unauthorized: check the credentials for it in the Docker config (%s): %w", host, dockerConfigPath(), err)
}

func refusedCredentials(err error) bool {
	var status remoteerrors.ErrUnexpectedStatus
	if errors.As(err, &status) {
		return status.StatusCode == http.StatusUnauthorized || status.StatusCode == http.StatusForbidden
	}
	return errors.Is(err, docker.ErrInvalidAuthorization) || errdefs.IsUnauthorized(err) || errdefs.IsPermissionDenied(err)
}

// dockerConfigPath is the file the keychain reads.
func dockerConfigPath() string {
	if dir := os.Getenv("DOCKER_CONFIG"); dir != "" {
		return filepath.Join(dir, "config.json")
	}
	return "~/.docker/config.json"
}
