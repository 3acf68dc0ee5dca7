//go:build !kube

// berth leaves the Kubernetes verbs to berth-kube, the same command built with
// `-tags kube` (make build puts it beside berth): client-go and kube/ would otherwise
// double the binary every berth command loads, and `berth ps` would pay their
// initialisation. berth keeps the verbs' flags, so --help and the parity with
// docker compose read the same; what the user typed goes through as parsed.

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// kubeBinary is the name of the binary with the Kubernetes verbs.
const kubeBinary = "berth-kube"

// forwardedEnv marks berth-kube's environment: a berth-kube built without the tag
// would otherwise forward to itself for ever.
const forwardedEnv = "BERTH_KUBE_FORWARDED"

func runConvert(cmd *cobra.Command, args []string, _ *globals, _ *convertOptions) error {
	return runInKube(cmd, args)
}

func runDeploy(cmd *cobra.Command, args []string, _ *globals, _ *deployOptions) error {
	return runInKube(cmd, args)
}

func runUndeploy(cmd *cobra.Command, args []string, _ *globals, _ *undeployOptions) error {
	return runInKube(cmd, args)
}

// runInKube runs the verb in berth-kube with the flags the user set and the same
// standard streams, and ends with its exit status.
func runInKube(cmd *cobra.Command, args []string) error {
	if os.Getenv(forwardedEnv) != "" {
		return fmt.Errorf("%s was built without the Kubernetes verbs: build it with go build -tags kube", kubeBinary)
	}
	bin, err := findKubeBinary()
	if err != nil {
		return err
	}
	c := exec.Command(bin, kubeArgs(cmd, args)...)
	c.Stdin, c.Stdout, c.Stderr = cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()
	c.Env = append(os.Environ(), forwardedEnv+"=1")
	// berth-kube handles its own signals: the terminal's SIGINT reaches it in our
	// process group, a SIGTERM sent to berth alone is passed on.
	sigs := make(chan os.Signal, 3)
	diverted.Store(&sigs)
	defer diverted.Store(nil)
	if err := c.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-sigs:
				if s == syscall.SIGTERM {
					_ = c.Process.Signal(s)
				}
			case <-done:
				return
			}
		}
	}()
	err = c.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return exitError{128 + int(ws.Signal())}
		}
		return exitError{ee.ExitCode()}
	}
	return err
}

// findKubeBinary looks beside this berth, then on PATH.
func findKubeBinary() (string, error) {
	if exe, err := os.Executable(); err == nil {
		beside := filepath.Join(filepath.Dir(exe), kubeBinary)
		if st, err := os.Stat(beside); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return beside, nil
		}
	}
	if p, err := exec.LookPath(kubeBinary); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("the Kubernetes verbs are in %s, which is neither beside berth nor on PATH: `make build` builds it (go build -tags kube -o bin/%[1]s ./cmd/berth)", kubeBinary)
}

// kubeArgs is the command line for berth-kube: the verb, every flag set on the
// command line (global or the verb's) as --name=value, then the arguments.
func kubeArgs(cmd *cobra.Command, args []string) []string {
	out := strings.Fields(strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()))
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if s, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range s.GetSlice() {
				out = append(out, "--"+f.Name+"="+v)
			}
			return
		}
		out = append(out, "--"+f.Name+"="+f.Value.String())
	})
	if len(args) > 0 {
		out = append(append(out, "--"), args...)
	}
	return out
}
