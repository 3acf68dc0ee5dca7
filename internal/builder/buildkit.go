package builder

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// BuildKit builds with a buildkitd through its own client, buildctl, rather than
// through BuildKit's Go client library: the library would add BuildKit's session,
// file-sync and progress packages to every berth binary (and their versions to
// berth's go.mod) for a path only builds take, while buildctl ships with every
// buildkitd, carries the Docker config's registry credentials, and prints BuildKit's
// own progress, which berth passes on as it does buildah's. The dockerfile.v0
// frontend built into buildkitd reads the Dockerfile; the image comes back as a
// docker-archive for containerd to import, as buildah's does.
type BuildKit struct {
	Buildctl string // path of buildctl
	Host     string // the buildkitd's address, as BUILDKIT_HOST takes it
	Own      bool   // the buildkitd is the one berth started
	// Follows are the registries the buildkitd reaches as berth's hosts dir says.
	Follows []string
}

// errNotInstalled is why berth cannot start a buildkitd of its own.
var errNotInstalled = errors.New("buildkitd and buildctl are not both on PATH (scripts/setup installs them)")

// buildKitAt returns BuildKit at host when a buildkitd answers there and buildctl
// is installed; an error says why not.
func buildKitAt(host string) (*BuildKit, error) {
	if err := reachable(host); err != nil {
		return nil, err
	}
	path, err := exec.LookPath("buildctl")
	if err != nil {
		return nil, fmt.Errorf("a buildkitd answers at %s, but buildctl is not on PATH", host)
	}
	return &BuildKit{Buildctl: path, Host: host}, nil
}

// ownBuildKit returns BuildKit at berth's own buildkitd, started by own.
func ownBuildKit(ctx context.Context, own OwnBuildKit) (*BuildKit, error) {
	buildkitd, err := exec.LookPath("buildkitd")
	if err != nil {
		return nil, errNotInstalled
	}
	buildctl, err := exec.LookPath("buildctl")
	if err != nil {
		return nil, errNotInstalled
	}
	if own == nil {
		return nil, errNotInstalled
	}
	host, follows, err := own(ctx, buildkitd)
	if err != nil {
		return nil, fmt.Errorf("start berth's buildkitd: %w", err)
	}
	return &BuildKit{Buildctl: buildctl, Host: host, Own: true, Follows: follows}, nil
}

// reachable says whether something listens at a buildkitd address. A connection
// is all it costs; unix and tcp addresses are dialled, and any other scheme
// (docker-container://, ssh:// …) is left to buildctl.
func reachable(host string) error {
	u, err := url.Parse(host)
	if err != nil {
		return fmt.Errorf("BUILDKIT_HOST %q: %w", host, err)
	}
	var conn net.Conn
	switch u.Scheme {
	case "unix":
		conn, err = net.DialTimeout("unix", u.Path, time.Second)
	case "tcp":
		conn, err = net.DialTimeout("tcp", u.Host, 2*time.Second)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("no buildkitd answers at %s", host)
	}
	return conn.Close()
}

func (b *BuildKit) Build(ctx context.Context, spec Spec, archive string, out io.Writer) error {
	gateway := ""
	if b.Own {
		gateway = hostOfRunSteps // berth's buildkitd runs RUN steps in the host's network
	}
	spec, err := withHostGateway(spec, gateway, "host-gateway needs berth's own buildkitd: the network of the one at BUILDKIT_HOST is its own; give the host's IP")
	if err != nil {
		return err
	}
	dockerfile, hosts, cleanup, err := prepare(spec)
	if err != nil {
		return err
	}
	defer cleanup()
	if repo := gitContext(spec); repo != "" && b.Own {
		// berth's buildkitd runs the host's programs (see its rootfs), git among
		// them, to fetch a Git context.
		if _, err := exec.LookPath("git"); err != nil {
			return fmt.Errorf("build context %s: a Git repository, which berth's buildkitd fetches with git, and git is not installed here (scripts/setup installs it)", repo)
		}
	}
	if b.Own {
		fmt.Fprintf(out, "building %s with BuildKit (berth's buildkitd)\n", spec.Name)
	} else {
		fmt.Fprintf(out, "building %s with BuildKit at %s\n", spec.Name, b.Host)
	}
	builtin := ""
	if dockerfile != "" {
		if text, err := os.ReadFile(dockerfile); err == nil {
			if builtin = builtinSyntax(string(text)); builtin == "" {
				hosts = append(hosts, syntaxRegistries(string(text))...)
			}
		}
	}
	for _, h := range hostsDirUnfollowed(spec.Registries, hosts) {
		if slices.Contains(b.Follows, h) {
			continue
		}
		fmt.Fprintf(out, "note: BuildKit reaches registry %s as the buildkitd's own configuration says, not as berth's hosts dir does\n", h)
	}
	args := buildctlArgs(spec, dockerfile, archive)
	if builtin != "" {
		fmt.Fprintf(out, "note: # syntax=%s: read by BuildKit's built-in Dockerfile frontend, not pulled\n", builtin)
		// The frontend forwards to a # syntax= image unless it runs as one,
		// which the cmdline option says it does.
		args = append(args, "--opt", "cmdline="+builtin)
	}
	steps := map[string]string{} // progress ID (#5) → the step it runs
	findings := 0                // the checks' WARNING and ERROR lines (build --check)
	watch := func(line string) {
		if m := buildkitStep().FindStringSubmatch(line); m != nil {
			steps[m[1]] = stepName(m[2])
		}
		if strings.HasPrefix(line, "WARNING: ") || strings.HasPrefix(line, "ERROR: ") {
			findings++
		}
	}
	tail, err := runLogged(ctx, out, watch, spec.Env, b.Buildctl, append([]string{"--addr", b.Host}, args...)...)
	if err == nil {
		if spec.Check && findings > 0 {
			return fmt.Errorf("%w: %d found in %s", ErrCheckFailed, findings, dockerfileName(spec))
		}
		return nil
	}
	var exit *exec.ExitError
	if ctx.Err() != nil {
		return ctx.Err()
	} else if !errors.As(err, &exit) {
		return err
	}
	return buildkitError(err, tail, steps)
}

// gitContext is the first of a build's contexts, main then additional, that is a
// Git repository as BuildKit tells them from other URLs: an scp-like address, a
// git:// or ssh:// URL, or an HTTP one whose path ends in .git; "" when none is.
func gitContext(spec Spec) string {
	contexts := []string{spec.Context}
	for _, name := range slices.Sorted(maps.Keys(spec.Contexts)) {
		contexts = append(contexts, spec.Contexts[name])
	}
	for _, c := range contexts {
		switch {
		case strings.HasPrefix(c, "git@"), strings.HasPrefix(c, "git://"), strings.HasPrefix(c, "ssh://"):
			return c
		case strings.HasPrefix(c, "http://"), strings.HasPrefix(c, "https://"):
			if u, err := url.Parse(c); err == nil && strings.HasSuffix(u.Path, ".git") {
				return c
			}
		}
	}
	return ""
}

var (
	// #6 [base 3/7] RUN make — a step of a stage, or [internal] work.
	buildkitStep = lazyRegexp(`^#(\d+) (\[[^\]]*\] .*)$`)
	// #6 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2
	buildkitStepError = lazyRegexp(`^#(\d+) ERROR: (.*)$`)
)

// stepName drops the stage and count BuildKit puts before a Dockerfile step
// ("[base 3/7] RUN make" is RUN make); its own work keeps the [internal].
func stepName(vertex string) string {
	if strings.HasPrefix(vertex, "[internal]") {
		return vertex
	}
	_, step, _ := strings.Cut(vertex, "] ")
	return step
}

// buildkitError is a failed buildctl run: the step whose ERROR it printed last,
// and its final "error: …" line as the reason.
func buildkitError(err error, tail []string, steps map[string]string) *Error {
	e := &Error{Err: err, Output: tail}
	for i := len(tail) - 1; i >= 0; i-- {
		if msg, ok := strings.CutPrefix(tail[i], "error: "); ok {
			e.Err = errors.New(strings.TrimPrefix(msg, "failed to solve: "))
			break
		}
	}
	for i := len(tail) - 1; i >= 0; i-- {
		if m := buildkitStepError().FindStringSubmatch(tail[i]); m != nil {
			e.Step = steps[m[1]]
			break
		}
	}
	return e
}

// buildctlArgs is the buildctl command line of one build, after --addr.
func buildctlArgs(spec Spec, dockerfile, archive string) []string {
	args := []string{"build", "--progress", "plain", "--frontend", "dockerfile.v0"}
	opt := func(kv string) { args = append(args, "--opt", kv) }
	switch {
	case !IsRemote(spec.Context):
		args = append(args, "--local", "context="+spec.Context, "--local", "dockerfile="+filepath.Dir(dockerfile))
		opt("filename=" + filepath.Base(dockerfile))
	case dockerfile != "":
		// An inline Dockerfile beside a remote context: the frontend reads it
		// from here, not from the repository.
		args = append(args, "--local", "dockerfile="+filepath.Dir(dockerfile))
		opt("context=" + spec.Context)
		opt("dockerfilekey=dockerfile")
		opt("filename=" + filepath.Base(dockerfile))
	default:
		// The frontend fetches the repository (or file) and reads the
		// Dockerfile in it, relative to the context's subdirectory.
		opt("context=" + spec.Context)
		opt("filename=" + cmp.Or(spec.Dockerfile, "Dockerfile"))
	}
	switch {
	case spec.Check:
		// The frontend's lint subrequest: buildctl prints its findings and builds nothing.
		opt("requestid=frontend.lint")
	case attests(spec) != nil:
		// Attestations ride in an image index, which only the OCI layout holds.
		args = append(args, "--output", csvLine("type=oci", "name="+spec.Name, "dest="+archive))
		for _, a := range attests(spec) {
			opt(a)
		}
	default:
		// The docker format keeps what OCI configs cannot carry, such as HEALTHCHECK.
		args = append(args, "--output", csvLine("type=docker", "name="+spec.Name, "dest="+archive))
	}
	switch spec.Network {
	case "none":
		opt("force-network-mode=none")
	case "host":
		// The buildkitd must allow it (--allow-insecure-entitlement network.host).
		opt("force-network-mode=host")
		args = append(args, "--allow", "network.host")
	}
	if spec.Pull {
		opt("image-resolve-mode=pull")
	}
	if spec.NoCache {
		opt("no-cache=")
	}
	if spec.Target != "" {
		opt("target=" + spec.Target)
	}
	if spec.Platform != "" {
		opt("platform=" + spec.Platform)
	}
	for _, a := range spec.Args {
		if !strings.Contains(a, "=") {
			v, ok := os.LookupEnv(a)
			if !ok {
				continue // as docker: an arg without a value, unset here, is not passed
			}
			a += "=" + v
		}
		opt("build-arg:" + a)
	}
	for _, k := range slices.Sorted(maps.Keys(spec.Labels)) {
		opt("label:" + k + "=" + spec.Labels[k])
	}
	var hosts []string
	for _, h := range spec.ExtraHosts {
		name, ip, _ := strings.Cut(h, ":")
		hosts = append(hosts, name+"="+ip)
	}
	if len(hosts) > 0 {
		opt("add-hosts=" + csvLine(hosts...))
	}
	if len(spec.Ulimits) > 0 {
		opt("ulimit=" + csvLine(spec.Ulimits...))
	}
	if spec.ShmSize > 0 {
		opt(fmt.Sprint("shm-size=", spec.ShmSize))
	}
	for _, s := range spec.Secrets {
		if s.File != "" {
			args = append(args, "--secret", csvLine("id="+s.ID, "src="+s.File))
		} else {
			args = append(args, "--secret", csvLine("id="+s.ID, "env="+s.Env))
		}
	}
	for _, s := range spec.SSH {
		args = append(args, "--ssh", s)
	}
	for _, name := range slices.Sorted(maps.Keys(spec.Contexts)) {
		if c := spec.Contexts[name]; strings.HasPrefix(c, "docker-image://") || IsRemote(c) {
			opt("context:" + name + "=" + c)
		} else {
			args = append(args, "--local", name+"="+c)
			opt("context:" + name + "=local:" + name)
		}
	}
	for i, name := range slices.Sorted(maps.Keys(spec.ImageContexts)) {
		// buildctl offers the layout as a content store the frontend reads by
		// digest; the store's name only has to be a valid reference name.
		store := fmt.Sprintf("context%d", i)
		args = append(args, "--oci-layout", store+"="+spec.ImageContexts[name].Dir)
		opt("context:" + name + "=oci-layout://" + store + "@" + spec.ImageContexts[name].Digest)
	}
	for _, c := range spec.CacheFrom {
		args = append(args, "--import-cache", cacheLine(c))
	}
	for _, c := range spec.CacheTo {
		args = append(args, "--export-cache", cacheLine(c))
	}
	return args
}

// attests are the frontend options of the attestations spec asks for.
func attests(spec Spec) []string {
	var out []string
	for _, a := range Attestations(spec) {
		out = append(out, "attest:"+a.Kind+"="+a.Attrs)
	}
	return out
}

// Attestation is one BuildKit attestation a build adds: its kind and attributes
// ("" for BuildKit's defaults).
type Attestation struct{ Kind, Attrs string }

// Attestations are those of spec: build --provenance and --sbom take "true" for
// BuildKit's defaults, "false" for none, or the attestation's attributes.
func Attestations(spec Spec) []Attestation {
	var out []Attestation
	for _, a := range []Attestation{{"provenance", spec.Provenance}, {"sbom", spec.SBOM}} {
		switch a.Attrs {
		case "", "false":
		case "true":
			out = append(out, Attestation{Kind: a.Kind})
		default:
			out = append(out, a)
		}
	}
	return out
}

// cacheLine is a cache entry as buildctl takes it: type first, then the attributes
// in order.
func cacheLine(c Cache) string {
	fields := []string{"type=" + c.Type}
	for _, k := range slices.Sorted(maps.Keys(c.Attrs)) {
		fields = append(fields, k+"="+c.Attrs[k])
	}
	return csvLine(fields...)
}

// csvLine joins fields with commas, quoting those that hold one, as buildctl and
// the Dockerfile frontend read their key=value lists.
func csvLine(fields ...string) string {
	var sb strings.Builder
	w := csv.NewWriter(&sb)
	_ = w.Write(fields)
	w.Flush()
	return strings.TrimSuffix(sb.String(), "\n")
}
