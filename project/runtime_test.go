package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveRuntime(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"crun", "containerd-shim-kata-v2", "containerd-shim-wasmedge-v1"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
	for _, c := range []struct {
		name string
		want OCIRuntime
		err  string
	}{
		{"", OCIRuntime{Shim: "io.containerd.runc.v2"}, ""},
		{"runc", OCIRuntime{Shim: "io.containerd.runc.v2"}, ""},
		{"nvidia", OCIRuntime{Shim: "io.containerd.runc.v2"}, ""},
		{"crun", OCIRuntime{Shim: "io.containerd.runc.v2", Binary: filepath.Join(dir, "crun")}, ""},
		{"io.containerd.kata.v2", OCIRuntime{Shim: "io.containerd.kata.v2"}, ""},
		{"io.containerd.wasmedge.v1", OCIRuntime{Shim: "io.containerd.wasmedge.v1"}, ""},
		{"io.containerd.runsc.v1", OCIRuntime{}, `"io.containerd.runsc.v1": its shim containerd-shim-runsc-v1 is not on PATH`},
		{"youki", OCIRuntime{}, `"youki": no OCI runtime binary youki on PATH`},
		{"io.containerd.kata", OCIRuntime{}, "is not a containerd runtime name"},
		{"/usr/bin/crun", OCIRuntime{}, "name an OCI runtime binary on PATH"},
	} {
		got, err := ResolveRuntime(c.name)
		if c.err == "" && (err != nil || got != c.want) || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: got %+v, %v; want %+v, %q", c.name, got, err, c.want, c.err)
		}
	}
}
