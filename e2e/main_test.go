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

	"berth.dev/berth/internal/benchreport"
	"berth.dev/berth/internal/testlock"
)

// berthBin is the binary under test.
var berthBin string

// The e2e tests use a containerd namespace of their own, so they never touch what a
// user runs under berth's default namespace on the same machine.
const namespace = "berth-e2e"

const registry = "127.0.0.1:5050"

func TestMain(m *testing.M) {
	if spec := os.Getenv(resolverEnv); spec != "" { // BenchmarkResolver's server
		if err := resolverProcess(spec); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: resolver:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
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
		// As make build: berth runs the log driver, the agent and the Kubernetes verbs from beside it.
		for bin, pkg := range map[string][]string{
			berthBin:                              {"../cmd/berth"},
			filepath.Join(dir, "berth-logdriver"): {"../cmd/berth-logdriver"},
			filepath.Join(dir, "berth-agent"):     {"../cmd/berth-agent"},
			filepath.Join(dir, "berth-kube"):      {"-tags", "kube", "../cmd/berth"},
		} {
			cmd := exec.Command("go", append([]string{"build", "-o", bin}, pkg...)...)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Println("e2e: building", bin+":", err)
				os.Exit(1)
			}
		}
		defer os.RemoveAll(dir)
	}
	if ownCopies, err = copyNames(berthBin); err != nil {
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
	if err := benchreport.Finish(os.Stdout); err != nil { // what the benchmarks measured, if they ran
		fmt.Println("e2e:", err)
		code = max(code, 1)
	}
	unlock()
	os.Exit(code)
}

// ownCopies are the names berth gives its copies of the binaries under test in the
// state directory's bin/: berth, and the log driver and agent beside it (size and
// modification time, as compose/containerd names them). They stay on purpose.
var ownCopies map[string]bool

func copyNames(bin string) (map[string]bool, error) {
	out := map[string]bool{}
	paths := map[string]string{"berth": bin}
	for _, name := range []string{"berth-logdriver", "berth-agent"} {
		paths[name] = filepath.Join(filepath.Dir(bin), name)
	}
	for name, path := range paths {
		st, err := os.Stat(path)
		if os.IsNotExist(err) && name != "berth" {
			continue // berth is its own log driver or agent then
		}
		if err != nil {
			return nil, err
		}
		out[fmt.Sprintf("%s-%d-%d", name, st.Size(), st.ModTime().UnixNano())] = true
	}
	return out, nil
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
