package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// config runs `berth config` in-process on testdata/config.
func config(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCommand(nil)
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs(append([]string{"--project-directory", "testdata/config", "--project-name", "cfg", "--profile", "front", "config"}, args...))
	err := root.Execute()
	return out.String(), err
}

func TestConfig(t *testing.T) {
	yaml, err := config(t)
	if err != nil {
		t.Fatal(err)
	}
	// A field berth does not run is still printed: config shows the file as loaded.
	for _, want := range []string{"name: cfg", "image: example/web:1", "/dev/null", "condition: service_started", "name: cfg_data"} {
		if !strings.Contains(yaml, want) {
			t.Errorf("yaml has no %q:\n%s", want, yaml)
		}
	}
	js, err := config(t, "--format", "json")
	var m map[string]any
	if err != nil || json.Unmarshal([]byte(js), &m) != nil || m["name"] != "cfg" {
		t.Errorf("json: %v\n%s", err, js)
	}
	for flag, want := range map[string]string{
		"--services": "db\nweb\n", "--volumes": "data\n", "--profiles": "front\n",
		"--images": "example/db\nexample/web:1\n", "--networks": "default\nextra\n",
	} {
		if got, err := config(t, flag); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", flag, got, err, want)
		}
	}
	if got, _ := config(t, "--hash", "db"); !strings.HasPrefix(got, "db ") || len(strings.TrimSpace(got)) != 3+64 {
		t.Errorf("--hash db: %q", got)
	}
	if got, _ := config(t, "--hash", "*"); strings.Count(got, "\n") != 2 {
		t.Errorf("--hash *: %q", got)
	}
	if got, err := config(t, "-q"); err != nil || got != "" {
		t.Errorf("-q: %q %v", got, err)
	}
	if got, _ := config(t, "--no-interpolate"); !strings.Contains(got, "${TAG:-1}") {
		t.Errorf("--no-interpolate interpolated:\n%s", got)
	}
	file := filepath.Join(t.TempDir(), "out.yaml")
	if _, err := config(t, "-o", file); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); string(b) != yaml {
		t.Errorf("-o wrote %q", b)
	}
	if _, err := config(t, "--hash", "nope"); err == nil {
		t.Error("--hash of an unknown service succeeded")
	}
}
