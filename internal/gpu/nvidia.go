package gpu

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"sigs.k8s.io/yaml"
	"tags.cncf.io/container-device-interface/pkg/cdi"
	cdispec "tags.cncf.io/container-device-interface/specs-go"
)

// berth makes the NVIDIA spec itself, from the files the driver puts on the host,
// instead of using NVIDIA's Go modules (nvidia-container-toolkit's pkg/nvcdi and
// go-nvlib): those find the devices through NVML, which go-nvml reaches with cgo
// and dlopen, neither of which a static berth has. And the spec must work without
// hooks or an ldconfig in the image, which the toolkit's specs rely on: here the
// libraries are mounted into one directory under both their file and SONAME names
// and LD_LIBRARY_PATH points there. For the same reason berth does not run
// nvidia-ctk even where it is installed: its specs' hooks need nvidia-cdi-hook on
// the host and an ldconfig in the image.

// NVIDIALibDir is where the driver's libraries appear inside a container.
const NVIDIALibDir = "/usr/local/nvidia/lib64"

// nvidiaControlNodes are the driver's device nodes every GPU needs.
var nvidiaControlNodes = []string{"nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset"}

// nvidiaLibraries are the driver's user-space libraries, by SONAME prefix: the
// compute and utility ones (NVML for nvidia-smi, CUDA, the PTX JIT, NVVM, OpenCL).
var nvidiaLibraries = []string{
	"libnvidia-ml.so", "libcuda.so", "libcudadebugger.so", "libnvidia-ptxjitcompiler.so",
	"libnvidia-nvvm.so", "libnvidia-opencl.so", "libnvidia-gpucomp.so", "libnvidia-allocator.so",
	"libnvidia-cfg.so", "libnvidia-pkcs11.so", "libnvidia-pkcs11-openssl3.so", "libnvidia-nscq.so",
}

// nvidiaBinaries are the driver's programs, found on the host's PATH.
var nvidiaBinaries = []string{"nvidia-smi", "nvidia-debugdump", "nvidia-persistenced", "nvidia-cuda-mps-control", "nvidia-cuda-mps-server"}

// hostPATH is where the driver's programs are looked for.
var hostPATH = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

var gpuNode = regexp.MustCompile(`^nvidia([0-9]+)$`)

// NVIDIASpec builds a CDI spec of kind nvidia.com/gpu from the NVIDIA driver files
// under root (a host's "/", or a fake one in tests): one device per /dev/nvidiaN,
// named N; the control nodes, libraries, programs and firmware for all. It returns
// nil when root has no GPU node.
func NVIDIASpec(root string) (*cdispec.Spec, error) {
	spec := &cdispec.Spec{Kind: DefaultKind}
	entries, err := os.ReadDir(filepath.Join(root, "dev"))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	var indices []int
	for _, e := range entries {
		if m := gpuNode.FindStringSubmatch(e.Name()); m != nil {
			var n int
			fmt.Sscan(m[1], &n)
			indices = append(indices, n)
		}
	}
	if len(indices) == 0 {
		return nil, nil
	}
	sort.Ints(indices)
	for _, n := range indices {
		path := fmt.Sprintf("/dev/nvidia%d", n)
		spec.Devices = append(spec.Devices, cdispec.Device{Name: fmt.Sprint(n), ContainerEdits: cdispec.ContainerEdits{
			DeviceNodes: []*cdispec.DeviceNode{{Path: path, HostPath: filepath.Join(root, path)}},
		}})
	}
	edits := &spec.ContainerEdits
	for _, name := range nvidiaControlNodes {
		path := "/dev/" + name
		if _, err := os.Stat(filepath.Join(root, path)); err == nil {
			edits.DeviceNodes = append(edits.DeviceNodes, &cdispec.DeviceNode{Path: path, HostPath: filepath.Join(root, path)})
		}
	}
	libs, version, err := nvidiaLibs(root)
	if err != nil {
		return nil, err
	}
	edits.Mounts = append(edits.Mounts, libs...)
	if len(libs) > 0 {
		edits.Env = append(edits.Env, "LD_LIBRARY_PATH="+NVIDIALibDir)
	}
	for _, name := range nvidiaBinaries {
		for _, dir := range hostPATH {
			host := filepath.Join(dir, name)
			if real, err := securejoin.SecureJoin(root, host); err == nil && isFile(real) {
				edits.Mounts = append(edits.Mounts, roMount(real, "/usr/bin/"+name))
				break
			}
		}
	}
	if version != "" {
		fw := "/lib/firmware/nvidia/" + version
		if st, err := os.Stat(filepath.Join(root, fw)); err == nil && st.IsDir() {
			edits.Mounts = append(edits.Mounts, roMount(filepath.Join(root, fw), fw))
		}
	}
	spec.Version, err = cdispec.MinimumRequiredVersion(spec)
	if err != nil {
		return nil, err
	}
	return spec, nil
}

// nvidiaLibs are the mounts of the driver's libraries the loader cache under root
// lists, each under its file name and its SONAME in NVIDIALibDir (the links the
// toolkit's hooks would make), and the driver version the file names carry.
func nvidiaLibs(root string) ([]*cdispec.Mount, string, error) {
	data, err := os.ReadFile(filepath.Join(root, "etc/ld.so.cache"))
	if os.IsNotExist(err) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	entries, err := ParseLoaderCache(data)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", filepath.Join(root, "etc/ld.so.cache"), err)
	}
	var mounts []*cdispec.Mount
	var version string
	seen := map[string]bool{}
	for _, e := range entries {
		if !e.Is64 || !slices.ContainsFunc(nvidiaLibraries, func(p string) bool { return strings.HasPrefix(e.SONAME, p) }) {
			continue
		}
		real, err := securejoin.SecureJoin(root, e.Path) // the versioned file its links lead to
		if err != nil || !isFile(real) {
			continue
		}
		file := filepath.Base(real)
		if version == "" && strings.HasPrefix(file, "libnvidia-ml.so.") {
			version = strings.TrimPrefix(file, "libnvidia-ml.so.")
		}
		names := []string{file, e.SONAME}
		if strings.HasPrefix(e.SONAME, "libcuda.so") {
			names = append(names, "libcuda.so") // what programs built against CUDA dlopen
		}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				mounts = append(mounts, roMount(real, NVIDIALibDir+"/"+n))
			}
		}
	}
	return mounts, version, nil
}

func roMount(host, container string) *cdispec.Mount {
	return &cdispec.Mount{HostPath: host, ContainerPath: container, Options: []string{"ro", "nosuid", "nodev", "bind"}}
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// generateNVIDIA writes the spec NVIDIASpec makes into the generated directory and
// reads it, when the host has NVIDIA GPUs and no spec names them. It is made anew
// by each process that needs it, so a driver upgraded since is what it describes.
func (r *Registry) generateNVIDIA() error {
	if r.o.GeneratedDir == "" {
		return nil
	}
	spec, err := NVIDIASpec(r.o.HostRoot)
	if err != nil {
		return fmt.Errorf("NVIDIA devices: %w", err)
	}
	if spec == nil {
		return nil
	}
	data, err := yaml.Marshal(spec)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(r.o.GeneratedDir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(r.o.GeneratedDir, "nvidia.yaml")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if err := r.load().Configure(cdi.WithSpecDirs(append(slices.Clone(r.o.SpecDirs), r.o.GeneratedDir)...)); err != nil {
		return err
	}
	if r.o.Notify != nil {
		r.o.Notify(fmt.Sprintf("berth: no CDI spec names %s: wrote %s for the host's driver (%d GPUs, %d mounts)", DefaultKind, path, len(spec.Devices), len(spec.ContainerEdits.Mounts)))
	}
	return nil
}
