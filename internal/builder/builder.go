// Package builder builds an image from a Dockerfile with a real builder on this
// host and writes it as an image archive that containerd imports: BuildKit, the
// builder real Dockerfiles are written for, else buildah on request (Debian
// packages it; it needs no daemon).
package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// Spec is one build, in the words of a compose file's build: section, resolved.
type Spec struct {
	Context          string // directory sent to the builder
	Dockerfile       string // relative to Context, or absolute; "" = Dockerfile
	DockerfileInline string // the Dockerfile's text, instead of a file
	Args             []string
	Target           string
	Labels           map[string]string
	Network          string   // "", "default" or "host": RUN shares the host's network; or "none"
	ExtraHosts       []string // host:ip, added to /etc/hosts of RUN steps
	Secrets          []Secret
	SSH              []string // default | id=socket-or-key
	// Contexts are the additional named contexts (COPY --from=NAME): a directory or
	// docker-image://REF.
	Contexts map[string]string
	// ImageContexts are the additional named contexts that are images of berth's
	// store (a service's image, service:NAME), each written to an OCI layout.
	ImageContexts map[string]OCILayout
	Ulimits       []string // name=soft:hard, for RUN steps
	// Env is added to the builder's environment: the values of environment secrets
	// that come from the project's .env rather than berth's own environment.
	Env     []string
	ShmSize int64 // bytes; 0 = the builder's default
	// Platform is the platform to build for, the service's: "" = the host's;
	// wasi/wasm for a wasm runtime.
	Platform string
	NoCache  bool
	Pull     bool // fetch base images even when the builder has them
	// Registries says how to reach the registries of base images; nil: as the
	// builder's own configuration says.
	Registries RegistryLookup
	// CacheFrom and CacheTo are build.cache_from and build.cache_to, parsed; a local
	// cache's src or dest is an absolute path.
	CacheFrom []Cache
	CacheTo   []Cache
	// Check runs the Dockerfile frontend's checks (build --check) instead of a
	// build: no image comes out; CheckFailed is the error when they warn.
	Check bool
	// Provenance and SBOM ask BuildKit for those attestations: "" or "false" for
	// none, "true" for the defaults, else their attributes (mode=max).
	Provenance, SBOM string
	// Name is the reference the image is tagged with, in the builder's store and in
	// the archive.
	Name string
}

// OCILayout is an image in an OCI image layout directory: the index.json there
// names it by Digest.
type OCILayout struct {
	Dir    string
	Digest string
}

// Secret is a build secret a RUN step mounts with --mount=type=secret,id=ID.
type Secret struct {
	ID   string
	File string // a file on the host, or
	Env  string // an environment variable of berth's
}

// Cache is one cache_from or cache_to entry: its type (registry, local, inline) and
// its other key=value attributes.
type Cache struct {
	Type  string
	Attrs map[string]string
}

// ErrNoBuilder is returned when no builder is reachable or installed.
var ErrNoBuilder = errors.New("no image builder found: install buildkitd and buildctl (scripts/setup builds them), " +
	"point BUILDKIT_HOST at a buildkitd, or install buildah (apt-get install buildah), to build images")

// Builder runs builds.
type Builder interface {
	// Build builds spec and writes the image to archive (a docker-archive tar),
	// copying the builder's output to out as it comes.
	Build(ctx context.Context, spec Spec, archive string, out io.Writer) error
}

// OwnBuildKit starts berth's own buildkitd from the buildkitd binary at path,
// unless it already runs as it would start it, and returns its address as
// BUILDKIT_HOST takes it, and the registries its configuration reaches as berth's
// hosts dir says (see BuildkitdRegistries).
type OwnBuildKit func(ctx context.Context, path string) (host string, registries []string, err error)

// Find returns the builder to build with: BuildKit, at BUILDKIT_HOST when it is
// set, else berth's own buildkitd (started by own); buildah when BERTH_BUILDER=buildah
// asks for it, or when this host has no buildkitd and buildctl to start.
// BERTH_BUILDER=buildkit fails rather than fall back.
func Find(ctx context.Context, own OwnBuildKit) (Builder, error) {
	want := os.Getenv("BERTH_BUILDER")
	switch want {
	case "", "buildkit", "buildah":
	default:
		return nil, fmt.Errorf("BERTH_BUILDER=%s: use buildkit or buildah", want)
	}
	why := "BERTH_BUILDER=buildah"
	if want != "buildah" {
		// A BUILDKIT_HOST of the user's own is a choice: building elsewhere would
		// ignore it.
		if host := os.Getenv("BUILDKIT_HOST"); host != "" {
			bk, err := buildKitAt(host)
			if err != nil {
				return nil, fmt.Errorf("BUILDKIT_HOST: %w (unset it to build with berth's own buildkitd, or set BERTH_BUILDER=buildah)", err)
			}
			return bk, nil
		}
		bk, err := ownBuildKit(ctx, own)
		if err == nil {
			return bk, nil
		}
		if want == "buildkit" || !errors.Is(err, errNotInstalled) {
			return nil, err
		}
		why = err.Error()
	}
	path, err := exec.LookPath("buildah")
	if err != nil {
		return nil, ErrNoBuilder
	}
	return &Buildah{Path: path, Why: why}, nil
}

// ErrCheckFailed is a build --check whose checks warned.
var ErrCheckFailed = errors.New("the Dockerfile checks found problems")

// Error is a failed build: the step that failed, as the builder names it, and the
// last lines the builder wrote.
type Error struct {
	Step   string // e.g. `RUN make`; "" when the builder named none
	Err    error
	Output []string
}

func (e *Error) Error() string {
	if e.Step != "" {
		return fmt.Sprintf("build failed at step %s: %v", e.Step, e.Err)
	}
	return fmt.Sprintf("build failed: %v", e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
