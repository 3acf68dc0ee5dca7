package project

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// clearComposeEnv unsets, for the test, the variables that would change what a
// .env is tested for; they come back when it ends.
func clearComposeEnv(t *testing.T, keys ...string) {
	t.Helper()
	for _, k := range keys {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var composeKeys = []string{"COMPOSE_FILE", "COMPOSE_PROFILES", "COMPOSE_PATH_SEPARATOR", "COMPOSE_PROJECT_NAME",
	"COMPOSE_ANSI", "COMPOSE_DISABLE_ENV_FILE", EnvCompatibility, EnvDefaultPlatform, "VAR", "OTHER"}

// TestDotEnvWorkingDirFirst: the .env of the working directory is read first, the
// project directory's (where the file was found, above it) after; the first one to
// set a variable wins, and its COMPOSE_PROFILES enables a profile.
func TestDotEnvWorkingDirFirst(t *testing.T) {
	clearComposeEnv(t, composeKeys...)
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"compose.yaml": `
services:
  app: {image: x, environment: {VAR: "${VAR}", OTHER: "${OTHER}"}}
  debug: {image: x, profiles: [dev]}
`,
		".env":     "VAR=from-the-project-dir\nOTHER=from-the-project-dir\n",
		"sub/.env": "VAR=from-the-working-dir\nCOMPOSE_PROFILES=dev\n",
	})
	t.Chdir(filepath.Join(root, "sub"))
	p, err := Load(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	env := p.Services["app"].Environment
	if got := *env["VAR"]; got != "from-the-working-dir" {
		t.Errorf("VAR %q, want the working directory's .env to win", got)
	}
	if got := *env["OTHER"]; got != "from-the-project-dir" {
		t.Errorf("OTHER %q, want the project directory's .env read too", got)
	}
	if _, ok := p.Services["debug"]; !ok {
		t.Errorf("COMPOSE_PROFILES=dev of .env did not enable debug: %v", p.ServiceNames())
	}
}

// TestDotEnvChoosesFiles: COMPOSE_FILE, COMPOSE_PATH_SEPARATOR and COMPOSE_PROJECT_NAME
// set in the .env of the working directory choose the files and the name.
func TestDotEnvChoosesFiles(t *testing.T) {
	clearComposeEnv(t, composeKeys...)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"base.yaml":  "services:\n  app: {image: x}\n",
		"extra.yaml": "services:\n  app: {environment: {EXTRA: one}}\n",
		".env":       "COMPOSE_FILE=base.yaml;extra.yaml\nCOMPOSE_PATH_SEPARATOR=;\nCOMPOSE_PROJECT_NAME=named-by-env\n",
	})
	t.Chdir(dir)
	p, err := Load(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ComposeFiles) != 2 || filepath.Base(p.ComposeFiles[1]) != "extra.yaml" {
		t.Errorf("files %v, want base.yaml and extra.yaml", p.ComposeFiles)
	}
	if v := p.Services["app"].Environment["EXTRA"]; v == nil || *v != "one" {
		t.Errorf("extra.yaml was not merged: %v", p.Services["app"].Environment)
	}
	if p.Name != "named-by-env" {
		t.Errorf("name %q, want COMPOSE_PROJECT_NAME's", p.Name)
	}
}

// TestComposeVariables: the COMPOSE_ variables of .env the shell does not set, from
// --env-file files when given.
func TestComposeVariables(t *testing.T) {
	clearComposeEnv(t, composeKeys...)
	t.Setenv("COMPOSE_PROFILES", "from-the-shell")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		".env":      "COMPOSE_ANSI=never\nCOMPOSE_PROFILES=from-the-file\nOTHER=1\n",
		"other.env": "COMPOSE_ANSI=always\n",
	})
	got, err := ComposeVariables(Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["COMPOSE_ANSI"] != "never" {
		t.Errorf("from .env: %v, want only COMPOSE_ANSI=never", got)
	}
	got, err = ComposeVariables(Options{WorkingDir: dir, EnvFiles: []string{filepath.Join(dir, "other.env")}})
	if err != nil {
		t.Fatal(err)
	}
	if got["COMPOSE_ANSI"] != "always" {
		t.Errorf("from --env-file: %v, want COMPOSE_ANSI=always", got)
	}
	if _, err := ComposeVariables(Options{WorkingDir: dir, EnvFiles: []string{filepath.Join(dir, "missing.env")}}); err == nil || !strings.Contains(err.Error(), "missing.env") {
		t.Errorf("a missing --env-file: %v", err)
	}
}

// TestDefaultPlatform: DOCKER_DEFAULT_PLATFORM is the platform of services without
// one (their config, and so their hash, unchanged); one the host cannot run is
// refused by name.
func TestDefaultPlatform(t *testing.T) {
	clearComposeEnv(t, composeKeys...)
	dir := writeProject(t, "services:\n  app: {image: x}\n  pinned: {image: x, platform: "+HostPlatform+"}\n")
	t.Setenv(EnvDefaultPlatform, HostPlatform)
	p, err := Load(context.Background(), Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := Platform(p, p.Services["app"]); got != HostPlatform {
		t.Errorf("app's platform %q, want %s", got, HostPlatform)
	}
	if p.Services["app"].Platform != "" {
		t.Errorf("the service's own platform: became %q", p.Services["app"].Platform)
	}
	t.Setenv(EnvDefaultPlatform, "linux/s390x")
	_, err = Load(context.Background(), Options{WorkingDir: dir})
	if err == nil || !strings.Contains(err.Error(), `service "app": DOCKER_DEFAULT_PLATFORM`) || !strings.Contains(err.Error(), "linux/s390x") {
		t.Errorf("a foreign default platform: %v", err)
	}
	if _, err := Load(context.Background(), Options{WorkingDir: dir, AllowRefused: true}); err != nil {
		t.Errorf("down and ps cannot load the project: %v", err)
	}
}

// TestCompatibilityNames: --compatibility (or COMPOSE_COMPATIBILITY) names containers
// as docker compose v1 did.
func TestCompatibilityNames(t *testing.T) {
	clearComposeEnv(t, composeKeys...)
	dir := writeProject(t, "name: shop\nservices:\n  web: {image: x}\n")
	p, err := Load(context.Background(), Options{WorkingDir: dir, Compatibility: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := ContainerName(p, p.Services["web"], 1); got != "shop_web_1" {
		t.Errorf("--compatibility: %s, want shop_web_1", got)
	}
	if got := OneOffName(p, "web", "ab12"); got != "shop_web_run_ab12" {
		t.Errorf("--compatibility one-off: %s", got)
	}
	t.Setenv(EnvCompatibility, "true")
	if p, err = Load(context.Background(), Options{WorkingDir: dir}); err != nil {
		t.Fatal(err)
	}
	if got := ContainerName(p, p.Services["web"], 2); got != "shop_web_2" {
		t.Errorf("COMPOSE_COMPATIBILITY=true: %s, want shop_web_2", got)
	}
	t.Setenv(EnvCompatibility, "false")
	if p, err = Load(context.Background(), Options{WorkingDir: dir}); err != nil {
		t.Fatal(err)
	}
	if got := ContainerName(p, p.Services["web"], 1); got != "shop-web-1" {
		t.Errorf("default: %s, want shop-web-1", got)
	}
}
