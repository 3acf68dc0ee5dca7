package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// corpusFeature is one Dockerfile feature of testdata/TestDockerfileCorpus/<name>:
// what running its service prints, and what buildah makes of it.
type corpusFeature struct {
	name string
	want string // the service's output ("" for healthcheck: checked by ps)
	// buildahRefuses is the refusal a build with buildah must print; "" when
	// buildah builds the feature like BuildKit.
	buildahRefuses string
	suffix         bool   // the output ends with want
	buildKitSays   string // a line BuildKit's build prints
}

var dockerfileCorpus = []corpusFeature{
	{name: "heredoc", want: "first\nsecond\nhello from a heredoc", buildahRefuses: "Dockerfile:2: heredocs (<<) are not supported by buildah"},
	// buildah's cache mounts outlive its store: earlier runs' lines may come first.
	{name: "cache", want: "first", suffix: true},
	{name: "secret", want: "seen: s3cr3t-value\nls: /run/secrets: No such file or directory"},
	{name: "bind", want: "bound from the context"},
	{name: "tmpfs", want: "tmpfs\nls: /scratch: No such file or directory"},
	{name: "target", want: "base\ndev"},
	{name: "copy-link", want: "copied with --link", buildahRefuses: "Dockerfile:2: COPY --link is not supported by buildah"},
	{name: "chmod", want: "751\nscript ran"},
	{name: "chown", want: "1234:5678"},
	{name: "arg-before-from", want: "from 127.0.0.1:5050/berth/busybox"},
	{name: "onbuild", want: "triggered"},
	{name: "dockerignore", want: "Dockerfile\ncompose.yaml\nkept.txt"},
	{name: "dockerfile-dockerignore", want: "app.Dockerfile\napp.Dockerfile.dockerignore\ncompose.yaml\nkept.txt"},
	{name: "additional-context", want: "from the extra context"},
	{name: "healthcheck"},
	// docker/dockerfile:1 is read by BuildKit's built-in frontend, with no pull
	// from Docker Hub; buildah reads that language itself; another frontend it
	// refuses (see TestCheckBuildah), and BuildKit pulls (TestBuildSyntaxFrontend).
	{name: "syntax", want: "syntax", buildKitSays: "note: # syntax=docker/dockerfile:1: read by BuildKit's built-in Dockerfile frontend, not pulled"},
}

// TestDockerfileCorpus builds one Dockerfile per feature real projects use, as a
// fresh machine does: with BuildKit, from the buildkitd berth starts itself; and
// runs each image to check what the feature made.
func TestDockerfileCorpus(t *testing.T) {
	// The first feature's scenario starts berth's buildkitd, so that it is there
	// before and after each of the others (their leak checks see no change).
	first := dockerfileCorpus[0]
	s := newScenarioIn(t, filepath.Join("testdata", t.Name(), first.name))
	useOwnBuildkitd(t, s)
	checkCorpusFeature(t, s, first, "with BuildKit (berth's buildkitd)")
	pid := ownBuildkitdPid()
	if pid == 0 {
		t.Fatal("berth's buildkitd does not run after a build")
	}
	for _, f := range dockerfileCorpus[1:] {
		t.Run(f.name, func(t *testing.T) {
			fs := newScenarioIn(t, filepath.Join("testdata", "TestDockerfileCorpus", f.name))
			fs.env = s.env
			checkCorpusFeature(t, fs, f, "with BuildKit (berth's buildkitd)")
		})
	}
	if now := ownBuildkitdPid(); now != pid {
		t.Errorf("berth's buildkitd was started again (pid %d, then %d): it is kept running", pid, now)
	}
	// A cache mount keeps its content from one build to the next.
	t.Run("cache-kept", func(t *testing.T) {
		cs := newScenarioIn(t, filepath.Join("testdata", "TestDockerfileCorpus", "cache"))
		cs.env = s.env
		cs.must("build", "--build-arg", "RUN_ID=second")
		if out := strings.TrimSpace(cs.must("run", "--rm", "app")); out != "first\nsecond" {
			t.Errorf("the cache mount after a second build holds %q, want first and second", out)
		}
	})
}

// TestDockerfileCorpusBuildah builds the same corpus with buildah: what it
// supports is built and checked as BuildKit's is, and what it does not is refused
// naming the line and the builder.
func TestDockerfileCorpusBuildah(t *testing.T) {
	for _, f := range dockerfileCorpus {
		t.Run(f.name, func(t *testing.T) {
			s := newScenarioIn(t, filepath.Join("testdata", "TestDockerfileCorpus", f.name))
			if f.buildahRefuses != "" {
				r := s.berth("build")
				if r.code == 0 || !strings.Contains(r.stderr, f.buildahRefuses) {
					t.Fatalf("buildah build: exit %d, want a refusal with %q:\n%s", r.code, f.buildahRefuses, r.stderr)
				}
				if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "the builder's last lines") {
					t.Errorf("the refusal came from buildah, not before it:\n%s", r.stderr)
				}
				return
			}
			checkCorpusFeature(t, s, f, "with buildah")
		})
	}
}

// checkCorpusFeature builds the feature's service with the builder the scenario's
// environment picks, checks the build's first line names it, and runs the image.
func checkCorpusFeature(t *testing.T, s *scenario, f corpusFeature, builder string) {
	t.Helper()
	start := time.Now()
	r := s.berth("build")
	if r.code != 0 {
		t.Fatalf("build: exit %d\n%s", r.code, r.stderr)
	}
	t.Logf("%s built in %s", f.name, time.Since(start).Round(time.Millisecond))
	if !strings.Contains(r.stderr, builder) {
		t.Errorf("the build does not say it builds %s:\n%s", builder, r.stderr)
	}
	if says := f.buildKitSays; says != "" && strings.Contains(builder, "BuildKit") && !strings.Contains(r.stderr, says) {
		t.Errorf("the build does not say %q:\n%s", says, r.stderr)
	}
	if f.name == "healthcheck" {
		s.must("up", "-d", "--wait")
		if out := s.must("ps", "app"); !strings.Contains(out, "(healthy)") {
			t.Errorf("the image's HEALTHCHECK does not make the service healthy:\n%s", out)
		}
		return
	}
	out := s.berth("run", "--rm", "app")
	got := strings.TrimSpace(out.stdout + out.stderr)
	if got != f.want && !(f.suffix && strings.HasSuffix(got, "\n"+f.want)) {
		t.Errorf("the built image prints %q, want %q", got, f.want)
	}
}
