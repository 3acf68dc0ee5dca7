package builder

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestBaseRegistries(t *testing.T) {
	for _, c := range []struct {
		name, dockerfile string
		args             []string
		want             []string
	}{
		{"plain", "FROM 127.0.0.1:5050/berth/python:3\nCOPY . /app\n", nil, []string{"127.0.0.1:5050"}},
		{"docker hub", "from debian:bookworm", nil, []string{"docker.io"}},
		{"stages and scratch", `
# a comment
FROM --platform=linux/amd64 localhost:5000/base AS build
RUN make
FROM build AS test
FROM scratch
COPY --from=build /out /out
`, nil, []string{"localhost:5000"}},
		{"args", "ARG REG=docker.io\nARG TAG\nFROM ${REG}/library/x:${TAG:-1}\n", []string{"REG=127.0.0.1:5050"}, []string{"127.0.0.1:5050"}},
		{"continuation", "FROM \\\n  127.0.0.1:5050/b \\\n  AS one\nFROM one\n", nil, []string{"127.0.0.1:5050"}},
		{"copy and mount from images", `
FROM 127.0.0.1:5050/b AS build
FROM scratch
COPY --from=build /out /out
COPY --from=0 /out /out
COPY --chown=1 --from=mirror.test/tools:1 /bin/tool /bin/
RUN --mount=type=bind,from=localhost:5000/cache,target=/c --mount=type=cache,target=/x true
`, nil, []string{"127.0.0.1:5050", "mirror.test", "localhost:5000"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := baseRegistries(c.dockerfile, c.args); !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestBudArgs(t *testing.T) {
	spec := Spec{
		Context: "/src", Name: "docker.io/library/p-web:latest",
		Args: []string{"A=1", "B"}, Target: "final", Labels: map[string]string{"z": "2", "a": "1"},
		ExtraHosts: []string{"db.test:10.0.0.2"}, Secrets: []Secret{{ID: "s", File: "/run/s"}, {ID: "e", Env: "TOKEN"}},
		ShmSize: 1 << 20, NoCache: true, Pull: true,
		Contexts: map[string]string{"lib": "/src/lib", "base": "docker-image://127.0.0.1:5050/b"}, Ulimits: []string{"nofile=10:20"},
		CacheFrom: []Cache{{Type: "registry", Attrs: map[string]string{"ref": "127.0.0.1:5050/cache/web"}}},
		CacheTo:   []Cache{{Type: "registry", Attrs: map[string]string{"ref": "127.0.0.1:5050/cache/web"}}},
	}
	got := strings.Join(budArgs(spec, "/src/Dockerfile", "/usr/sbin/runc"), " ")
	want := "bud --format docker --layers --force-rm -f /src/Dockerfile -t docker.io/library/p-web:latest --isolation oci --network host --runtime /usr/sbin/runc" +
		" --pull=always --no-cache --target final --build-arg A=1 --build-arg B" +
		" --label a=1 --label z=2 --add-host db.test:10.0.0.2 --secret id=s,src=/run/s --secret id=e,env=TOKEN" +
		" --build-context base=docker-image://127.0.0.1:5050/b --build-context lib=/src/lib --cache-from 127.0.0.1:5050/cache/web --cache-to 127.0.0.1:5050/cache/web --ulimit nofile=10:20 --shm-size 1048576 /src"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = strings.Join(budArgs(Spec{Context: "/c", Name: "n"}, "/c/Dockerfile", "/usr/sbin/runc"), " ")
	if want := "bud --format docker --layers --force-rm -f /c/Dockerfile -t n --isolation chroot --pull=false /c"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	got = strings.Join(budArgs(Spec{Context: "/c", Name: "n", Network: "none"}, "/c/Dockerfile", ""), " ")
	if want := "bud --format docker --layers --force-rm -f /c/Dockerfile -t n --isolation oci --network none --pull=false /c"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestDockerfilePath(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := dockerfilePath(Spec{Context: dir}); err == nil || !strings.Contains(err.Error(), "Dockerfile") {
		t.Errorf("a missing Dockerfile: got %v", err)
	}
	if _, _, err := dockerfilePath(Spec{Context: dir + "/nope"}); err == nil || !strings.Contains(err.Error(), "build context") {
		t.Errorf("a missing context: got %v", err)
	}
	path, cleanup, err := dockerfilePath(Spec{Context: dir, DockerfileInline: "FROM scratch\n"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(path, "/Dockerfile") || strings.HasPrefix(path, dir) {
		t.Errorf("inline Dockerfile at %s", path)
	}
	cleanup()
}

func TestFindWithoutBuilder(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("BUILDKIT_HOST", "")
	t.Setenv("BERTH_BUILDER", "")
	if _, err := Find(context.Background(), nil); !errors.Is(err, ErrNoBuilder) || !strings.Contains(err.Error(), "install buildah") {
		t.Errorf("no buildah on PATH: %v", err)
	}
}

func TestContextRegistries(t *testing.T) {
	got := contextRegistries(map[string]string{"a": "/dir", "b": "docker-image://127.0.0.1:5050/x:1"})
	if !slices.Equal(got, []string{"127.0.0.1:5050"}) {
		t.Errorf("got %q", got)
	}
}

func TestSyntaxRegistries(t *testing.T) {
	for text, want := range map[string]string{
		"# syntax=docker/dockerfile:1\nFROM x\n":              "docker.io",
		"#escape=`\n# Syntax = 127.0.0.1:5050/fe:1\nFROM x\n": "127.0.0.1:5050",
		"FROM x\n# syntax=127.0.0.1:5050/fe:1\n":              "",
		"# syntax=frontend.test/fe@sha256:" + hex64 + "\n":    "frontend.test",
		"# a comment\n# syntax=frontend.test/fe:1\n":          "",
	} {
		if got := strings.Join(syntaxRegistries(text), ","); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestBuiltinSyntax(t *testing.T) {
	for text, want := range map[string]string{
		"# syntax=docker/dockerfile:1\nFROM x\n":              "docker/dockerfile:1",
		"# syntax = docker.io/docker/dockerfile:1.7.1\n":      "docker.io/docker/dockerfile:1.7.1",
		"# syntax=docker/dockerfile:1-labs\n":                 "",
		"# syntax=docker/dockerfile-upstream:1\n":             "",
		"# syntax=docker/dockerfile:1@sha256:" + hex64 + "\n": "",
		"# syntax=docker/dockerfile\n":                        "",
		"# syntax=127.0.0.1:5050/docker/dockerfile:1\n":       "",
		"FROM x\n": "",
	} {
		if got := builtinSyntax(text); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}
