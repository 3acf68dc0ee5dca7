package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
)

var envKeys = []string{envAnsi, envNoColor, envProgress, envBuildProgress, envEnvFiles, envParallel, envIgnoreOrphans,
	envRemoveOrphans, envStatusStdout, envMenu, "COMPOSE_COMPATIBILITY", "COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES"}

// cleanEnv runs the test in an empty directory with none of docker compose's
// variables set; what readEnv sets comes back as it was when the test ends.
func cleanEnv(t *testing.T) string {
	t.Helper()
	for _, k := range envKeys {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

// parsed is the globals after `berth [args] ps` has read its flags and environment.
func parsed(t *testing.T, args ...string) (*globals, *cobra.Command, error) {
	t.Helper()
	root := newRootCommand(nil)
	cmd, rest, err := root.Find(append(args, "ps"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatal(err)
	}
	return root.globals, cmd, root.globals.readEnv(cmd)
}

func TestEnvAnsi(t *testing.T) {
	cleanEnv(t)
	t.Setenv(envAnsi, "never")
	g, _, err := parsed(t)
	if err != nil || g.ansi != "never" || g.colour() {
		t.Errorf("COMPOSE_ANSI=never: ansi %q colour %v err %v", g.ansi, g.colour(), err)
	}
	if g, _, _ := parsed(t, "--ansi", "always"); g.ansi != "always" {
		t.Errorf("--ansi always under COMPOSE_ANSI=never: %q, want the flag to win", g.ansi)
	}
	t.Setenv(envAnsi, "sometimes")
	if _, _, err := parsed(t); err == nil || !strings.Contains(err.Error(), `COMPOSE_ANSI "sometimes"`) {
		t.Errorf("a bad COMPOSE_ANSI: %v", err)
	}
}

func TestEnvNoColor(t *testing.T) {
	cleanEnv(t)
	t.Setenv(envNoColor, "1")
	g, _, err := parsed(t, "--ansi", "always")
	if err != nil || g.colour() {
		t.Errorf("NO_COLOR=1: colour %v, err %v", g.colour(), err)
	}
	if !g.noColor {
		t.Errorf("NO_COLOR=1: the progress view keeps its colours")
	}
}

func TestEnvProgress(t *testing.T) {
	cleanEnv(t)
	cases := []struct {
		compose, buildkit string
		args              []string
		want              string
	}{
		{"json", "", nil, "json"},
		{"", "plain", nil, "plain"},
		{"", "rawjson", nil, "json"},
		{"quiet", "plain", nil, "quiet"},
		{"json", "plain", []string{"--progress", "tty"}, "tty"},
		{"", "", nil, "auto"},
	}
	for _, c := range cases {
		t.Setenv(envProgress, c.compose)
		t.Setenv(envBuildProgress, c.buildkit)
		g, _, err := parsed(t, c.args...)
		if err != nil || g.progress != c.want {
			t.Errorf("COMPOSE_PROGRESS=%q BUILDKIT_PROGRESS=%q %v: progress %q (err %v), want %q", c.compose, c.buildkit, c.args, g.progress, err, c.want)
		}
	}
	t.Setenv(envProgress, "fancy")
	g, _, _ := parsed(t)
	if _, err := g.progressWriter(); err == nil || !strings.Contains(err.Error(), "COMPOSE_PROGRESS") {
		t.Errorf("a bad COMPOSE_PROGRESS: %v", err)
	}
}

func TestEnvFiles(t *testing.T) {
	dir := cleanEnv(t)
	for name, text := range map[string]string{"a.env": "COMPOSE_ANSI=never\n", "b.env": "COMPOSE_PARALLEL_LIMIT=3\n", ".env": "COMPOSE_ANSI=always\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Without COMPOSE_ENV_FILES, the working directory's .env.
	if g, _, err := parsed(t); err != nil || g.ansi != "always" {
		t.Errorf(".env: ansi %q, err %v", g.ansi, err)
	}
	os.Unsetenv(envAnsi)
	t.Setenv(envEnvFiles, "a.env,b.env")
	g, _, err := parsed(t)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(g.envFiles, " ") != "a.env b.env" || g.ansi != "never" || g.parallel != 3 {
		t.Errorf("COMPOSE_ENV_FILES=a.env,b.env: files %v ansi %q parallel %d", g.envFiles, g.ansi, g.parallel)
	}
	os.Unsetenv(envAnsi)
	if g, _, _ := parsed(t, "--env-file", "b.env"); strings.Join(g.envFiles, " ") != "b.env" || g.ansi != "auto" {
		t.Errorf("--env-file b.env over COMPOSE_ENV_FILES: files %v ansi %q", g.envFiles, g.ansi)
	}
	// The shell's value wins over the file's.
	t.Setenv(envAnsi, "auto")
	if g, _, _ := parsed(t); g.ansi != "auto" {
		t.Errorf("the shell's COMPOSE_ANSI lost to a.env's: %q", g.ansi)
	}
}

func TestEnvStatusStdout(t *testing.T) {
	cleanEnv(t)
	if g, _, _ := parsed(t); g.statusOut() != os.Stderr {
		t.Errorf("status goes to %v by default", g.statusOut().Name())
	}
	t.Setenv(envStatusStdout, "true")
	if g, _, _ := parsed(t); g.statusOut() != os.Stdout {
		t.Errorf("COMPOSE_STATUS_STDOUT=true: status goes to %v", g.statusOut().Name())
	}
}

func TestEnvCompatibility(t *testing.T) {
	cleanEnv(t)
	if g, _, _ := parsed(t); g.compatibility {
		t.Errorf("compatibility on by default")
	}
	if g, _, _ := parsed(t, "--compatibility"); !g.compatibility {
		t.Errorf("--compatibility off")
	}
	t.Setenv("COMPOSE_COMPATIBILITY", "1")
	if g, _, _ := parsed(t); !g.compatibility {
		t.Errorf("COMPOSE_COMPATIBILITY=1: off")
	}
}

func TestEnvOrphans(t *testing.T) {
	cleanEnv(t)
	cases := []struct {
		env                  map[string]string
		flag, remove, ignore bool
		conflict             bool
	}{
		{env: map[string]string{}, remove: false},
		{env: map[string]string{envRemoveOrphans: "true"}, remove: true},
		{env: map[string]string{envRemoveOrphans: "true"}, flag: true, remove: false}, // --remove-orphans=false wins
		{env: map[string]string{envIgnoreOrphans: "1"}, ignore: true},
		{env: map[string]string{envIgnoreOrphans: "1", envRemoveOrphans: "1"}, remove: true, ignore: true, conflict: true},
	}
	for _, c := range cases {
		cmd := newUpCommand(&globals{})
		if c.flag {
			if err := cmd.ParseFlags([]string{"--remove-orphans=false"}); err != nil {
				t.Fatal(err)
			}
		}
		p := &types.Project{Environment: c.env}
		remove := false
		ignore := orphanEnv(cmd, p, &remove)
		if remove != c.remove || ignore != c.ignore || (orphanConflict(remove, ignore) != nil) != c.conflict {
			t.Errorf("%v flag %v: remove %v ignore %v conflict %v", c.env, c.flag, remove, ignore, orphanConflict(remove, ignore))
		}
	}
	// With no file (down by name), the process's environment.
	t.Setenv(envRemoveOrphans, "yes")
	remove := false
	orphanEnv(newDownCommand(&globals{}), &types.Project{Name: "x"}, &remove)
	if remove {
		t.Errorf("COMPOSE_REMOVE_ORPHANS=yes read as true") // docker compose reads booleans with ParseBool
	}
	t.Setenv(envRemoveOrphans, "1")
	orphanEnv(newDownCommand(&globals{}), &types.Project{Name: "x"}, &remove)
	if !remove {
		t.Errorf("COMPOSE_REMOVE_ORPHANS=1 without a file: not read")
	}
}

func TestEnvMenu(t *testing.T) {
	cleanEnv(t)
	up := newUpCommand(&globals{})
	if note := menuNote(up, false, true); note != "" {
		t.Errorf("a note without --menu: %q", note)
	}
	if note := menuNote(up, true, false); note != "" {
		t.Errorf("a note when detached: %q", note)
	}
	t.Setenv(envMenu, "true")
	if note := menuNote(up, false, true); !strings.Contains(note, "no interactive menu") {
		t.Errorf("COMPOSE_MENU=true: %q", note)
	}
	if err := up.ParseFlags([]string{"--menu=false"}); err != nil {
		t.Fatal(err)
	}
	if note := menuNote(up, false, true); note != "" {
		t.Errorf("--menu=false under COMPOSE_MENU=true: %q", note)
	}
}
