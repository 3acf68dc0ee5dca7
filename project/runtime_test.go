package project

import (
	"context"
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
	// Not a hybrid cgroup layout, whatever this host's is (TestRuntime checks
	// crun's refusal on a hybrid host).
	defer func(root string) { cgroupRoot = root }(cgroupRoot)
	cgroupRoot = dir
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

// TestWasmPlatform: platform wasi/wasm goes with a wasm runtime whose shim the
// host has, and is refused by name otherwise.
func TestWasmPlatform(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "containerd-shim-wasmtime-v1"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	for _, c := range []struct{ service, err string }{
		{"{image: x, platform: wasi/wasm, runtime: io.containerd.wasmtime.v1}", ""},
		{"{image: x, runtime: io.containerd.wasmtime.v1}", ""},
		{"{image: x, platform: wasi/wasm}", `service "a": field "platform": "wasi/wasm" needs a wasm runtime in field "runtime": io.containerd.wasmedge.v1, io.containerd.wasmtime.v1, io.containerd.spin.v2`},
		{"{image: x, platform: wasi/wasm, runtime: crun}", `"wasi/wasm" needs a wasm runtime`},
		{"{image: x, platform: wasi/wasm, runtime: io.containerd.wasmedge.v1}", `service "a": field "runtime": "io.containerd.wasmedge.v1": its shim containerd-shim-wasmedge-v1 is not on PATH`},
	} {
		_, err := Load(context.Background(), Options{WorkingDir: writeProject(t, "services:\n  a: "+c.service+"\n")})
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: %v, want %q", c.service, err, c.err)
		}
	}
	if !IsWasmRuntime("io.containerd.spin.v2") || IsWasmRuntime("io.containerd.runc.v2") || IsWasmRuntime("wasmedge") {
		t.Error("IsWasmRuntime: spin.v2 is one; runc.v2 and a bare name are not")
	}
}
