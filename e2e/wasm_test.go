package e2e

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// wasmtimeShim is where the test puts its stand-in for wasmtime's shim: a
// directory on containerd's PATH (containerd starts a runtime's shim by name) and
// on berth's.
const wasmtimeShim = "/usr/local/bin/containerd-shim-wasmtime-v1"

// TestWasmRuntime runs a wasi/wasm image on a wasm runtime, pulled and built for
// that platform, and refuses, naming
// what is missing, platform: wasi/wasm without a wasm runtime and a wasm runtime
// whose shim the host lacks.
//
// No wasm shim is packaged for this host (runwasi's are not in Debian), so a test
// shim stands in for containerd-shim-wasmtime-v1: runc's shim under that name,
// which runs the image's busybox. What is tested is berth's part: the wasi/wasm
// image pulled and unpacked for its platform, and the container handed to the shim
// its runtime names.
func TestWasmRuntime(t *testing.T) {
	s := newBuildScenarioOf(t, t.Name()) // for its down --rmi all
	r := s.berth("-f", "refused.yaml", "up", "-d")
	for _, want := range []string{
		`service "noruntime": field "platform": "wasi/wasm" needs a wasm runtime in field "runtime": io.containerd.wasmedge.v1`,
		`service "noshim": field "runtime": "io.containerd.wasmedge.v1": its shim containerd-shim-wasmedge-v1 is not on PATH`,
	} {
		if _, err := exec.LookPath("containerd-shim-wasmedge-v1"); err == nil && strings.Contains(want, "noshim") {
			continue // this host has wasmedge's shim
		}
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("up of refused.yaml: exit %d, want %q:\n%s", r.code, want, r.stderr)
		}
	}
	if out := s.berth("-f", "refused.yaml", "ps", "-a", "-q").stdout; out != "" {
		t.Errorf("the refused services have containers: %q", out)
	}

	runcShim, err := exec.LookPath("containerd-shim-runc-v2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(wasmtimeShim); errors.Is(err, fs.ErrNotExist) {
		if err := os.Symlink(runcShim, wasmtimeShim); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(wasmtimeShim) })
	}
	pushWasiIndex(t, "berth-e2e/wasi-busybox:test")
	t.Cleanup(func() { deleteFromRegistry(t, "berth-e2e/wasi-busybox", "test") })
	useOwnBuildkitd(t, s)
	s.must("up", "-d")
	for service, want := range map[string]string{"app": "ran on the wasm platform", "built": "built ran on the wasm-built platform"} {
		eventually(t, 20*time.Second, service+"'s output", func() error {
			if out := s.must("logs", service); !strings.Contains(out, want) {
				return errors.New("logs: " + out)
			}
			return nil
		})
	}
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	built, err := c.GetImage(context.Background(), "docker.io/library/"+s.project+"-built:latest")
	if err != nil {
		t.Fatal(err)
	}
	if ps, err := images.Platforms(context.Background(), c.ContentStore(), built.Target()); err != nil || len(ps) != 1 || ps[0].OS != "wasi" || ps[0].Architecture != "wasm" {
		t.Errorf("the built image is for %v (%v), want wasi/wasm", ps, err)
	}
	for _, name := range []string{"app", "built"} {
		ct, err := c.LoadContainer(context.Background(), s.ids()[s.project+"-"+name+"-1"])
		if err != nil {
			t.Fatal(err)
		}
		info, err := ct.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if info.Runtime.Name != "io.containerd.wasmtime.v1" {
			t.Errorf("%s's container runtime is %s, want io.containerd.wasmtime.v1", name, info.Runtime.Name)
		}
	}
}

// pushWasiIndex pushes to the test registry, as repo:tag, an image index of two
// platforms, as wasm images often come: the host's, busybox itself, and wasi/wasm,
// busybox with RUNS_ON=wasm in its environment.
func pushWasiIndex(t *testing.T, repoTag string) {
	t.Helper()
	wasi := busyboxVariant(t, func(cf *v1.ConfigFile) {
		cf.OS, cf.Architecture = "wasi", "wasm"
		cf.Config.Env = append(cf.Config.Env, "RUNS_ON=wasm")
	})
	host := busyboxVariant(t, func(*v1.ConfigFile) {})
	index := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: host, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: runtime.GOARCH}}},
		mutate.IndexAddendum{Add: wasi, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "wasi", Architecture: "wasm"}}})
	dst, err := name.ParseReference(registry+"/"+repoTag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(dst, index); err != nil {
		t.Fatal(err)
	}
}
