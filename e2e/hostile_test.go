package e2e

import (
	"fmt"
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
