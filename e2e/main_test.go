// Package e2e runs berth end to end on a real containerd, runc and CNI plugins, with
// images made from Debian packages and served by a registry on 127.0.0.1.
// `make e2e` builds berth and the images first; see README.md.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// berthBin is the binary under test.
var berthBin string

// The e2e tests use a containerd namespace of their own, so they never touch what a
// user runs under berth's default namespace on the same machine.
const namespace = "berth-e2e"

const registry = "127.0.0.1:5050"

func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		fmt.Println("e2e: FAIL: the end-to-end tests need root (containerd, CNI, network namespaces)")
		os.Exit(1)
	}
	berthBin = os.Getenv("BERTH_BIN")
	if berthBin == "" {
		dir, err := os.MkdirTemp("", "berth-e2e-bin-")
		if err != nil {
			fmt.Println("e2e:", err)
			os.Exit(1)
		}
		berthBin = filepath.Join(dir, "berth")
		cmd := exec.Command("go", "build", "-o", berthBin, "../cmd/berth")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Println("e2e: building berth:", err)
			os.Exit(1)
		}
		defer os.RemoveAll(dir)
	}
	if out, err := exec.Command("ctr", "version").CombinedOutput(); err != nil {
		fmt.Printf("e2e: FAIL: containerd does not answer (run scripts/setup): %v\n%s", err, out)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
