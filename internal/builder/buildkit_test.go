package builder

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestBuildctlArgs(t *testing.T) {
	t.Setenv("FROM_ENV", "env-value")
	spec := Spec{
		Context: "/src", Name: "docker.io/library/p-web:latest",
		Args: []string{"A=1", "FROM_ENV", "UNSET_HERE_FOR_SURE"}, Target: "final", Labels: map[string]string{"z": "2", "a": "1"},
		Network: "host", ExtraHosts: []string{"db.test:10.0.0.2", "v6.test:::1"},
		Secrets: []Secret{{ID: "s", File: "/run/s"}, {ID: "e", Env: "TOKEN"}}, SSH: []string{"default", "key=/k"},
		ShmSize: 1 << 20, NoCache: true, Pull: true, Ulimits: []string{"nofile=10:20", "nproc=5"},
		Contexts:  map[string]string{"lib": "/src/lib", "base": "docker-image://127.0.0.1:5050/b"},
		CacheFrom: []Cache{{Type: "registry", Attrs: map[string]string{"ref": "r.test/c:web"}}, {Type: "local", Attrs: map[string]string{"src": "/c"}}},
		CacheTo:   []Cache{{Type: "registry", Attrs: map[string]string{"ref": "r.test/c:web", "mode": "max"}}, {Type: "inline", Attrs: map[string]string{}}},
	}
	got := strings.Join(buildctlArgs(spec, "/tmp/df/Dockerfile.web", "/tmp/out/image.tar"), " ")
	want := "build --progress plain --frontend dockerfile.v0 --local context=/src --local dockerfile=/tmp/df --opt filename=Dockerfile.web" +
		" --output type=docker,name=docker.io/library/p-web:latest,dest=/tmp/out/image.tar" +
		" --opt force-network-mode=host --allow network.host --opt image-resolve-mode=pull --opt no-cache= --opt target=final" +
		" --opt build-arg:A=1 --opt build-arg:FROM_ENV=env-value --opt label:a=1 --opt label:z=2" +
		" --opt add-hosts=db.test=10.0.0.2,v6.test=::1 --opt ulimit=nofile=10:20,nproc=5 --opt shm-size=1048576" +
		" --secret id=s,src=/run/s --secret id=e,env=TOKEN --ssh default --ssh key=/k" +
		" --opt context:base=docker-image://127.0.0.1:5050/b --local lib=/src/lib --opt context:lib=local:lib" +
		" --import-cache type=registry,ref=r.test/c:web --import-cache type=local,src=/c" +
		" --export-cache type=registry,mode=max,ref=r.test/c:web --export-cache type=inline"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Remote contexts: the frontend fetches them, the Dockerfile with them unless
	// it is inline; a service's image comes as an OCI layout.
	got = strings.Join(buildctlArgs(Spec{Context: "https://127.0.0.1:1/r.git#main:app", Dockerfile: "web.Dockerfile", Name: "n",
		Contexts:      map[string]string{"git": "git@example.com:o/r.git", "web": "https://example.com/a.tar.gz"},
		ImageContexts: map[string]OCILayout{"base": {Dir: "/tmp/l", Digest: "sha256:ab"}}}, "", "/a.tar"), " ")
	want = "build --progress plain --frontend dockerfile.v0 --opt context=https://127.0.0.1:1/r.git#main:app --opt filename=web.Dockerfile" +
		" --output type=docker,name=n,dest=/a.tar --opt context:git=git@example.com:o/r.git --opt context:web=https://example.com/a.tar.gz" +
		" --oci-layout context0=/tmp/l --opt context:base=oci-layout://context0@sha256:ab"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = strings.Join(buildctlArgs(Spec{Context: "git://127.0.0.1/r.git", DockerfileInline: "FROM x", Name: "n"}, "/tmp/df/Dockerfile", "/a.tar"), " ")
	want = "build --progress plain --frontend dockerfile.v0 --local dockerfile=/tmp/df --opt context=git://127.0.0.1/r.git" +
		" --opt dockerfilekey=dockerfile --opt filename=Dockerfile --output type=docker,name=n,dest=/a.tar"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = strings.Join(buildctlArgs(Spec{Context: "/c", Name: "n", Network: "none"}, "/c/Dockerfile", "/a.tar"), " ")
	want = "build --progress plain --frontend dockerfile.v0 --local context=/c --local dockerfile=/c --opt filename=Dockerfile" +
		" --output type=docker,name=n,dest=/a.tar --opt force-network-mode=none"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestCSVLineQuotes(t *testing.T) {
	if got := csvLine("a=1", "b=x,y", `c="q"`); got != `a=1,"b=x,y","c=""q"""` {
		t.Errorf("got %s", got)
	}
}

func TestBuildkitError(t *testing.T) {
	out := strings.Split(`#5 [2/3] RUN echo about to fail
#5 0.094 about to fail
#5 DONE 0.3s

#6 [base 3/3] RUN echo the builder says this && exit 3
#6 0.051 the builder says this
#6 ERROR: process "/bin/sh -c echo the builder says this && exit 3" did not complete successfully: exit code: 3
------
 > [base 3/3] RUN echo the builder says this && exit 3:
0.051 the builder says this
------
error: failed to solve: process "/bin/sh -c echo the builder says this && exit 3" did not complete successfully: exit code: 3`, "\n")
	steps := map[string]string{}
	for _, line := range out {
		if m := buildkitStep().FindStringSubmatch(line); m != nil {
			steps[m[1]] = stepName(m[2])
		}
	}
	e := buildkitError(errors.New("exit status 1"), out, steps)
	if e.Step != "RUN echo the builder says this && exit 3" {
		t.Errorf("step %q", e.Step)
	}
	if want := `process "/bin/sh -c echo the builder says this && exit 3" did not complete successfully: exit code: 3`; e.Err.Error() != want {
		t.Errorf("err %q", e.Err)
	}
	e = buildkitError(errors.New("exit status 1"), []string{"#2 [internal] load metadata for r.test/x", "#2 ERROR: not found", "error: failed to solve: r.test/x: not found"}, map[string]string{"2": "[internal] load metadata for r.test/x"})
	if e.Step != "[internal] load metadata for r.test/x" || e.Err.Error() != "r.test/x: not found" {
		t.Errorf("internal step: %q, %v", e.Step, e.Err)
	}
}

func TestReachable(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "bk.sock")
	if err := reachable("unix://" + sock); err == nil || !strings.Contains(err.Error(), "no buildkitd answers at unix://"+sock) {
		t.Errorf("nothing listening: %v", err)
	}
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := reachable("unix://" + sock); err != nil {
		t.Errorf("listening: %v", err)
	}
}

func TestFindPicks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"buildctl", "buildah"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
	sock := filepath.Join(dir, "bk.sock")
	var started []string
	own := func(_ context.Context, path string) (string, []string, error) {
		started = append(started, path)
		return "unix://" + filepath.Join(dir, "own.sock"), nil, nil
	}
	t.Setenv("BUILDKIT_HOST", "")
	t.Setenv("BERTH_BUILDER", "")
	if b, err := Find(ctx, own); err != nil || b.(*Buildah).Path != filepath.Join(dir, "buildah") || !strings.Contains(b.(*Buildah).Why, "buildkitd and buildctl are not both on PATH") {
		t.Errorf("no buildkitd installed: got %#v, %v; want buildah saying why", b, err)
	}
	t.Setenv("BERTH_BUILDER", "buildkit")
	if _, err := Find(ctx, own); err == nil || !strings.Contains(err.Error(), "not both on PATH") {
		t.Errorf("BERTH_BUILDER=buildkit, no buildkitd installed: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "buildkitd"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BERTH_BUILDER", "")
	if b, err := Find(ctx, own); err != nil || !b.(*BuildKit).Own || b.(*BuildKit).Host != "unix://"+filepath.Join(dir, "own.sock") ||
		!slices.Equal(started, []string{filepath.Join(dir, "buildkitd")}) {
		t.Errorf("buildkitd installed: got %#v, %v, started %q; want berth's own", b, err, started)
	}
	failing := func(context.Context, string) (string, []string, error) { return "", nil, errors.New("no containerd") }
	if _, err := Find(ctx, failing); err == nil || !strings.Contains(err.Error(), "start berth's buildkitd: no containerd") {
		t.Errorf("berth's buildkitd does not start: %v; want that error, not buildah", err)
	}
	t.Setenv("BUILDKIT_HOST", "unix://"+sock)
	if b, err := Find(ctx, own); err == nil || !strings.Contains(err.Error(), "BUILDKIT_HOST: no buildkitd answers at unix://"+sock) {
		t.Errorf("BUILDKIT_HOST set, no buildkitd: got %#v, %v; want an error naming it", b, err)
	}
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Setenv("BERTH_BUILDER", "buildkit")
	if b, err := Find(ctx, own); err != nil || b.(*BuildKit).Host != "unix://"+sock || b.(*BuildKit).Own {
		t.Errorf("a buildkitd at BUILDKIT_HOST: got %#v, %v; want BuildKit there", b, err)
	}
	t.Setenv("BERTH_BUILDER", "buildah")
	if b, err := Find(ctx, own); err != nil || b.(*Buildah) == nil {
		t.Errorf("BERTH_BUILDER=buildah: %#v, %v", b, err)
	}
	t.Setenv("BERTH_BUILDER", "docker")
	if _, err := Find(ctx, own); err == nil || !strings.Contains(err.Error(), "BERTH_BUILDER=docker") {
		t.Errorf("BERTH_BUILDER=docker: %v", err)
	}
}

func TestCheckBuildahCache(t *testing.T) {
	reg := func(attrs map[string]string) Cache { return Cache{Type: "registry", Attrs: attrs} }
	for _, c := range []struct {
		spec Spec
		err  string
	}{
		{Spec{CacheFrom: []Cache{reg(map[string]string{"ref": "127.0.0.1:5050/cache/web"})}, CacheTo: []Cache{reg(map[string]string{"ref": "127.0.0.1:5050/cache/web"})}}, ""},
		{Spec{CacheTo: []Cache{{Type: "local", Attrs: map[string]string{"dest": "/c"}}}}, "build.cache_to: type=local is not supported by buildah"},
		{Spec{CacheTo: []Cache{{Type: "inline"}}}, "build.cache_to: type=inline is not supported by buildah"},
		{Spec{CacheFrom: []Cache{reg(map[string]string{"ref": "r.test/a"}), reg(map[string]string{"ref": "r.test/b"})}}, "build.cache_from: buildah takes one cache repository, not 2"},
		{Spec{CacheTo: []Cache{reg(map[string]string{"ref": "r.test/a", "mode": "max"})}}, "build.cache_to: mode= is not supported by buildah"},
		{Spec{CacheFrom: []Cache{reg(map[string]string{"ref": "r.test/a:web"})}}, "buildah takes a repository without a tag"},
	} {
		err := checkBuildahCache(c.spec)
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%+v: got %v, want %q", c.spec, err, c.err)
		}
	}
}

// TestBuildctlArgsCheckAndAttest: build --check asks the frontend's lint and
// exports nothing; --provenance and --sbom become attest options, with an OCI
// export, the only one that holds them.
func TestBuildctlArgsCheckAndAttest(t *testing.T) {
	base := "build --progress plain --frontend dockerfile.v0 --local context=/c --local dockerfile=/c --opt filename=Dockerfile"
	for _, c := range []struct {
		spec Spec
		want string
	}{
		{Spec{Check: true}, base + " --opt requestid=frontend.lint"},
		{Spec{Provenance: "true"}, base + " --output type=oci,name=n,dest=/a.tar --opt attest:provenance="},
		{Spec{Provenance: "mode=max", SBOM: "true"}, base + " --output type=oci,name=n,dest=/a.tar --opt attest:provenance=mode=max --opt attest:sbom="},
		{Spec{Provenance: "false", SBOM: "false"}, base + " --output type=docker,name=n,dest=/a.tar"},
	} {
		c.spec.Context, c.spec.Name = "/c", "n"
		if got := strings.Join(buildctlArgs(c.spec, "/c/Dockerfile", "/a.tar"), " "); got != c.want {
			t.Errorf("%+v:\ngot  %s\nwant %s", c.spec, got, c.want)
		}
	}
}

func TestGitContext(t *testing.T) {
	for _, c := range []struct {
		spec Spec
		want string
	}{
		{Spec{Context: "/src"}, ""},
		{Spec{Context: "https://example.com/archive.tar.gz"}, ""},
		{Spec{Context: "https://127.0.0.1:1/r.git#v1:app"}, "https://127.0.0.1:1/r.git#v1:app"},
		{Spec{Context: "/src", Contexts: map[string]string{"b": "git@example.com:o/r.git", "a": "docker-image://x"}}, "git@example.com:o/r.git"},
		{Spec{Context: "git://127.0.0.1/r.git"}, "git://127.0.0.1/r.git"},
	} {
		if got := gitContext(c.spec); got != c.want {
			t.Errorf("%+v: %q, want %q", c.spec, got, c.want)
		}
	}
}

// A Git context with berth's buildkitd and no git on this host is refused by
// name before buildctl runs.
func TestGitContextNeedsGit(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	b := &BuildKit{Buildctl: "/nonexistent/buildctl", Own: true}
	err := b.Build(context.Background(), Spec{Context: "https://127.0.0.1:1/r.git#v1", Name: "n"}, filepath.Join(t.TempDir(), "a.tar"), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "build context https://127.0.0.1:1/r.git#v1: a Git repository, which berth's buildkitd fetches with git, and git is not installed here") {
		t.Errorf("got %v", err)
	}
}
