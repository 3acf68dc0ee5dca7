package containerd

import (
	"debug/elf"
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// hostLibraries are the host's directories (and the loader's cache) that a dynamic
// berth needs to run in the agent's otherwise empty root: its interpreter and the C
// libraries it links live under them on every layout (merged /usr or not).
var hostLibraries = []string{"/usr", "/lib", "/lib64", "/lib32", "/libx32", "/etc/ld.so.cache"}

// agentLibraryMounts gives the read-only mounts the agent needs to run binary: none
// for a static binary, the host's library directories for a dynamic one (built
// with cgo, as `go build` does where a C compiler exists), whose interpreter would
// otherwise be missing ("exec /berth: no such file or directory").
func agentLibraryMounts(binary string) ([]specs.Mount, error) {
	dynamic, err := isDynamic(binary)
	if err != nil || !dynamic {
		return nil, err
	}
	var mounts []specs.Mount
	for _, p := range hostLibraries {
		if _, err := os.Stat(p); err != nil {
			continue // this layout has no such directory
		}
		mounts = append(mounts, specs.Mount{Destination: p, Type: "bind", Source: p,
			Options: []string{"rbind", "ro", "nosuid", "nodev"}})
	}
	return mounts, nil
}

// isDynamic tells whether an ELF executable needs an interpreter (the dynamic loader).
func isDynamic(binary string) (bool, error) {
	f, err := elf.Open(binary)
	if err != nil {
		return false, fmt.Errorf("read berth's binary %s: %w", binary, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return true, nil
		}
	}
	return false, nil
}
