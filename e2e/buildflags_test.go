package e2e

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBuildCheck: build --check runs BuildKit's Dockerfile checks and builds
// nothing, failing on a file they warn about; build --ssh gives a RUN step a key
// the compose file does not name; build --print prints the bake file; build
// --provenance builds an image with its attestation.
func TestBuildCheck(t *testing.T) {
	bk := startBuildkitd(t)
	s := newBuildScenarioOf(t, t.Name())
	s.env = append(s.env, bk.env()...)
	const clean = "docker.io/library/e2e-testbuildcheck-clean:latest"

	if r := s.berth("build", "--check", "clean"); r.code != 0 || !strings.Contains(r.stderr, "Checked") {
		t.Fatalf("build --check clean: exit %d\n%s", r.code, r.stderr)
	}
	if imageDigest(t, clean) != "" {
		t.Error("build --check made an image")
	}
	r := s.berth("build", "--check", "linted")
	if r.code == 0 || !strings.Contains(r.stderr, "FromAsCasing") || !strings.Contains(r.stderr, "the Dockerfile checks found problems") {
		t.Fatalf("build --check linted: exit %d, want a failure naming FromAsCasing:\n%s", r.code, r.stderr)
	}

	// The RUN step requires the SSH key "deploy": without --ssh the build fails.
	if r := s.berth("build", "sshed"); r.code == 0 {
		t.Fatalf("build sshed without --ssh succeeded:\n%s", r.stderr)
	}
	key := filepath.Join(t.TempDir(), "deploy_key")
	writeSSHKey(t, key)
	if r := s.berth("build", "--ssh", "deploy="+key, "sshed"); r.code != 0 {
		t.Fatalf("build --ssh deploy=KEY sshed: exit %d\n%s", r.code, r.stderr)
	}
	if out := s.must("run", "--rm", "sshed", "cat", "/built"); strings.TrimSpace(out) != "ssh-ok" {
		t.Errorf("the image built with --ssh has /built %q", out)
	}

	var bake struct {
		Group  map[string]struct{ Targets []string }
		Target map[string]struct {
			Context string
			Tags    []string
			SSH     []string
		}
	}
	out := s.must("build", "--print", "--ssh", "deploy="+key)
	if err := json.Unmarshal([]byte(out), &bake); err != nil {
		t.Fatalf("build --print: %v\n%s", err, out)
	}
	if got := bake.Group["default"].Targets; !slices.Equal(got, []string{"clean", "linted", "sshed"}) {
		t.Errorf("build --print: default group %v", got)
	}
	if tg := bake.Target["sshed"]; !strings.HasSuffix(tg.Context, "/sshed") || !slices.Contains(tg.SSH, "deploy="+key) || len(tg.Tags) == 0 {
		t.Errorf("build --print: target sshed %+v", tg)
	}
	if imageDigest(t, clean) != "" {
		t.Error("build --print made an image")
	}

	if r := s.berth("build", "--provenance", "mode=max", "clean"); r.code != 0 {
		t.Fatalf("build --provenance mode=max: exit %d\n%s", r.code, r.stderr)
	}
	if out := s.must("run", "--rm", "clean", "cat", "/built"); strings.TrimSpace(out) != "clean" {
		t.Errorf("the image built with --provenance has /built %q", out)
	}
}
