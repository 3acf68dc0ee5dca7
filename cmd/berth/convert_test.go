package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// convert runs `berth convert` in-process on one of kube's test stacks: through
// berth-kube, or in this process when the tests are built with -tags kube.
func convert(t *testing.T, dir string, args ...string) (string, string, error) {
	t.Helper()
	needKube(t)
	return runBerth(append([]string{"--project-directory", dir, "convert"}, args...), nil)
}

// runBerth runs berth in-process with args and stdin, returning its output.
func runBerth(args []string, stdin io.Reader) (string, string, error) {
	root := newRootCommand(nil)
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(stdin)
	root.SetArgs(globalShorthands(args))
	err := root.Execute()
	return out.String(), errOut.String(), err
}

func TestConvertCommand(t *testing.T) {
	const stack = "../../kube/testdata/workloads"
	yaml, warnings, err := convert(t, stack)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: Job\n", "kind: StatefulSet\n", "name: migrate\n", "clusterIP: None"} {
		if !strings.Contains(yaml, want) {
			t.Errorf("stdout has no %q", want)
		}
	}
	if !strings.Contains(warnings, "warning: service \"db\"") {
		t.Errorf("the StatefulSet warning is not on stderr: %q", warnings)
	}

	js, _, err := convert(t, stack, "--format", "json")
	var list struct {
		Kind  string
		Items []map[string]any
	}
	if err != nil || json.Unmarshal([]byte(js), &list) != nil || list.Kind != "List" || len(list.Items) != strings.Count(yaml, "\n---\n")+1 {
		t.Errorf("json: %v, kind %q, %d items", err, list.Kind, len(list.Items))
	}

	dir := t.TempDir()
	if _, _, err := convert(t, stack, "-o", dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for _, want := range []string{"job-migrate.yaml", "statefulset-db.yaml", "service-app.yaml", "deployment-app.yaml"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s has no %s: %v", dir, want, names)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "job-migrate.yaml"))
	if !strings.Contains(string(b), "kind: Job") || strings.Contains(string(b), "---") {
		t.Errorf("job-migrate.yaml is not the one Job:\n%s", b)
	}
}

// A field the mapping cannot honour fails convert with the service and field named,
// and writes nothing.
func TestConvertCommandRefuses(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services:\n  app:\n    image: x\n    container_name: fixed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// berth-kube prints its error and berth returns its exit status.
	out, errOut, err := convert(t, dir)
	if err == nil || !strings.Contains(err.Error()+errOut, `service "app": field "container_name"`) || out != "" {
		t.Fatalf("want a refusal naming the field and no output, got %v, %q, %q", err, errOut, out)
	}
}
