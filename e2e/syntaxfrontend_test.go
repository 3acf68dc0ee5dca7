package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildSyntaxFrontend builds a Dockerfile whose `# syntax=` line names a
// frontend image by a registry that berth's hosts dir sends to the test registry:
// berth's buildkitd, configured from that hosts dir, pulls the frontend through it
// and the frontend reads the Dockerfile.
func TestBuildSyntaxFrontend(t *testing.T) {
	s := newBuildScenarioOf(t, t.Name())
	useOwnBuildkitd(t, s)
	frontend := filepath.Join(os.Getenv("BUILDKIT_BINS"), "dockerfile-frontend")
	if _, err := os.Stat(frontend); err != nil {
		t.Skip("no dockerfile-frontend in BUILDKIT_BINS: run BUILDKIT_BINS=$(scripts/buildkit-bins)")
	}
	bin, err := os.ReadFile(frontend)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "frontend", "dockerfile-frontend"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteFromRegistry(t, "berth-e2e/dockerfile-frontend", "syntax-test") })
	s.must("--profile", "frontend", "build", "--push", "frontend")
	before := ownBuildkitdPid()

	hosts := t.TempDir()
	write(t, filepath.Join(hosts, "frontend.berth.test", "hosts.toml"), "server = \"http://"+registry+"\"\n")
	r := s.berth("--hosts-dir", hosts, "build", "app")
	if r.code != 0 {
		t.Fatalf("build app: exit %d\n%s", r.code, r.stderr)
	}
	const image = "docker-image://frontend.berth.test/berth-e2e/dockerfile-frontend:syntax-test"
	for _, want := range []string{"resolve image config for " + image, " " + image + "@sha256:"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the build does not show %q: the frontend image did not read the Dockerfile:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "note: BuildKit reaches registry") {
		t.Errorf("a note that BuildKit does not follow the hosts dir:\n%s", r.stderr)
	}
	// Another hosts dir is another buildkitd.toml: berth's buildkitd was started
	// again for it, and is kept for the next build with the same one.
	after := ownBuildkitdPid()
	if after == 0 || after == before {
		t.Errorf("berth's buildkitd ran as pid %d before the hosts dir changed, %d after: want it started again", before, after)
	}
	s.must("--hosts-dir", hosts, "build", "app")
	if again := ownBuildkitdPid(); again != after {
		t.Errorf("berth's buildkitd was started again (pid %d, then %d) for the same hosts dir", after, again)
	}
	if out := strings.TrimSpace(s.must("--hosts-dir", hosts, "run", "--rm", "app")); out != "read by the frontend image" {
		t.Errorf("the image built prints %q", out)
	}
}
