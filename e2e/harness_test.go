package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/core/snapshots"

	"berth.dev/berth/network"
	"berth.dev/berth/network/networktest"
)

// scenario is one test's project: testdata/<TestName>/compose.yaml, a project name
// of its own, and the berth command line pointed at both.
type scenario struct {
	t       testing.TB
	dir     string
	project string
	env     []string
	bin     string // the berth binary run, berthBin unless the test builds its own
}

// newScenario starts a test on its compose project and, when the test ends, takes
// the project down and checks that nothing it made is left.
func newScenario(t *testing.T) *scenario {
	t.Helper()
	return newScenarioIn(t, filepath.Join("testdata", t.Name()))
}

func newScenarioIn(t *testing.T, dir string) *scenario {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := &scenario{
		t:       t,
		dir:     abs,
		bin:     berthBin,
		project: "e2e-" + strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-")),
		env: []string{
			"CONTAINERD_NAMESPACE=" + namespace,
			// The resolver forwards nothing off this machine during tests.
			"BERTH_DNS_UPSTREAMS=none",
			// Builds go to buildah, whatever buildkitd the host runs; a BuildKit test
			// points berth at a buildkitd of its own.
			"BERTH_BUILDER=buildah",
		},
	}
	before := takeInventory(t)
	t.Cleanup(func() {
		r := s.berth("down", "-v", "--remove-orphans", "-t", "1")
		if r.code != 0 {
			t.Errorf("down after the test: exit %d: %s", r.code, r.stderr)
		}
		after := takeInventory(t)
		if diff := before.diff(after); diff != "" {
			t.Errorf("left behind after down:\n%s", diff)
		}
	})
	return s
}

// binary is the berth the scenario runs: its own, or the one under test.
func (s *scenario) binary() string {
	if s.bin != "" {
		return s.bin
	}
	return berthBin
}

type result struct {
	stdout, stderr string
	code           int
}

// command is the CLI as a process of the test's own, in the scenario's directory
// with its project name, for a test that signals it or reads it as it runs.
func (s *scenario) command(args ...string) *exec.Cmd {
	cmd := exec.Command(s.binary(), append([]string{"-p", s.project}, args...)...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), s.env...)
	return cmd
}

// startUntil starts the CLI with plain progress and returns once its standard
// error has printed a line with want (or ended), with what it printed so far; the
// rest is read and dropped in the background.
func (s *scenario) startUntil(want string, args ...string) (*exec.Cmd, string) {
	s.t.Helper()
	cmd := s.command(append([]string{"--progress", "plain"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), want) {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	return cmd, out.String()
}

// berth runs the CLI in the scenario's directory with its project name.
func (s *scenario) berth(args ...string) result {
	s.t.Helper()
	return s.berthEnv(nil, args...)
}

func (s *scenario) berthEnv(extra []string, args ...string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.binary(), append([]string{"-p", s.project, "--progress", "plain"}, args...)...)
	cmd.Dir = s.dir
	cmd.Env = append(append(os.Environ(), s.env...), extra...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("berth %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

// must runs berth and fails the test on a non-zero exit.
func (s *scenario) must(args ...string) string {
	s.t.Helper()
	r := s.berth(args...)
	if r.code != 0 {
		s.t.Fatalf("berth %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// psEntry is a line of `ps --format json`.
type psEntry struct {
	ID, Name, Service, State string
	ExitCode                 int
}

func (s *scenario) ps(all bool) []psEntry {
	s.t.Helper()
	args := []string{"ps", "--format", "json", "--no-trunc"}
	if all {
		args = append(args, "-a")
	}
	var out []psEntry
	for _, line := range strings.Split(strings.TrimSpace(s.must(args...)), "\n") {
		if line == "" {
			continue
		}
		var e psEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			s.t.Fatalf("ps json line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

// ids maps container names to IDs.
func (s *scenario) ids() map[string]string {
	m := map[string]string{}
	for _, e := range s.ps(true) {
		m[e.Name] = e.ID
	}
	return m
}

// eventually retries check until it returns nil, at most for limit.
func eventually(t testing.TB, limit time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, limit, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// inventory is everything berth can leave on the host.
type inventory struct {
	containers, tasks, snapshots []string
	host                         networktest.Snapshot
	stateFiles                   []string
	// mounts under berth's state and run directories (namespaces, shm, volumes);
	// leases in the namespace (a create's, a pull's).
	mounts, leases []string
	// strayCopies are copies of berth in bin/ that nothing needs: not the one under
	// test, named by no container, held by no running berth.
	strayCopies []string
}

func statePaths() network.Paths {
	return network.Paths{StateDir: filepath.Join("/var/lib/berth", namespace), RunDir: filepath.Join("/run/berth", namespace)}
}

func takeInventory(t *testing.T) inventory {
	t.Helper()
	ctx := context.Background()
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var inv inventory
	cs, err := c.Containers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range cs {
		inv.containers = append(inv.containers, x.ID())
		if task, err := x.Task(ctx, nil); err == nil {
			inv.tasks = append(inv.tasks, task.ID())
		}
	}
	// Image layers stay in the store by design; active snapshots are containers'.
	err = c.SnapshotService("overlayfs").Walk(ctx, func(_ context.Context, info snapshots.Info) error {
		if info.Kind == snapshots.KindActive {
			inv.snapshots = append(inv.snapshots, info.Name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.ContainerService().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inv.strayCopies = strayCopies(t, all)
	ls, err := c.LeasesService().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		inv.leases = append(inv.leases, l.ID)
	}
	if inv.host, err = networktest.Inventory(networktest.Layout(statePaths().Layout())); err != nil {
		t.Fatal(err)
	}
	root := statePaths().StateDir
	_ = filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		// Copies of berth are strayCopies' to judge; the lock files stay on purpose;
		// berth's buildkitd (kept running by design) is judged by the tests that
		// start it (useOwnBuildkitd).
		if strings.HasPrefix(rel, "bin/") || strings.HasPrefix(rel, "locks/") || rel == "networks.lock" ||
			strings.HasPrefix(rel, "buildkit/") || strings.HasPrefix(rel, "logs/"+ownBuildkitdID+".log") {
			return nil
		}
		inv.stateFiles = append(inv.stateFiles, rel)
		return nil
	})
	inv.mounts = berthMounts(t)
	for _, l := range [][]string{inv.containers, inv.tasks, inv.snapshots, inv.stateFiles, inv.mounts, inv.leases} {
		sort.Strings(l)
	}
	return inv
}

// strayCopies lists the copies of berth in the state directory's bin/ that nothing
// needs any more (see pruneBinaries in compose/containerd).
func strayCopies(t *testing.T, all []containers.Container) []string {
	dir := filepath.Join(statePaths().StateDir, "bin")
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if ownCopies[e.Name()] || strings.HasPrefix(e.Name(), ".") || named(all, path) || held(path) {
			continue
		}
		out = append(out, "bin/"+e.Name())
	}
	return out
}

func named(all []containers.Container, path string) bool {
	for _, c := range all {
		for _, v := range c.Labels {
			if strings.Contains(v, path) {
				return true
			}
		}
	}
	return false
}

// held reports whether a running berth holds its flock on path.
func held(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil
}

// berthMounts lists the mount points under berth's state and run directories of
// the test namespace, from the kernel's own table.
func berthMounts(t *testing.T) []string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		at := f[4]
		for _, dir := range []string{statePaths().StateDir, statePaths().RunDir} {
			if strings.HasPrefix(at, dir+"/") {
				out = append(out, at)
			}
		}
	}
	return out
}

func (a inventory) diff(b inventory) string {
	var out strings.Builder
	list := func(what string, x, y []string) {
		if strings.Join(x, "\n") != strings.Join(y, "\n") {
			fmt.Fprintf(&out, "%s: before %v, after %v\n", what, x, y)
		}
	}
	list("containers", a.containers, b.containers)
	list("tasks", a.tasks, b.tasks)
	list("active snapshots", a.snapshots, b.snapshots)
	list("state files", a.stateFiles, b.stateFiles)
	list("mounts", a.mounts, b.mounts)
	// A copy that was stray before is another run's; one stray now is this test's.
	var stray []string
	for _, x := range b.strayCopies {
		if !slices.Contains(a.strayCopies, x) {
			stray = append(stray, x)
		}
	}
	if len(stray) > 0 {
		fmt.Fprintf(&out, "copies of berth nothing needs: %v\n", stray)
	}
	list("leases", a.leases, b.leases)
	if d := a.host.Diff(b.host); d != "" {
		out.WriteString(d)
	}
	return out.String()
}

// runningPid is the PID of a container's task when it runs, else an error saying
// what it is.
func runningPid(id string) (uint32, error) {
	ctx := context.Background()
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		return 0, err
	}
	defer c.Close()
	ct, err := c.LoadContainer(ctx, id)
	if err != nil {
		return 0, err
	}
	task, err := ct.Task(ctx, nil)
	if err != nil {
		return 0, err
	}
	st, err := task.Status(ctx)
	if err != nil {
		return 0, err
	}
	if st.Status != ctrd.Running {
		return 0, fmt.Errorf("task is %s", st.Status)
	}
	return task.Pid(), nil
}

// restartStatus is the status containerd's restart monitor keeps a container
// in (its restart.status label): "running" has the monitor start its task
// again whenever it finds it gone, "stopped" leaves it down.
func restartStatus(t testing.TB, id string) string {
	t.Helper()
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	ct, err := c.LoadContainer(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	labels, err := ct.Labels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return labels["containerd.io/restart.status"]
}

// lookupFrom asks the resolver of container `from` for name, with busybox's
// nslookup, and returns the addresses it answered, sorted (IPv4 and IPv6).
func lookupFrom(s *scenario, from, name string) []string {
	out := s.berth("exec", "-T", from, "nslookup", name).stdout
	// busybox nslookup prints the server first, then the answers.
	_, answers, _ := strings.Cut(out, "Name:")
	var ips []string
	for _, m := range regexp.MustCompile(`Address(?: \d+)?:\s+([0-9a-fA-F.:]+)`).FindAllStringSubmatch(answers, -1) {
		ips = append(ips, m[1])
	}
	sort.Strings(ips)
	return ips
}
