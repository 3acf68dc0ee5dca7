package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestDownServices: `down SERVICE…` removes those services' containers and those of
// the services that depend on them, as docker compose; a network or volume goes
// only when no remaining container uses it.
func TestDownServices(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	// The project's networks or volumes (kind), by their keys in the file.
	listed := func(kind string) []string {
		var out []string
		for _, l := range strings.Split(s.must(kind, "ls", "-q"), "\n") {
			if strings.HasPrefix(l, s.project+"_") {
				out = append(out, strings.TrimPrefix(l, s.project+"_"))
			}
		}
		slices.Sort(out)
		return out
	}
	nets := func() []string { return listed("network") }
	vols := func() []string { return listed("volume") }

	// web alone: db and cache stay, and so do both networks (db is on back, cache on front).
	s.must("down", "web")
	if got := s.services(); got != "cache,db" {
		t.Errorf("after down web, running %q, want cache,db", got)
	}
	if got := nets(); !slices.Equal(got, []string{"back", "front"}) {
		t.Errorf("after down web, networks %v, want back and front", got)
	}
	// db takes web (which depends on it) along; back has no user left, front has cache;
	// -v removes db's volume, not cache's.
	s.must("up", "-d")
	s.must("down", "-v", "db")
	if got := s.services(); got != "cache" {
		t.Errorf("after down db, running %q, want cache (web depends on db)", got)
	}
	if got := nets(); !slices.Equal(got, []string{"front"}) {
		t.Errorf("after down db, networks %v, want front only", got)
	}
	if got := vols(); !slices.Equal(got, []string{"cachedata"}) {
		t.Errorf("after down -v db, volumes %v, want cachedata only", got)
	}
	if r := s.berth("down", "nosuch"); r.code == 0 || !strings.Contains(r.stderr, "nosuch") {
		t.Errorf("down of an unknown service: exit %d, %q", r.code, r.stderr)
	}
	if got := s.services(); got != "cache" {
		t.Errorf("a refused down removed something: running %q", got)
	}
}

// TestSwarmKeys: a file with the swarm-only deploy keys docker compose ignores on one
// engine comes up, with one warning naming each key, and replicas still counts.
func TestSwarmKeys(t *testing.T) {
	s := newScenario(t)
	r := s.berth("up", "-d")
	if r.code != 0 {
		t.Fatalf("up: exit %d: %s", r.code, r.stderr)
	}
	for key, service := range map[string]string{
		"deploy.mode": "web", "deploy.endpoint_mode": "web", "deploy.labels": "web", "deploy.placement": "web",
		"deploy.update_config": "web", "deploy.rollback_config": "web", "deploy.restart_policy.delay": "web",
		"deploy.restart_policy.window": "web", "deploy.resources.reservations.cpus": "web",
	} {
		n := 0
		for _, l := range strings.Split(r.stderr, "\n") {
			if strings.Contains(l, `field "`+key+`" is ignored`) && strings.Contains(l, `service "`+service+`"`) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d warnings name %s of %s, want 1:\n%s", n, key, service, r.stderr)
		}
	}
	if n := strings.Count(r.stderr, `service "worker": field "deploy.mode" is ignored`); n != 1 {
		t.Errorf("%d warnings for worker's mode: global, want 1:\n%s", n, r.stderr)
	}
	if got := s.services(); got != "web,web,worker" {
		t.Errorf("running %q, want two web replicas and one worker", got)
	}
}

// TestBridgeNetworkMode: network_mode: bridge, as docker compose files often say,
// puts the service on the project's default network.
func TestBridgeNetworkMode(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	if r := s.berth("exec", "-T", "app", "nslookup", "db"); r.code != 0 {
		t.Errorf("app (network_mode: bridge) does not resolve db on the default network: %s %s", r.stdout, r.stderr)
	}
	if r := s.berth("exec", "-T", "db", "ping", "-c", "1", "-W", "5", "app"); r.code != 0 {
		t.Errorf("db does not reach app: %s %s", r.stdout, r.stderr)
	}
	if out := s.must("network", "ls", "-q"); !strings.Contains(out, s.project+"_default") {
		t.Errorf("no default network: %s", out)
	}
}

// TestContainerEnv: what a process sees in its environment, as on Docker: its
// container's HOSTNAME (each replica its own, the image's or the file's over it),
// TERM=xterm when the container has a TTY, and Docker's PATH when the image sets none.
func TestContainerEnv(t *testing.T) {
	// bare's image sets HOSTNAME and no PATH.
	pushVariant(t, "berth/busybox-bare", func(cf *v1.ConfigFile) { cf.Config.Env = []string{"HOSTNAME=from-the-image"} })
	s := newScenario(t)
	s.must("up", "-d")
	env := func(args ...string) string {
		return strings.TrimSpace(s.must(append([]string{"exec", "-T"}, args...)...))
	}
	first := env("--index", "1", "web", "sh", "-c", `echo "$HOSTNAME $(hostname)"`)
	second := env("--index", "2", "web", "sh", "-c", `echo "$HOSTNAME $(hostname)"`)
	for _, got := range []string{first, second} {
		f := strings.Fields(got)
		if len(f) != 2 || f[0] != f[1] {
			t.Errorf("HOSTNAME and hostname differ: %q", got)
		}
	}
	if first == second {
		t.Errorf("both replicas have HOSTNAME %q", first)
	}
	if got := env("named", "sh", "-c", `echo "$HOSTNAME ${TERM:-none}"`); got != "custom-host xterm" {
		t.Errorf("hostname: and tty: true give %q, want custom-host xterm", got)
	}
	if got := env("overridden", "sh", "-c", `echo "$HOSTNAME ${TERM:-none}"`); got != "from-the-file none" {
		t.Errorf("the file's HOSTNAME and no TTY give %q, want from-the-file none", got)
	}
	const dockerPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	if got := env("bare", "sh", "-c", `echo "$PATH $HOSTNAME ${TERM:-none}"`); got != dockerPath+" from-the-image none" {
		t.Errorf("an image with HOSTNAME and no PATH gives %q, want %s from-the-image none", got, dockerPath)
	}
	if got := env("web", "sh", "-c", "echo $PATH"); got != dockerPath {
		t.Errorf("PATH %q", got)
	}
}

// TestParityFlags: docker compose's flags of create, up, ps, restart, start and kill
// that scripts use.
func TestParityFlags(t *testing.T) {
	s := newScenario(t)
	// create --pull/--quiet-pull/-y, then start --wait: db is healthy when it returns.
	s.must("create", "-y", "--quiet-pull", "--pull", "missing", "db", "web", "extra")
	if r := s.berth("create", "--pull", "sometimes", "db"); r.code == 0 {
		t.Errorf("create --pull sometimes was accepted")
	}
	s.must("start", "--wait", "--wait-timeout", "60", "db")
	for _, c := range s.ps(false) {
		if c.Service == "db" && !strings.Contains(s.must("ps", "db"), "healthy") {
			t.Errorf("db is not healthy when start --wait returns: %s", s.must("ps", "db"))
		}
	}
	s.must("start", "web", "extra")

	// up attached with --no-log-prefix and --attach-dependencies: talker's line too, bare.
	r := s.berth("up", "-y", "--quiet-build", "--no-log-prefix", "--attach-dependencies", "hello")
	lines := strings.Split(r.stdout, "\n")
	if r.code != 0 || !slices.Contains(lines, "said-by-hello") || !slices.Contains(lines, "said-by-talker") {
		t.Errorf("up --no-log-prefix --attach-dependencies hello: exit %d, want both lines bare:\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	// ps --status, --filter status=, --orphans, --no-trunc.
	names := func(args ...string) string {
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(s.must(append(args, "--services")...)), "\n") {
			if l != "" {
				out = append(out, l)
			}
		}
		slices.Sort(out)
		return strings.Join(out, ",")
	}
	if got := names("ps", "--status", "exited"); got != "hello,talker" {
		t.Errorf("ps --status exited: %q", got)
	}
	if got := names("ps", "--filter", "status=running"); got != "db,extra,web" {
		t.Errorf("ps --filter status=running: %q", got)
	}
	if got := names("-f", "partial.yaml", "ps", "--orphans=false"); got != "db,web" {
		t.Errorf("ps --orphans=false with extra not in the file: %q", got)
	}
	if got := names("-f", "partial.yaml", "ps"); got != "db,extra,web" {
		t.Errorf("ps with extra not in the file: %q", got)
	}
	if out := s.must("ps", "--no-trunc", "web"); !strings.Contains(out, "exec sleep 3600") {
		t.Errorf("ps --no-trunc cut the command:\n%s", out)
	}
	if r := s.berth("ps", "--status", "asleep"); r.code == 0 {
		t.Errorf("ps --status asleep was accepted")
	}

	// restart db restarts web (restart: true) unless --no-deps.
	starts := func() int {
		return strings.Count(s.must("exec", "-T", "web", "cat", "/tmp/starts"), "start")
	}
	before := starts()
	s.must("restart", "--no-deps", "db")
	if got := starts(); got != before {
		t.Errorf("restart --no-deps db restarted web: %d starts, was %d", got, before)
	}
	s.must("restart", "db")
	if got := starts(); got != before+1 {
		t.Errorf("restart db: web started %d times, want %d", got, before+1)
	}

	// kill --remove-orphans: extra, not in partial.yaml, goes.
	s.must("-f", "partial.yaml", "kill", "--remove-orphans")
	for _, c := range s.ps(true) {
		if c.Service == "extra" {
			t.Errorf("kill --remove-orphans left %s (%s)", c.Name, c.State)
		}
	}
}

// TestLogsWindow: logs --since, --until and --index, as docker compose reads them.
func TestLogsWindow(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	var early, late time.Time
	eventually(t, 30*time.Second, "both lines of replica 1", func() error {
		early, late = time.Time{}, time.Time{}
		for _, l := range strings.Split(s.must("logs", "-t", "--no-log-prefix", "--index", "1"), "\n") {
			ts, text, _ := strings.Cut(l, " ")
			at, err := time.Parse(time.RFC3339Nano, ts)
			switch {
			case err != nil:
			case text == "early":
				early = at
			case text == "late":
				late = at
			}
		}
		if early.IsZero() || late.IsZero() {
			return fmt.Errorf("not yet")
		}
		return nil
	})
	mid := early.Add(late.Sub(early) / 2).Format(time.RFC3339Nano)
	if out := s.must("logs", "--since", mid, "--index", "1"); !strings.Contains(out, "late") || strings.Contains(out, "early") || !strings.Contains(out, "ticker-1") || strings.Contains(out, "ticker-2") {
		t.Errorf("logs --since %s --index 1:\n%s", mid, out)
	}
	if out := s.must("logs", "--until", mid); strings.Count(out, "early") < 1 || strings.Contains(out, "late") {
		t.Errorf("logs --until %s:\n%s", mid, out)
	}
	if out := s.must("logs", "--since", "1h"); !strings.Contains(out, "ticker-1") || !strings.Contains(out, "ticker-2") {
		t.Errorf("logs --since 1h:\n%s", out)
	}
}

// TestRunFlags: run's docker compose flags: --env-from-file under -e, --cap-add and
// --cap-drop, -q and --quiet-pull, --remove-orphans.
func TestRunFlags(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d", "extra")
	r := s.berth("run", "--rm", "-q", "--quiet-pull", "--env-from-file", "run.env", "-e", "OVERRIDDEN=flag", "box",
		"sh", "-c", "echo $FROM_FILE $OVERRIDDEN")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "in-file flag" {
		t.Errorf("run --env-from-file -e: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
	if r := s.berth("run", "--rm", "--cap-drop", "CHOWN", "box", "chown", "1", "/tmp"); r.code == 0 {
		t.Errorf("run --cap-drop CHOWN: chown succeeded")
	}
	if r := s.berth("run", "--rm", "box", "chown", "1", "/tmp"); r.code != 0 {
		t.Errorf("run without --cap-drop: chown failed: %s", r.stderr)
	}
	if r := s.berth("run", "--rm", "--cap-add", "NET_ADMIN", "box", "ip", "addr", "add", "10.9.9.9/32", "dev", "lo"); r.code != 0 {
		t.Errorf("run --cap-add NET_ADMIN: %s %s", r.stdout, r.stderr)
	}
	if r := s.berth("run", "--rm", "box", "ip", "addr", "add", "10.9.9.9/32", "dev", "lo"); r.code == 0 {
		t.Errorf("run without --cap-add NET_ADMIN added an address")
	}
	// --use-aliases: the one-off answers to its service's name, which it otherwise does not.
	if r := s.berth("exec", "-T", "extra", "nslookup", "box"); r.code == 0 {
		t.Errorf("box resolves with no container of it: %s", r.stdout)
	}
	s.must("run", "-d", "--use-aliases", "box", "sleep", "300")
	if r := s.berth("exec", "-T", "extra", "nslookup", "box"); r.code != 0 {
		t.Errorf("a one-off run with --use-aliases does not answer to its service's name: %s %s", r.stdout, r.stderr)
	}
	s.must("-f", "partial.yaml", "run", "--rm", "--remove-orphans", "box", "true")
	for _, c := range s.ps(true) {
		if c.Service == "extra" {
			t.Errorf("run --remove-orphans left %s", c.Name)
		}
	}
}

// TestPullIgnoreBuildable: pull --ignore-buildable leaves out the services that
// build their image; plain pull fetches them too (their image names a registry).
func TestPullIgnoreBuildable(t *testing.T) {
	s := newScenario(t)
	const buildable = "127.0.0.1:5050/berth/busybox-volume:latest"
	r := s.berth("pull", "--ignore-buildable")
	if r.code != 0 || strings.Contains(r.stderr, buildable) || !strings.Contains(r.stderr, "berth/busybox:latest") {
		t.Errorf("pull --ignore-buildable: exit %d, want busybox pulled and not %s:\n%s", r.code, buildable, r.stderr)
	}
	if r := s.berth("pull"); r.code != 0 || !strings.Contains(r.stderr, buildable) {
		t.Errorf("pull: exit %d, want %s pulled:\n%s", r.code, buildable, r.stderr)
	}
}

// TestScaleVerbAndVolumes: docker compose's scale and volumes verbs.
func TestScaleVerbAndVolumes(t *testing.T) {
	s := newScenario(t)
	s.must("scale", "web=3")
	if got := s.services(); got != "db,web,web,web" {
		t.Errorf("after scale web=3: %q, want db (a dependency) and three web", got)
	}
	s.must("scale", "--no-deps", "web=1")
	if got := s.services(); got != "db,web" {
		t.Errorf("after scale web=1: %q", got)
	}
	if r := s.berth("scale", "web=many"); r.code == 0 {
		t.Errorf("scale web=many was accepted")
	}
	vols := func(args ...string) string {
		names := strings.Fields(s.must(append([]string{"volumes", "-q"}, args...)...))
		slices.Sort(names)
		return strings.Join(names, ",")
	}
	if got := vols(); got != s.project+"_dbdata,"+s.project+"_webdata" {
		t.Errorf("volumes -q: %q", got)
	}
	if got := vols("web"); got != s.project+"_webdata" {
		t.Errorf("volumes -q web: %q", got)
	}
	if out := s.must("volumes"); !strings.Contains(out, "VOLUME NAME") || !strings.Contains(out, s.project+"_dbdata") {
		t.Errorf("volumes:\n%s", out)
	}
}

// TestCpFlags: cp -a keeps the owners, cp -L copies what a link points to.
func TestCpFlags(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	s.must("exec", "-T", "box", "sh", "-c", "echo owned > /owned && chown 1234:1234 /owned")
	dir := t.TempDir()
	owner := func(path string) uint32 {
		st, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		return st.Sys().(*syscall.Stat_t).Uid
	}
	s.must("cp", "-a", "box:/owned", filepath.Join(dir, "kept"))
	s.must("cp", "box:/owned", filepath.Join(dir, "plain"))
	if got := owner(filepath.Join(dir, "kept")); got != 1234 {
		t.Errorf("cp -a: owner %d, want 1234", got)
	}
	if got := owner(filepath.Join(dir, "plain")); got != uint32(os.Getuid()) {
		t.Errorf("cp: owner %d, want berth's own %d", got, os.Getuid())
	}

	if err := os.WriteFile(filepath.Join(dir, "real.txt"), []byte("real\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	s.must("cp", "-L", filepath.Join(dir, "link"), "box:/followed")
	s.must("cp", filepath.Join(dir, "link"), "box:/kept-link")
	if out := s.must("exec", "-T", "box", "sh", "-c", "cat /followed; test -L /followed || echo regular; test -L /kept-link && echo link"); out != "real\nregular\nlink\n" {
		t.Errorf("cp -L and cp of a link: %q, want the file's content, a regular file, and a link kept", out)
	}
}
