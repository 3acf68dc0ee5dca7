package compose

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

func loadProject(t *testing.T, yaml string) *types.Project {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(context.Background(), project.Options{WorkingDir: dir, Name: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const webRedis = `
services:
  web:
    image: web
    depends_on: [redis]
    deploy: {replicas: 2}
    volumes: [data:/data]
  redis:
    image: redis
volumes:
  data: {}
`

func TestPlanPulls(t *testing.T) {
	p := loadProject(t, webRedis)
	obs := Observed{Images: map[string]string{"web": "sha256:1"}}
	got, err := PlanPulls(p, []string{"redis", "web"}, obs, pullOverride("policy"))
	if err != nil || got.String() != "pull image redis (missing)\n" {
		t.Errorf("pulls:\n%s %v", got, err)
	}
	got, _ = PlanPulls(p, []string{"redis", "web"}, obs, pullOverride("always"))
	if got.String() != "pull image redis (--pull always)\npull image web (--pull always)\n" {
		t.Errorf("--pull always:\n%s", got)
	}
	if _, err := PlanPulls(p, []string{"redis", "web"}, obs, pullOverride("never")); !errors.Is(err, ErrImageNotFound) || !strings.Contains(err.Error(), "redis") {
		t.Errorf("--pull never with a missing image: %v", err)
	}
}

func TestPlanPullsByServicePolicy(t *testing.T) {
	p := loadProject(t, `
services:
  always: {image: a, pull_policy: always}
  missing: {image: m, pull_policy: missing}
  never: {image: n, pull_policy: never}
  daily: {image: d, pull_policy: daily}
  hourly: {image: h, pull_policy: every_1h}
  unrecorded: {image: u, pull_policy: weekly}
  plain: {image: p}
`)
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	obs := Observed{
		Images:       map[string]string{"a": "1", "m": "1", "n": "1", "d": "1", "h": "1", "u": "1", "p": "1"},
		ImagesPulled: map[string]time.Time{"d": now.Add(-2 * time.Hour), "h": now.Add(-2 * time.Hour)},
		Now:          now,
	}
	all := []string{"always", "missing", "never", "daily", "hourly", "unrecorded", "plain"}
	got, err := PlanPulls(p, all, obs, pullOverride("policy"))
	want := "pull image a (pull_policy always)\n" +
		"pull image h (every_1h, last pulled 2026-01-02T10:00:00Z)\n" +
		"pull image u (weekly, no pull of it recorded)\n"
	if err != nil || got.String() != want {
		t.Errorf("up with every image present:\n%s%v\nwant:\n%s", got, err, want)
	}
	// berth pull: a service without pull_policy is pulled, one with missing is not.
	got, _ = PlanPulls(p, []string{"missing", "plain"}, obs, PullPolicy{Default: "always"})
	if got.String() != "pull image p (always)\n" {
		t.Errorf("pull:\n%s", got)
	}
	delete(obs.Images, "n")
	_, err = PlanPulls(p, all, obs, pullOverride("policy"))
	if !errors.Is(err, ErrImageNotFound) || !strings.Contains(err.Error(), `service "never": image n is not in the store and pull_policy never forbids pulling it`) {
		t.Errorf("pull_policy never with the image missing: %v", err)
	}
}

func TestPlanBuilds(t *testing.T) {
	p := loadProject(t, `
services:
  web: {build: .}
  named: {build: ., image: example/named}
  always: {build: ., image: example/always, pull_policy: build}
  redis: {image: redis}
`)
	all := []string{"always", "named", "redis", "web"}
	have := Observed{Images: map[string]string{"demo-web": "sha256:1", "example/named": "sha256:2", "example/always": "sha256:3"}}
	for _, c := range []struct {
		name   string
		obs    Observed
		policy BuildPolicy
		want   string
		pulls  []string
	}{
		{"nothing built yet", Observed{}, BuildPolicy{},
			"build image example/always (pull_policy build)\nbuild image example/named (missing)\nbuild image demo-web (missing)\n", []string{"redis"}},
		{"all there", have, BuildPolicy{}, "build image example/always (pull_policy build)\n", []string{"redis"}},
		{"--build", have, BuildPolicy{Always: true},
			"build image example/always (--build)\nbuild image example/named (--build)\nbuild image demo-web (--build)\n", []string{"redis"}},
		{"--no-build", have, BuildPolicy{Never: true}, "", []string{"always", "named", "redis"}},
	} {
		got, err := PlanBuilds(p, all, c.obs, c.policy)
		if err != nil || got.String() != c.want {
			t.Errorf("%s: builds\n%s(%v), want\n%s", c.name, got, err, c.want)
		}
		if pulls := toPull(p, all, c.policy); strings.Join(pulls, " ") != strings.Join(c.pulls, " ") {
			t.Errorf("%s: pulls %v, want %v", c.name, pulls, c.pulls)
		}
	}
	_, err := PlanBuilds(p, all, Observed{}, BuildPolicy{Never: true})
	if !errors.Is(err, ErrImageNotFound) || !strings.Contains(err.Error(), `service "web"`) || !strings.Contains(err.Error(), "berth build web") {
		t.Errorf("--no-build with an image only a build makes: %v", err)
	}
}

func TestPlanContextBuilds(t *testing.T) {
	p := loadProject(t, `
services:
  app: {build: {context: ., additional_contexts: {base: "service:base", tools: "service:tools"}}}
  base: {build: {context: ., additional_contexts: {root: "service:root"}}}
  root: {build: .}
  tools: {build: .}
`)
	for _, c := range []struct {
		name     string
		services []string
		obs      Observed
		policy   BuildPolicy
		want     string
	}{
		{"all, in order", []string{"app", "base", "root", "tools"}, Observed{}, BuildPolicy{},
			"build image demo-root (missing)\nbuild image demo-base (missing)\n  after build image demo-root\nbuild image demo-tools (missing)\n" +
				"build image demo-app (missing)\n  after build image demo-base, build image demo-tools\n"},
		{"app alone builds what it takes", []string{"app"}, Observed{Images: map[string]string{"demo-tools": "sha256:1"}}, BuildPolicy{},
			"build image demo-root (a context of base's build)\nbuild image demo-base (a context of app's build)\n  after build image demo-root\n" +
				"build image demo-app (missing)\n  after build image demo-base\n"},
		{"--build app takes the stored base", []string{"app"}, Observed{Images: map[string]string{"demo-base": "sha256:1", "demo-tools": "sha256:2"}}, BuildPolicy{Always: true},
			"build image demo-app (--build)\n"},
	} {
		got, err := PlanBuilds(p, c.services, c.obs, c.policy)
		if err != nil || got.String() != c.want {
			t.Errorf("%s: builds\n%s(%v), want\n%s", c.name, got, err, c.want)
		}
	}
}

func TestPlanScaleAndNoDeps(t *testing.T) {
	p := loadProject(t, webRedis)
	got, err := PlanUp(p, Observed{Networks: map[string]bool{"demo_default": true}, Volumes: map[string]bool{"demo_data": true}, Images: map[string]string{"web": "sha256:1"}},
		PlanOptions{Services: []string{"web"}, NoDeps: true, Scale: map[string]int{"web": 3}, NoStart: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `start agent (unless it runs: it serves the containers' DNS and healthchecks)
create container demo-web-1 (missing)
create container demo-web-2 (missing)
create container demo-web-3 (missing)
`
	if got.String() != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
	if _, err := PlanUp(p, Observed{}, PlanOptions{Scale: map[string]int{"nope": 1}}); err == nil {
		t.Error("--scale of an unknown service was planned")
	}
}

// An existing network that differs from the file in a setting the file states stops
// the plan by name; a subnet berth chose itself is no difference.
func TestPlanRefusesNetworkDrift(t *testing.T) {
	p := loadProject(t, `
services:
  a: {image: a, networks: [six]}
networks:
  six: {enable_ipv6: true}
`)
	images := map[string]string{"a": "sha256:1"}
	have := Network{Name: "demo_six", Subnet: "10.89.0.0/24", Subnet6: "fd62:6572:7468::/64"}
	obs := Observed{Images: images, Networks: map[string]bool{"demo_six": true}, NetworkSettings: map[string]Network{"demo_six": have}}
	if _, err := PlanUp(p, obs, PlanOptions{}); err != nil {
		t.Fatalf("same settings: %v", err)
	}
	have.Subnet6 = ""
	obs.NetworkSettings["demo_six"] = have
	_, err := PlanUp(p, obs, PlanOptions{})
	if !errors.Is(err, project.ErrInvalid) || !strings.Contains(err.Error(), `"demo_six"`) || !strings.Contains(err.Error(), "enable_ipv6") {
		t.Errorf("a network without the IPv6 the file asks for: %v", err)
	}
}
