// Package e2e runs berth end to end on a real containerd, runc and CNI plugins, with
// images made from Debian packages and served by a registry on 127.0.0.1.
// `make e2e` builds berth and the images first; see README.md.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	ctrd "github.com/containerd/containerd/v2/client"

	"berth.dev/berth/internal/testlock"
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
	unlock, err := testlock.Host("e2e")
	if err != nil {
		fmt.Println("e2e: FAIL:", err)
		os.Exit(1)
	}
	defer unlock()
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
	if berthCopyName, err = copyName(berthBin); err != nil {
		fmt.Println("e2e:", err)
		os.Exit(1)
	}
	if out, err := exec.Command("ctr", "version").CombinedOutput(); err != nil {
		fmt.Printf("e2e: FAIL: containerd does not answer (run scripts/setup): %v\n%s", err, out)
		os.Exit(1)
	}
	if err := forgetTestImages(); err != nil {
		fmt.Println("e2e: FAIL:", err)
		os.Exit(1)
	}
	code := m.Run()
	unlock()
	os.Exit(code)
}

// berthCopyName is the name berth gives its copy of the binary under test in the
// state directory's bin/ (size and modification time, as compose/containerd does).
var berthCopyName string

func copyName(bin string) (string, error) {
	st, err := os.Stat(bin)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("berth-%d-%d", st.Size(), st.ModTime().UnixNano()), nil
}

// forgetTestImages drops the test images from the e2e namespace, so that every run
// pulls them through berth's own pull path, and picks up images rebuilt since.
func forgetTestImages() error {
	ctx := context.Background()
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		return err
	}
	defer c.Close()
	imgs, err := c.ImageService().List(ctx)
	if err != nil {
		return err
	}
	for _, img := range imgs {
		if strings.HasPrefix(img.Name, registry+"/") {
			if err := c.ImageService().Delete(ctx, img.Name); err != nil {
				return fmt.Errorf("forget image %s: %w", img.Name, err)
			}
		}
	}
	return nil
}
