package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Buildah builds with the buildah command, in its default store
// (/var/lib/containers/storage for root), which keeps the layer cache between builds.
type Buildah struct {
	Path string
	Why  string // why buildah builds rather than BuildKit, for the build's first line
}

func (b *Buildah) Build(ctx context.Context, spec Spec, archive string, out io.Writer) error {
	if IsRemote(spec.Context) {
		return fmt.Errorf("build context %s: a Git or HTTP context is not supported by buildah; BuildKit, berth's default builder, builds it", spec.Context)
	}
	if strings.HasPrefix(spec.Platform, "wasi/") {
		return fmt.Errorf("platform %s: building for it is not supported by buildah; BuildKit, berth's default builder, builds it", spec.Platform)
	}
	for _, name := range slices.Sorted(maps.Keys(spec.ImageContexts)) {
		return fmt.Errorf("additional context %s: a service's image (service:) is not supported by buildah; BuildKit, berth's default builder, builds it", name)
	}
	// RUN steps share the host's network (network: none has none to reach).
	spec, err := withHostGateway(spec, hostOfRunSteps, "")
	if err != nil {
		return err
	}
	dockerfile, hosts, cleanup, err := prepare(spec)
	if err != nil {
		return err
	}
	defer cleanup()
	if spec.Check || attests(spec) != nil {
		return errors.New("build --check, --provenance and --sbom need BuildKit: buildah has no Dockerfile checks or attestations")
	}
	text, err := os.ReadFile(dockerfile)
	if err != nil {
		return err
	}
	if err := checkBuildah(dockerfileName(spec), string(text)); err != nil {
		return err
	}
	if err := checkBuildahCache(spec); err != nil {
		return err
	}
	env := slices.Clip(spec.Env)
	if spec.Registries != nil {
		conf, remove, err := writeRegistriesConf(spec.Registries, hosts)
		if err != nil {
			return err
		}
		defer remove()
		env = append(env, "CONTAINERS_REGISTRIES_CONF="+conf)
	}
	unlock, err := lockBuilds(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	before, err := b.workingContainers(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "building %s with buildah (%s)\n", spec.Name, b.Why)
	args := budArgs(spec, dockerfile, buildahRuntime())
	err = b.run(ctx, out, env, args...)
	if err != nil && historyMismatch(err) {
		b.removeWorkingContainers(before)
		// buildah 1.28 counts a base image's layers against its history, and fails
		// on a base whose config lists none (made by tools that write layers
		// directly) at the second step it commits. Without history it builds; the
		// steps before are cached, so the retry redoes little.
		fmt.Fprintf(out, "note: buildah cannot keep the history of a base image that has none: building again with --omit-history\n")
		err = b.run(ctx, out, env, append(args[:1:1], append([]string{"--omit-history"}, args[1:]...)...)...)
	}
	if err != nil {
		b.removeWorkingContainers(before)
		return err
	}
	// The docker format keeps what OCI configs cannot carry, such as HEALTHCHECK.
	return b.run(ctx, io.Discard, nil, "push", "--quiet", spec.Name, "docker-archive:"+archive+":"+spec.Name)
}

// buildahRuntime is runc for RUN steps that need a container, as berth's own
// containers use: buildah takes crun when both are installed, and crun cannot
// start a container on a host whose cgroups are in hybrid mode. BUILDAH_RUNTIME,
// when set, still chooses (then, as without runc, this is "": buildah's choice).
func buildahRuntime() string {
	if os.Getenv("BUILDAH_RUNTIME") != "" {
		return ""
	}
	runc, _ := exec.LookPath("runc")
	return runc
}

func runtimeArgs(ociRuntime string) []string {
	if ociRuntime == "" {
		return nil
	}
	return []string{"--runtime", ociRuntime}
}

// historyMismatch says whether a buildah build failed on a base image without
// history: "history lists 1 non-empty layers, but we have 2 layers on disk".
func historyMismatch(err error) bool {
	var e *Error
	return errors.As(err, &e) && buildahHistoryError().MatchString(strings.Join(e.Output, "\n"))
}

var buildahHistoryError = lazyRegexp(`history lists \d+ non-empty layers, but we have \d+ layers on disk`)

// budArgs is the command line of one build. RUN steps run with chroot isolation,
// in the host's network: nothing to nest inside containerd's runc. A private
// /dev/shm (shm_size) or no network at all needs a container of its own: runc's.
func budArgs(spec Spec, dockerfile, ociRuntime string) []string {
	// --force-rm: a failed step leaves no working container behind in buildah's store.
	args := []string{"bud", "--format", "docker", "--layers", "--force-rm", "-f", dockerfile, "-t", spec.Name}
	switch {
	case spec.Network == "none":
		args = append(append(args, "--isolation", "oci", "--network", "none"), runtimeArgs(ociRuntime)...)
	case spec.ShmSize > 0:
		args = append(append(args, "--isolation", "oci", "--network", "host"), runtimeArgs(ociRuntime)...)
	default:
		args = append(args, "--isolation", "chroot")
	}
	if spec.Pull {
		args = append(args, "--pull=always")
	} else {
		args = append(args, "--pull=false") // only what the store lacks, as docker does
	}
	if spec.NoCache {
		args = append(args, "--no-cache")
	}
	if spec.Target != "" {
		args = append(args, "--target", spec.Target)
	}
	for _, a := range spec.Args {
		args = append(args, "--build-arg", a)
	}
	for _, k := range slices.Sorted(maps.Keys(spec.Labels)) {
		args = append(args, "--label", k+"="+spec.Labels[k])
	}
	for _, h := range spec.ExtraHosts {
		args = append(args, "--add-host", h)
	}
	for _, s := range spec.Secrets {
		if s.File != "" {
			args = append(args, "--secret", "id="+s.ID+",src="+s.File)
		} else {
			args = append(args, "--secret", "id="+s.ID+",env="+s.Env)
		}
	}
	for _, s := range spec.SSH {
		args = append(args, "--ssh", s)
	}
	for _, name := range slices.Sorted(maps.Keys(spec.Contexts)) {
		args = append(args, "--build-context", name+"="+spec.Contexts[name])
	}
	// One repository each way: checkBuildahCache saw to it.
	for _, c := range spec.CacheFrom {
		args = append(args, "--cache-from", c.Attrs["ref"])
	}
	for _, c := range spec.CacheTo {
		args = append(args, "--cache-to", c.Attrs["ref"])
	}
	for _, u := range spec.Ulimits {
		args = append(args, "--ulimit", u)
	}
	if spec.ShmSize > 0 {
		args = append(args, "--shm-size", fmt.Sprint(spec.ShmSize))
	}
	return append(args, spec.Context)
}

// prepare is what every builder starts from: the Dockerfile to build from (see
// dockerfilePath) and the registry hosts the build reaches: its base images', its
// image contexts' and its caches'.
//
// A remote context (a Git or HTTP URL) holds its Dockerfile, which the builder
// fetches with it: dockerfile is "" then, unless the Dockerfile is inline.
func prepare(spec Spec) (dockerfile string, hosts []string, cleanup func(), err error) {
	hosts = append(contextRegistries(spec.Contexts), cacheRegistries(spec.CacheFrom, spec.CacheTo)...)
	if IsRemote(spec.Context) && spec.DockerfileInline == "" {
		return "", hosts, func() {}, nil
	}
	dockerfile, cleanup, err = dockerfilePath(spec)
	if err != nil {
		return "", nil, cleanup, err
	}
	text, err := os.ReadFile(dockerfile)
	if err != nil {
		cleanup()
		return "", nil, func() {}, fmt.Errorf("read Dockerfile: %w", err)
	}
	return dockerfile, append(baseRegistries(string(text), spec.Args), hosts...), cleanup, nil
}

// IsRemote says whether a build context is a URL the builder fetches itself (a Git
// repository, https://…git#ref:dir, git@host:repo, git://…, or a file over HTTP)
// rather than a directory of this host.
func IsRemote(context string) bool {
	return strings.Contains(context, "://") || strings.HasPrefix(context, "git@")
}

// dockerfileName is the Dockerfile as the compose file names it.
func dockerfileName(spec Spec) string {
	switch {
	case spec.DockerfileInline != "":
		return "dockerfile_inline"
	case spec.Dockerfile != "":
		return spec.Dockerfile
	}
	return "Dockerfile"
}

// dockerfilePath is the Dockerfile to build from: the inline text written to a
// temporary file, or the file named relative to the context.
func dockerfilePath(spec Spec) (string, func(), error) {
	nothing := func() {}
	if IsRemote(spec.Context) {
		// Only an inline Dockerfile comes here; the context stays remote.
	} else if st, err := os.Stat(spec.Context); err != nil || !st.IsDir() {
		return "", nothing, fmt.Errorf("build context %s: not a directory", spec.Context)
	}
	if spec.DockerfileInline != "" {
		dir, err := os.MkdirTemp("", "berth-dockerfile-")
		if err != nil {
			return "", nothing, err
		}
		path := filepath.Join(dir, "Dockerfile")
		if err := os.WriteFile(path, []byte(spec.DockerfileInline), 0o600); err != nil {
			os.RemoveAll(dir)
			return "", nothing, err
		}
		return path, func() { os.RemoveAll(dir) }, nil
	}
	path := spec.Dockerfile
	if path == "" {
		path = "Dockerfile"
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(spec.Context, path)
	}
	if _, err := os.Stat(path); err != nil {
		return "", nothing, fmt.Errorf("Dockerfile %s: %w", path, errors.Unwrap(err))
	}
	return path, nothing, nil
}

// failedStep finds the step buildah names when a build fails:
// Error: building at STEP "RUN false": exit status 1
var failedStep = lazyRegexp(`^Error: building at STEP "(.*)": (.*)$`)

// run runs buildah, copying its output line by line to out; a failure is an *Error
// with the failing step and the last lines of output.
func (b *Buildah) run(ctx context.Context, out io.Writer, env []string, args ...string) error {
	tail, err := runLogged(ctx, out, nil, env, b.Path, args...)
	var exit *exec.ExitError
	if err == nil {
		return nil
	} else if ctx.Err() != nil {
		return ctx.Err()
	} else if !errors.As(err, &exit) {
		return err
	}
	e := &Error{Err: err, Output: tail}
	for i := len(tail) - 1; i >= 0; i-- {
		if m := failedStep().FindStringSubmatch(tail[i]); m != nil {
			e.Step, e.Err = m[1], errors.New(m[2])
			break
		}
		if msg, ok := strings.CutPrefix(tail[i], "Error: "); ok {
			e.Err = errors.New(msg)
			break
		}
	}
	return e
}
