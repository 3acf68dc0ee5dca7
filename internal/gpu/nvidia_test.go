package gpu

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// fakeDriverHost lays out, under a temp dir, what an NVIDIA driver puts on a host:
// two GPU nodes and the control nodes, versioned libraries with their SONAME links
// in the loader cache (and a 32-bit one and an unrelated one it must skip),
// nvidia-smi on the PATH and the driver's firmware.
func fakeDriverHost(t *testing.T) string {
	root := t.TempDir()
	files := []string{"dev/nvidia0", "dev/nvidia1", "dev/nvidiactl", "dev/nvidia-uvm",
		"lib/x86_64-linux-gnu/libnvidia-ml.so.580.1.2", "lib/x86_64-linux-gnu/libcuda.so.580.1.2",
		"lib/i386-linux-gnu/libcuda.so.580.1.2", "lib/x86_64-linux-gnu/libz.so.1.3",
		"usr/bin/nvidia-smi", "lib/firmware/nvidia/580.1.2/gsp.bin"}
	for _, f := range files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"lib/x86_64-linux-gnu/libnvidia-ml.so.1": "libnvidia-ml.so.580.1.2",
		"lib/x86_64-linux-gnu/libcuda.so.1":      "libcuda.so.580.1.2",
		"lib/i386-linux-gnu/libcuda.so.1":        "libcuda.so.580.1.2",
		"lib/x86_64-linux-gnu/libz.so.1":         "libz.so.1.3",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	cache := BuildLoaderCache([]LibEntry{
		{SONAME: "libnvidia-ml.so.1", Path: "/lib/x86_64-linux-gnu/libnvidia-ml.so.1", Is64: true},
		{SONAME: "libcuda.so.1", Path: "/lib/x86_64-linux-gnu/libcuda.so.1", Is64: true},
		{SONAME: "libcuda.so.1", Path: "/lib/i386-linux-gnu/libcuda.so.1"},
		{SONAME: "libz.so.1", Path: "/lib/x86_64-linux-gnu/libz.so.1", Is64: true},
	})
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/ld.so.cache"), cache, 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestNVIDIASpec(t *testing.T) {
	root := fakeDriverHost(t)
	spec, err := NVIDIASpec(root)
	if err != nil {
		t.Fatal(err)
	}
	var devices []string
	for _, d := range spec.Devices {
		for _, n := range d.ContainerEdits.DeviceNodes {
			devices = append(devices, d.Name+":"+n.Path+"<-"+strings.TrimPrefix(n.HostPath, root))
		}
	}
	if want := []string{"0:/dev/nvidia0<-/dev/nvidia0", "1:/dev/nvidia1<-/dev/nvidia1"}; !slices.Equal(devices, want) {
		t.Errorf("devices %v, want %v", devices, want)
	}
	var common, mounts []string
	for _, n := range spec.ContainerEdits.DeviceNodes {
		common = append(common, n.Path)
	}
	if want := []string{"/dev/nvidiactl", "/dev/nvidia-uvm"}; !slices.Equal(common, want) {
		t.Errorf("control nodes %v, want %v", common, want)
	}
	for _, m := range spec.ContainerEdits.Mounts {
		mounts = append(mounts, m.ContainerPath+"<-"+strings.TrimPrefix(m.HostPath, root))
	}
	want := []string{
		"/usr/local/nvidia/lib64/libnvidia-ml.so.580.1.2<-/lib/x86_64-linux-gnu/libnvidia-ml.so.580.1.2",
		"/usr/local/nvidia/lib64/libnvidia-ml.so.1<-/lib/x86_64-linux-gnu/libnvidia-ml.so.580.1.2",
		"/usr/local/nvidia/lib64/libcuda.so.580.1.2<-/lib/x86_64-linux-gnu/libcuda.so.580.1.2",
		"/usr/local/nvidia/lib64/libcuda.so.1<-/lib/x86_64-linux-gnu/libcuda.so.580.1.2",
		"/usr/local/nvidia/lib64/libcuda.so<-/lib/x86_64-linux-gnu/libcuda.so.580.1.2",
		"/usr/bin/nvidia-smi<-/usr/bin/nvidia-smi",
		"/lib/firmware/nvidia/580.1.2<-/lib/firmware/nvidia/580.1.2",
	}
	if !slices.Equal(mounts, want) {
		t.Errorf("mounts:\n%s\nwant:\n%s", strings.Join(mounts, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Equal(spec.ContainerEdits.Env, []string{"LD_LIBRARY_PATH=/usr/local/nvidia/lib64"}) {
		t.Errorf("env %v", spec.ContainerEdits.Env)
	}
	if len(spec.ContainerEdits.Hooks) > 0 {
		t.Errorf("hooks %v: the spec must work without any", spec.ContainerEdits.Hooks)
	}
}

func TestNoNVIDIAGPU(t *testing.T) {
	if spec, err := NVIDIASpec(t.TempDir()); spec != nil || err != nil {
		t.Fatalf("spec %v, err %v on a host without GPU nodes", spec, err)
	}
	r := NewRegistry(Options{SpecDirs: []string{t.TempDir()}, GeneratedDir: t.TempDir(), HostRoot: t.TempDir()})
	_, err := r.Resolve(svc(func(s *types.ServiceConfig) { s.Gpus = []types.DeviceRequest{{Count: -1}} }))
	if err == nil || !strings.Contains(err.Error(), "no NVIDIA GPU node") {
		t.Fatalf("err = %v", err)
	}
}

// TestGeneratedSpec resolves GPUs on a host with the driver and no CDI spec: berth
// writes its own, says so, and the CDI library reads it.
func TestGeneratedSpec(t *testing.T) {
	gen := t.TempDir()
	var said []string
	r := NewRegistry(Options{SpecDirs: []string{t.TempDir()}, GeneratedDir: gen, HostRoot: fakeDriverHost(t),
		Notify: func(s string) { said = append(said, s) }})
	got, err := r.Resolve(svc(func(s *types.ServiceConfig) { s.Gpus = []types.DeviceRequest{{Count: -1}} }))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"nvidia.com/gpu=0", "nvidia.com/gpu=1"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if len(said) != 1 || !strings.Contains(said[0], filepath.Join(gen, "nvidia.yaml")) {
		t.Errorf("said %q", said)
	}
}

// TestGeneratedSpecInjects injects a generated spec into an OCI spec, with real
// device nodes (copies of /dev/null) in the fake host, as the CDI library reads them.
func TestGeneratedSpecInjects(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mknod needs root")
	}
	root := fakeDriverHost(t)
	for _, n := range []string{"nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm"} {
		p := filepath.Join(root, "dev", n)
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
			t.Fatal(err)
		}
	}
	r := NewRegistry(Options{SpecDirs: []string{t.TempDir()}, GeneratedDir: t.TempDir(), HostRoot: root})
	names, err := r.Resolve(svc(func(s *types.ServiceConfig) { s.Gpus = []types.DeviceRequest{{Count: 1}} }))
	if err != nil {
		t.Fatal(err)
	}
	spec := &specs.Spec{Process: &specs.Process{}, Linux: &specs.Linux{}}
	if err := r.Inject(spec, names); err != nil {
		t.Fatal(err)
	}
	var nodes []string
	for _, d := range spec.Linux.Devices {
		nodes = append(nodes, fmt.Sprintf("%s %s %d:%d", d.Path, d.Type, d.Major, d.Minor))
	}
	if want := []string{"/dev/nvidiactl c 1:3", "/dev/nvidia-uvm c 1:3", "/dev/nvidia0 c 1:3"}; !slices.Equal(nodes, want) {
		t.Errorf("device nodes %v, want %v", nodes, want)
	}
	if !slices.Contains(spec.Process.Env, "LD_LIBRARY_PATH=/usr/local/nvidia/lib64") {
		t.Errorf("env %v", spec.Process.Env)
	}
	if len(spec.Mounts) != 7 || spec.Hooks != nil {
		t.Errorf("mounts %d, hooks %+v", len(spec.Mounts), spec.Hooks)
	}
}
