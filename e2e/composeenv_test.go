package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestComposeEnv: the variables docker compose reads from its environment, where
// their effect shows only on a real run: status lines on standard output, orphans
// ignored or removed, DOCKER_DEFAULT_PLATFORM, v1 names under --compatibility,
// --all-resources, up --menu, COMPOSE_ANSI and NO_COLOR, and the COMPOSE_ variables
// of a .env.
func TestComposeEnv(t *testing.T) {
	s := newScenario(t)
	web1 := s.project + "-web-1"

	// COMPOSE_STATUS_STDOUT: the progress lines go to standard output.
	r := s.berthEnv([]string{"COMPOSE_STATUS_STDOUT=1"}, "up", "-d")
	if r.code != 0 {
		t.Fatalf("up: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, web1+"  Started") || strings.Contains(r.stderr, "Started") {
		t.Errorf("COMPOSE_STATUS_STDOUT=1: want the status lines on stdout only\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
	}

	// worker is an orphan of partial.yaml: a warning, none with COMPOSE_IGNORE_ORPHANS.
	if r := s.berth("-f", "partial.yaml", "up", "-d"); r.code != 0 || !strings.Contains(r.stderr, "orphan") {
		t.Errorf("up of partial.yaml: exit %d, want a warning of the orphan worker:\n%s", r.code, r.stderr)
	}
	if r := s.berthEnv([]string{"COMPOSE_IGNORE_ORPHANS=true"}, "-f", "partial.yaml", "up", "-d"); r.code != 0 || strings.Contains(r.stderr, "orphan") {
		t.Errorf("up of partial.yaml with COMPOSE_IGNORE_ORPHANS=true: exit %d, want no word of orphans:\n%s", r.code, r.stderr)
	}
	// down of partial.yaml keeps worker and so, as TestDownWithOrphans shows, fails on
	// the network worker still uses; of worker it says nothing more.
	if r := s.berthEnv([]string{"COMPOSE_IGNORE_ORPHANS=true"}, "-f", "partial.yaml", "down"); strings.Contains(r.stderr, "orphan") || !strings.Contains(r.stderr, "in use by container(s) "+s.project+"-worker-1") {
		t.Errorf("down of partial.yaml with COMPOSE_IGNORE_ORPHANS=true: exit %d, want no word of orphans:\n%s", r.code, r.stderr)
	}
	if got := s.services(); got != "worker" {
		t.Errorf("after down of partial.yaml: running %q, want the orphan worker only", got)
	}
	s.must("up", "-d")
	if r := s.berthEnv([]string{"COMPOSE_IGNORE_ORPHANS=1"}, "-f", "partial.yaml", "up", "-d", "--remove-orphans"); r.code == 0 || !strings.Contains(r.stderr, "cannot combine COMPOSE_IGNORE_ORPHANS and --remove-orphans") {
		t.Errorf("COMPOSE_IGNORE_ORPHANS with --remove-orphans: exit %d:\n%s", r.code, r.stderr)
	}
	if r := s.berthEnv([]string{"COMPOSE_REMOVE_ORPHANS=1"}, "-f", "partial.yaml", "up", "-d"); r.code != 0 {
		t.Errorf("up with COMPOSE_REMOVE_ORPHANS=1: exit %d:\n%s", r.code, r.stderr)
	}
	if got := s.services(); got != "web" {
		t.Errorf("after up with COMPOSE_REMOVE_ORPHANS=1: running %q, want web only", got)
	}

	// DOCKER_DEFAULT_PLATFORM: the host's pulls and changes nothing that runs; another
	// is refused by name before anything is made.
	host := "linux/" + runtime.GOARCH
	before := s.ids()
	if r := s.berthEnv([]string{"DOCKER_DEFAULT_PLATFORM=" + host}, "up", "-d", "--pull", "always"); r.code != 0 {
		t.Errorf("up with DOCKER_DEFAULT_PLATFORM=%s: exit %d:\n%s", host, r.code, r.stderr)
	}
	if got := s.ids()[web1]; got != before[web1] {
		t.Errorf("DOCKER_DEFAULT_PLATFORM=%s recreated web: %s, was %s", host, got, before[web1])
	}
	r = s.berthEnv([]string{"DOCKER_DEFAULT_PLATFORM=linux/s390x"}, "up", "-d", "--force-recreate")
	if r.code == 0 || !strings.Contains(r.stderr, `DOCKER_DEFAULT_PLATFORM`) || !strings.Contains(r.stderr, "linux/s390x") {
		t.Errorf("up with DOCKER_DEFAULT_PLATFORM=linux/s390x: exit %d, want a refusal naming it:\n%s", r.code, r.stderr)
	}
	if got := s.ids()[web1]; got != before[web1] {
		t.Errorf("the refused up recreated web: %s, was %s", got, before[web1])
	}

	// --all-resources: the network and volume no service uses are made too.
	s.must("--all-resources", "up", "-d")
	if out := s.must("network", "ls", "-q"); !strings.Contains(out, s.project+"_spare") {
		t.Errorf("--all-resources: no network %s_spare in:\n%s", s.project, out)
	}
	if out := s.must("volume", "ls", "-q"); !strings.Contains(out, s.project+"_spare") {
		t.Errorf("--all-resources: no volume %s_spare in:\n%s", s.project, out)
	}

	// --compatibility: docker compose v1's names.
	s.must("down", "-v")
	s.must("--compatibility", "up", "-d", "web")
	if ids := s.ids(); ids[s.project+"_web_1"] == "" {
		t.Errorf("--compatibility: names %v, want %s_web_1", ids, s.project)
	}
	if out := s.must("--compatibility", "exec", "-T", "web", "hostname"); strings.TrimSpace(out) == "" {
		t.Errorf("exec in web under --compatibility printed nothing")
	}
	s.must("down")

	// up --menu, attached: accepted, with a line saying berth has none.
	if r := s.berth("--profile", "once", "up", "--menu", "once"); r.code != 0 || !strings.Contains(r.stderr, "no interactive menu") || !strings.Contains(r.stdout, "once ran") {
		t.Errorf("up --menu once: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	// COMPOSE_ANSI=always colours the prefixes of the attached output; NO_COLOR
	// takes the colours away again.
	if r := s.berthEnv([]string{"COMPOSE_ANSI=always"}, "--profile", "once", "up", "once"); !strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("up with COMPOSE_ANSI=always: exit %d, no colour in:\n%q", r.code, r.stdout)
	}
	if r := s.berthEnv([]string{"COMPOSE_ANSI=always", "NO_COLOR=1"}, "--profile", "once", "up", "once"); r.code != 0 || strings.Contains(r.stdout, "\x1b[") || !strings.Contains(r.stdout, "once ran") {
		t.Errorf("up with COMPOSE_ANSI=always NO_COLOR=1: exit %d, want no colour:\n%q", r.code, r.stdout)
	}
	s.must("--profile", "once", "down")

	// A .env in the working directory sets COMPOSE_FILE (with COMPOSE_PATH_SEPARATOR),
	// COMPOSE_PROJECT_NAME and COMPOSE_PROFILES: run there with no flag, berth finds
	// both files, the project's name and extra's profile.
	cwd := filepath.Join(s.dir, "cwd")
	if r := s.berthBare(cwd, nil, "up", "-d"); r.code != 0 {
		t.Fatalf("up in cwd/ with its .env: exit %d\n%s", r.code, r.stderr)
	}
	if got := s.services(); got != "extra,web,worker" {
		t.Errorf("up in cwd/ with its .env: running %q in project %s, want extra,web,worker", got, s.project)
	}
	if r := s.berthBare(cwd, nil, "down"); r.code != 0 {
		t.Errorf("down in cwd/ with its .env: exit %d\n%s", r.code, r.stderr)
	}
	if got := s.services(); got != "" {
		t.Errorf("after down in cwd/: running %q", got)
	}
}

// berthBare runs the CLI in dir with the scenario's environment and extra, without
// the project name and progress flags berth() gives: what the environment and a
// .env say instead is under test.
func (s *scenario) berthBare(dir string, extra []string, args ...string) result {
	s.t.Helper()
	cmd := exec.Command(s.binary(), args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), s.env...), extra...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		s.t.Fatalf("berth %v: %v", args, err)
	}
	return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
}

// TestBuildProgressEnv: BUILDKIT_PROGRESS, like --progress, reaches the build's
// output: plain prints the builder's steps, quiet none; COMPOSE_PROGRESS wins.
func TestBuildProgressEnv(t *testing.T) {
	s := newBuildScenario(t)
	project := []string{"COMPOSE_PROJECT_NAME=" + s.project}
	r := s.berthBare(s.dir, append(project, "BUILDKIT_PROGRESS=plain"), "build", "--no-cache")
	if r.code != 0 || !strings.Contains(r.stderr, "RUN echo building") {
		t.Errorf("build with BUILDKIT_PROGRESS=plain: exit %d, want the builder's steps:\n%s", r.code, r.stderr)
	}
	r = s.berthBare(s.dir, append(project, "BUILDKIT_PROGRESS=quiet"), "build", "--no-cache")
	if r.code != 0 || r.stderr != "" {
		t.Errorf("build with BUILDKIT_PROGRESS=quiet: exit %d, want nothing on stderr:\n%s", r.code, r.stderr)
	}
	r = s.berthBare(s.dir, append(project, "BUILDKIT_PROGRESS=quiet", "COMPOSE_PROGRESS=plain"), "build")
	if r.code != 0 || !strings.Contains(r.stderr, "Built") {
		t.Errorf("build with COMPOSE_PROGRESS=plain over BUILDKIT_PROGRESS=quiet: exit %d:\n%s", r.code, r.stderr)
	}
}
