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
		"--images": "example/db\nexample/web:1\n", "--networks": "default\n",
	} {
		if got, err := config(t, flag); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", flag, got, err, want)
		}
	}
	// extra, which no service uses, only with --all-resources, as docker compose.
	root := newRootCommand(nil)
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"--project-directory", "testdata/config", "--all-resources", "config", "--networks"})
	if err := root.Execute(); err != nil || out.String() != "default\nextra\n" {
		t.Errorf("--all-resources config --networks: %q %v", out.String(), err)
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

// config's output loads again with the same meaning: a literal $ ($$ in the file)
// stays escaped, unless --no-interpolate, which prints the file's text as it was.
func TestConfigRoundTrip(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(first, []byte("services:\n  a:\n    image: x\n    command: echo $$HOME ${UNSET_IN_TEST:-dflt}\n    environment:\n      P: \"a$$b\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	render := func(file string, args ...string) string {
		t.Helper()
		root := newRootCommand(nil)
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetArgs(append([]string{"--file", file, "--project-name", "rt", "config"}, args...))
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	once := render(first)
	if !strings.Contains(once, "$$HOME") || !strings.Contains(once, "a$$b") || !strings.Contains(once, "dflt") {
		t.Errorf("config lost the escape or did not interpolate:\n%s", once)
	}
	second := filepath.Join(dir, "again.yaml")
	if err := os.WriteFile(second, []byte(once), 0o644); err != nil {
		t.Fatal(err)
	}
	if twice := render(second); twice != once {
		t.Errorf("config of config's output differs:\n%s\nfrom:\n%s", twice, once)
	}
	if raw := render(first, "--no-interpolate"); !strings.Contains(raw, "$$HOME") || !strings.Contains(raw, "${UNSET_IN_TEST:-dflt}") || strings.Contains(raw, "$$$$") {
		t.Errorf("--no-interpolate:\n%s", raw)
	}
}

// config --environment, --variables, --no-path-resolution, --no-env-resolution and
// --no-consistency, as docker compose's.
func TestConfigModelFlags(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	yaml := "services:\n  a:\n    image: x:${TAG:-1}\n    command: echo ${NEEDED:?set it} ${ALT:+alt}\n    env_file: [a.env]\n    volumes: [./data:/data]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.env"), []byte("FROM_ENV_FILE=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NEEDED", "yes")
	run := func(args ...string) string {
		t.Helper()
		root := newRootCommand(nil)
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetArgs(append([]string{"--file", file, "--project-name", "mf", "config"}, args...))
		if err := root.Execute(); err != nil {
			t.Fatalf("config %v: %v", args, err)
		}
		return out.String()
	}
	if out := run("--environment"); !strings.Contains(out, "NEEDED=yes\n") {
		t.Errorf("--environment has no NEEDED=yes:\n%s", out)
	}
	vars := run("--variables")
	for _, want := range []string{"TAG", "NEEDED", "ALT"} {
		if !strings.Contains(vars, want) {
			t.Errorf("--variables has no %s:\n%s", want, vars)
		}
	}
	var parsed map[string]struct {
		Name         string
		DefaultValue string
		Required     bool
	}
	if err := json.Unmarshal([]byte(run("--variables", "--format", "json")), &parsed); err != nil || parsed["TAG"].DefaultValue != "1" || !parsed["NEEDED"].Required {
		t.Errorf("--variables --format json: %v %+v", err, parsed)
	}
	if out := run("--no-path-resolution", "--no-env-resolution"); !strings.Contains(out, "source: ./data") {
		t.Errorf("--no-path-resolution resolved the bind's path:\n%s", out)
	}
	if out := run(); !strings.Contains(out, "FROM_ENV_FILE") || strings.Contains(out, "source: ./data") {
		t.Errorf("config did not resolve the env file or the path:\n%s", out)
	}
	if out := run("--no-env-resolution"); strings.Contains(out, "FROM_ENV_FILE: \"1\"") {
		t.Errorf("--no-env-resolution merged the env file:\n%s", out)
	}
	run("--no-consistency", "-q")
}

// config --models prints each model's reference, as docker compose does, and says on
// stderr that berth does not run them.
func TestConfigModels(t *testing.T) {
	dir := t.TempDir()
	file := "services:\n  app:\n    image: x\n    models: [llm, embed]\nmodels:\n  llm:\n    model: ai/smollm2\n  embed:\n    model: ai/mxbai-embed-large\n"
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	root := newRootCommand(nil)
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs([]string{"--project-directory", dir, "config", "--models"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "ai/mxbai-embed-large\nai/smollm2\n" {
		t.Errorf("--models: %q", got)
	}
	if !strings.Contains(errb.String(), "not run") {
		t.Errorf("--models does not say berth does not run models: %q", errb.String())
	}
}
