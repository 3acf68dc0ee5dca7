package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
)

// hostileNames are names that would leave their directory if made into a path.
var hostileNames = []string{"..", "../..", "a/b", ".hidden", ""}

// TestHostileNames: volume, network and project names from the command line are
// refused with one line naming them, and nothing under the state root moves. The
// state root is a directory of the test's own (BERTH_STATE_ROOT), so that a berth
// without the check can be run here without harm: `volume rm ..` then removes the
// namespace's state directory whole, `volume rm ../..` the root.
func TestHostileNames(t *testing.T) {
	s := newScenario(t)
	root := t.TempDir()
	// berth makes its run root a shared mount of itself (network.ShareRunRoot): it
	// goes before the temporary directory does.
	t.Cleanup(func() { _ = syscall.Unmount(filepath.Join(root, "run"), syscall.MNT_DETACH) })
	env := []string{"BERTH_STATE_ROOT=" + filepath.Join(root, "state"), "BERTH_RUN_ROOT=" + filepath.Join(root, "run")}
	keep := []string{
		filepath.Join(root, "state", "keep"),
		filepath.Join(root, "state", namespace, "keep"),
		filepath.Join(root, "state", namespace, "volumes", ".hidden", "keep"),
	}
	for _, f := range keep {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("keep\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if r := s.berthEnv(env, "volume", "create", "e2e-keep"); r.code != 0 {
		t.Fatalf("volume create: %s", r.stderr)
	}
	before := listTree(t, root)

	for _, name := range hostileNames {
		for _, verb := range [][]string{
			{"volume", "rm", name}, {"volume", "rm", "-f", name}, {"volume", "create", name}, {"volume", "inspect", name},
			{"network", "create", name}, {"network", "rm", name}, {"network", "inspect", name},
		} {
			r := s.berthEnv(env, verb...)
			kind := verb[0]
			refused(t, r, verb, fmt.Sprintf("invalid %s name %q", kind, name))
		}
		// -p on the path with no compose file: the name becomes the project's lock.
		for _, verb := range []string{"down", "ps"} {
			r := s.berthEnv(env, "--project-name", name, verb)
			want := fmt.Sprintf("invalid project name %q", name)
			if name == "" {
				want = "no configuration file provided" // no name: the directory has no file
			}
			refused(t, r, []string{"-p", name, verb}, want)
		}
	}
	if after := listTree(t, root); strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("the state root changed:\nbefore %v\nafter  %v", before, after)
	}
	if r := s.berthEnv(env, "volume", "rm", "e2e-keep"); r.code != 0 {
		t.Errorf("volume rm of a good name after the refusals: %s", r.stderr)
	}
}

// refused checks that berth exited non-zero with one line that says want.
func refused(t *testing.T, r result, args []string, want string) {
	t.Helper()
	msg := strings.TrimSpace(r.stderr)
	switch {
	case r.code == 0:
		t.Errorf("berth %q: exit 0 (stdout %q)", args, r.stdout)
	case !strings.Contains(msg, want):
		t.Errorf("berth %q: %q does not say %q", args, msg, want)
	case strings.Contains(msg, "\n"):
		t.Errorf("berth %q: more than one line: %q", args, msg)
	}
}

// listTree is every path under dir, sorted.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestPublishedPortTaken: a fixed host port that a host program listens on, or that
// a container of another project publishes, is refused before anything is made,
// naming the port and the holder; a recreate keeps its own port.
func TestPublishedPortTaken(t *testing.T) {
	// The second project's scenario is made first, so that its check of what is
	// left runs after the first project's down.
	second := newScenario(t)
	second.project += "-second"
	s := newScenario(t)

	l, err := net.Listen("tcp4", "127.0.0.1:18611")
	if err != nil {
		t.Fatalf("the test's own listener: %v", err)
	}
	r := s.berth("up", "-d")
	l.Close()
	refused(t, r, []string{"up", "-d"}, `service "web": port is already allocated: 127.0.0.1:18611/tcp: address already in use`)
	s.madeNothing()

	s.must("up", "-d")
	s.must("up", "-d", "--force-recreate") // its own port: no conflict with itself
	r = second.berth("up", "-d")
	refused(t, r, []string{"second project", "up", "-d"}, fmt.Sprintf("127.0.0.1:18611/tcp is published by container %s-web-1", s.project))
	second.madeNothing()
}

// madeNothing checks that the project has no container and no network.
func (s *scenario) madeNothing() {
	s.t.Helper()
	if ps := s.ps(true); len(ps) != 0 {
		s.t.Errorf("containers made: %+v", ps)
	}
	for _, line := range strings.Split(s.must("network", "ls", "--format", "json"), "\n") {
		var n struct{ Name string }
		if json.Unmarshal([]byte(line), &n) == nil && strings.HasPrefix(n.Name, s.project+"_") {
			s.t.Errorf("network made: %s", n.Name)
		}
	}
}

// TestVolumePrivate: a host user other than root cannot read what a container
// wrote into a volume; the container's own non-root users still can; a volumes
// directory a berth before this rule left open is closed on the next up.
func TestVolumePrivate(t *testing.T) {
	s := newScenario(t)
	volumes := filepath.Join(statePaths().StateDir, "volumes")
	if err := os.MkdirAll(volumes, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(volumes, 0o755); err != nil { // as berth left it before
		t.Fatal(err)
	}
	s.must("up", "-d")
	eventually(t, 10*time.Second, "the file is written", func() error {
		if out := s.berth("exec", "-T", "app", "cat", "/data/f").stdout; out != "volume-secret\n" {
			return fmt.Errorf("cat: %q", out)
		}
		return nil
	})
	if out := s.must("exec", "-T", "-u", "65534:65534", "app", "cat", "/data/f"); out != "volume-secret\n" {
		t.Errorf("a non-root user of the container reads %q", out)
	}
	var vols []struct{ Mountpoint string }
	if err := json.Unmarshal([]byte(s.must("volume", "inspect", s.project+"_data")), &vols); err != nil || len(vols) != 1 {
		t.Fatalf("volume inspect: %v", err)
	}
	file := filepath.Join(vols[0].Mountpoint, "f")
	if b, err := os.ReadFile(file); err != nil || string(b) != "volume-secret\n" {
		t.Fatalf("root reads %s: %q %v", file, b, err)
	}
	out, err := exec.Command("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "cat", file).CombinedOutput()
	if err == nil {
		t.Errorf("the host user nobody read %s: %q", file, out)
	} else if !strings.Contains(string(out), "Permission denied") {
		t.Errorf("nobody's cat failed, but not for want of permission: %v: %s", err, out)
	}
	if st, err := os.Stat(volumes); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("%s: %v %v, want 0700", volumes, st.Mode(), err)
	}
}

// TestHostileLabel: a volume name read from a container's labels is checked like
// one from the command line before it becomes a path. The label names a canary
// beside the volumes directory, so that a berth without the check removes only
// the canary.
func TestHostileLabel(t *testing.T) {
	s := newScenario(t)
	s.must("up")
	canary := filepath.Join(statePaths().StateDir, "e2e-label-canary")
	if err := os.MkdirAll(canary, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(canary)
	if err := os.WriteFile(filepath.Join(canary, "keep"), []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	ct, err := c.LoadContainer(ctx, s.ids()[s.project+"-box-1"])
	if err != nil {
		t.Fatal(err)
	}
	labels, err := ct.Labels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const label = "berth.anonymous-volumes"
	if labels[label] == "" {
		t.Fatalf("the container has no %s label: %v", label, labels)
	}
	if _, err := ct.SetLabels(ctx, map[string]string{label: labels[label] + ",../e2e-label-canary"}); err != nil {
		t.Fatal(err)
	}
	r := s.berth("rm", "-f", "-v", "box")
	if r.code == 0 || !strings.Contains(r.stderr, `invalid volume name "../e2e-label-canary"`) {
		t.Errorf("rm -v of a container whose label names ../e2e-label-canary: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(canary, "keep")); err != nil {
		t.Errorf("the canary beside the volumes directory: %v", err)
	}
}
