package project

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// defaultShim is the containerd runtime berth runs containers with.
const defaultShim = "io.containerd.runc.v2"

// OCIRuntime is how containerd runs a service's containers, from its runtime:
// field.
type OCIRuntime struct {
	Shim string // containerd's runtime name: io.containerd.runc.v2, io.containerd.kata.v2 …
	// Binary is the OCI runtime runc's shim runs instead of runc (crun, runsc …),
	// an absolute path; "" for runc itself or another shim.
	Binary string
}

// ResolveRuntime maps a runtime: field to containerd's runtime, as the host has
// it: a containerd runtime name (io.containerd.<name>.<version>) needs its shim,
// containerd-shim-<name>-<version>, on PATH; any other name is an OCI runtime
// binary on PATH (crun, runsc, youki) that runc's shim runs in runc's stead, as
// dockerd's runtimes do. runc and "" are berth's default. nvidia is not resolved
// here: it asks for GPUs, which the GPU support maps.
func ResolveRuntime(name string) (OCIRuntime, error) {
	switch name {
	case "", "runc", defaultShim, "nvidia":
		return OCIRuntime{Shim: defaultShim}, nil
	}
	if rest, ok := strings.CutPrefix(name, "io.containerd."); ok {
		shim, version, found := cutLast(rest, ".")
		if !found || shim == "" || version == "" {
			return OCIRuntime{}, fmt.Errorf("%q is not a containerd runtime name: use io.containerd.<name>.<version> or an OCI runtime binary such as crun", name)
		}
		bin := "containerd-shim-" + strings.ReplaceAll(shim, ".", "-") + "-" + version
		if _, err := exec.LookPath(bin); err != nil {
			return OCIRuntime{}, fmt.Errorf("%q: its shim %s is not on PATH", name, bin)
		}
		return OCIRuntime{Shim: name}, nil
	}
	if strings.ContainsAny(name, "/ ") {
		return OCIRuntime{}, fmt.Errorf("%q: name an OCI runtime binary on PATH (crun, runsc) or a containerd runtime (io.containerd.<name>.<version>)", name)
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return OCIRuntime{}, fmt.Errorf("%q: no OCI runtime binary %s on PATH", name, name)
	}
	if filepath.Base(path) == "crun" && hybridCgroups(cgroupRoot) {
		return OCIRuntime{}, fmt.Errorf("%q: crun cannot run containers on this host: its cgroups are in hybrid mode "+
			"(v1 at %s, with controllers in the v2 hierarchy at %s/unified), which crun refuses: use runc, or a host with cgroup v2 only",
			name, cgroupRoot, cgroupRoot)
	}
	return OCIRuntime{Shim: defaultShim, Binary: path}, nil
}

// cgroupRoot is where the host mounts its cgroups.
var cgroupRoot = "/sys/fs/cgroup"

// hybridCgroups says whether the host's cgroups under root are in the hybrid
// layout crun cannot start a container in ("cgroups in hybrid mode not supported,
// drop all controllers from cgroupv2"): v1 hierarchies under a tmpfs, and a v2
// hierarchy at unified/ with controllers in it. Checked before anything is made,
// so that the refusal is one line rather than a failed start.
func hybridCgroups(root string) bool {
	const tmpfsMagic, cgroup2Magic = 0x01021994, 0x63677270
	var st syscall.Statfs_t
	if syscall.Statfs(root, &st) != nil || st.Type != tmpfsMagic {
		return false
	}
	unified := filepath.Join(root, "unified")
	if syscall.Statfs(unified, &st) != nil || st.Type != cgroup2Magic {
		return false
	}
	controllers, err := os.ReadFile(filepath.Join(unified, "cgroup.controllers"))
	return err == nil && strings.TrimSpace(string(controllers)) != ""
}

// wasmShims are the containerd shims that run WebAssembly (runwasi's and those
// built on it): io.containerd.<name>.<version> names one of them.
var wasmShims = []string{"wasmedge", "wasmtime", "wasmer", "spin", "slight", "wws", "lunatic"}

// wasmRuntimeExamples are what a refusal offers for platform: wasi/wasm.
var wasmRuntimeExamples = []string{"io.containerd.wasmedge.v1", "io.containerd.wasmtime.v1", "io.containerd.spin.v2"}

// IsWasmRuntime says whether a runtime: field names a containerd shim that runs
// WebAssembly, such as io.containerd.wasmedge.v1.
func IsWasmRuntime(name string) bool {
	rest, ok := strings.CutPrefix(name, "io.containerd.")
	if !ok {
		return false
	}
	shim, _, found := cutLast(rest, ".")
	return found && slices.Contains(wasmShims, shim)
}

// cutLast splits s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
