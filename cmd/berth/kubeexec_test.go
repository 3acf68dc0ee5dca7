//go:build !kube

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"
)

// kubeBuild is the berth-kube the tests build once, in a directory of its own.
var kubeBuild struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if kubeBuild.dir != "" {
		os.RemoveAll(kubeBuild.dir)
	}
	os.Exit(code)
}

// needKube builds berth-kube from this package with -tags kube and puts it on PATH
// (nothing is beside the test binary), as make build puts it beside berth.
func needKube(t *testing.T) {
	t.Helper()
	kubeBuild.once.Do(func() {
		if kubeBuild.dir, kubeBuild.err = os.MkdirTemp("", "berth-kube-"); kubeBuild.err != nil {
			return
		}
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-tags", "kube", "-o", filepath.Join(kubeBuild.dir, kubeBinary), ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			kubeBuild.err = fmt.Errorf("go build -tags kube: %v\n%s", err, out)
		}
	})
	if kubeBuild.err != nil {
		t.Fatal(kubeBuild.err)
	}
	t.Setenv("PATH", kubeBuild.dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// The verb runs in berth-kube with the global flags, the verb's and the standard
// input berth got: the compose file comes on stdin here (-f -), and a wrong flag
// value is berth-kube's exit status 1.
func TestConvertRunsInBerthKube(t *testing.T) {
	needKube(t)
	compose := "services:\n  app:\n    image: nginx\n    healthcheck:\n      test: [CMD, \"true\"]\n"
	out, _, err := runBerth([]string{"-f", "-", "-p", "fromstdin", "--project-directory", t.TempDir(), "convert", "--liveness"}, strings.NewReader(compose))
	if err != nil || !strings.Contains(out, "app.kubernetes.io/part-of: fromstdin") || !strings.Contains(out, "livenessProbe:") {
		t.Errorf("convert of stdin through berth-kube: %v\n%s", err, out)
	}
	_, errOut, err := runBerth([]string{"--project-directory", "../../kube/testdata/workloads", "convert", "--format", "xml"}, nil)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(errOut, `--format "xml"`) {
		t.Errorf("a refused --format: want berth-kube's message and status 1, got %v, %q", err, errOut)
	}
}

// Without berth-kube, each Kubernetes verb says in one line where it is looked for
// and how to build it.
func TestKubeVerbsWithoutBerthKube(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, verb := range []string{"convert", "deploy", "undeploy"} {
		out, errOut, err := runBerth([]string{"--project-directory", "../../kube/testdata/workloads", verb}, nil)
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "berth-kube") || !strings.Contains(err.Error(), "make build") || out+errOut != "" {
			t.Errorf("berth %s without berth-kube: want one line naming it and make build, got %v (stdout %q, stderr %q)", verb, err, out, errOut)
		}
	}
}

// kubeArgs passes every flag the user set, global or the verb's, by its long name.
func TestKubeArgs(t *testing.T) {
	root := newRootCommand(nil)
	var got []string
	for _, c := range root.Commands() {
		if c.Name() == "deploy" {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				got = kubeArgs(cmd, args)
				return nil
			}
		}
	}
	root.SetArgs(globalShorthands([]string{"-f", "a.yaml", "-f", "b.yaml", "-p", "demo", "--namespace", "apps", "deploy", "--liveness", "--timeout", "90s", "--dry-run"}))
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	want := []string{"deploy", "--dry-run=true", "--file=a.yaml", "--file=b.yaml", "--liveness=true", "--namespace=apps", "--project-name=demo", "--timeout=1m30s"}
	if !slices.Equal(got, want) {
		t.Errorf("kubeArgs:\ngot  %q\nwant %q", got, want)
	}
}
