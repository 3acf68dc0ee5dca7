package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
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
