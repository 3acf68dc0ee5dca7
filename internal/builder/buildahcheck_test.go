package builder

import (
	"strings"
	"testing"
)

func TestCheckBuildah(t *testing.T) {
	for _, c := range []struct {
		dockerfile, err string
	}{
		{"FROM busybox\nRUN --mount=type=cache,target=/c --mount=type=secret,id=t true\nCOPY --chown=1:1 --chmod=755 a /a\n", ""},
		{"# syntax=docker/dockerfile:1.7\nFROM busybox\nRUN --mount=type=ssh true\n", ""},
		{"FROM busybox AS b\nRUN echo a \\\n  && cat <<EOF\nhi\nEOF\n", "Dockerfile:2: heredocs (<<) are not supported by buildah"},
		{"FROM busybox\nCOPY <<-\"EOF\" /f\nhi\nEOF\n", "Dockerfile:2: heredocs (<<) are"},
		{"FROM busybox\n\nCOPY --link a /a\n", "Dockerfile:3: COPY --link is not supported by buildah"},
		{"FROM busybox\nRUN --network=none true\n", "Dockerfile:2: RUN --network is"},
		{"FROM busybox\nRUN --mount=type=weird,target=/x true\n", "Dockerfile:2: RUN --mount=type=weird is"},
		{"# syntax = example.com/my/frontend:2\nFROM busybox\n", "Dockerfile:1: # syntax=example.com/my/frontend:2 (a frontend image) is not supported by buildah"},
		{"FROM busybox\n# syntax=example.com/not/a/directive\n", ""},
		{"FROM --platform=linux/amd64 busybox\nRUN echo '<<not a heredoc'\n", ""},
	} {
		err := checkBuildah("Dockerfile", c.dockerfile)
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: got %v, want %q", c.dockerfile, err, c.err)
		}
	}
}
