package compose

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

// go test ./compose -run TestPlanGolden -update rewrites the golden files.
var update = flag.Bool("update", false, "rewrite the golden plans under testdata/plan")

// golden compares a plan's text with testdata/plan/<name>.golden.
func golden(t *testing.T, name string, plan Plan) {
	t.Helper()
	path := filepath.Join("testdata", "plan", name+".golden")
	got := plan.String()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("plan %s:\n%s\nwant (%s):\n%s", name, got, path, want)
	}
}

// existing is the container an earlier up made of replica n of a service, with the
// labels it would carry, in the given state; images are the digests it was made
// from.
func existing(t *testing.T, p *types.Project, service string, n int, state string, images map[string]string) Container {
	t.Helper()
	s := p.Services[service]
	name := project.ContainerName(p, s, n)
	req, err := createRequest(p, s, Op{Kind: OpCreate, Target: name, Service: service, Number: n}, Observed{Images: images})
	if err != nil {
		t.Fatal(err)
	}
	return Container{ID: name + "-id", Name: name, Project: p.Name, Service: service, Number: n, State: state, Labels: req.Labels}
}

// upToDate observes every network, volume and image of the project as present.
func upToDate(p *types.Project, images map[string]string, cs ...Container) Observed {
	obs := Observed{Networks: map[string]bool{}, Volumes: map[string]bool{}, Images: images, Containers: cs}
	for key := range p.Networks {
		obs.Networks[project.NetworkName(p, key)] = true
	}
	for key := range p.Volumes {
		obs.Volumes[project.VolumeName(p, key)] = true
	}
	return obs
}

const dependencies = `
services:
  db:
    image: db
    healthcheck: {test: [CMD, "true"]}
  migrate:
    image: migrate
    depends_on: {db: {condition: service_healthy}}
  cache:
    image: cache
  web:
    image: web
    depends_on:
      migrate: {condition: service_completed_successfully}
      cache: {condition: service_healthy, required: false}
      db: {condition: service_started, restart: true}
  sidecar:
    image: sidecar
    network_mode: service:web
    pid: service:web
  tool:
    image: tool
    ipc: service:db
`

func TestPlanGolden(t *testing.T) {
	images := map[string]string{"web": "sha256:1", "redis": "sha256:2", "other": "sha256:3",
		"db": "sha256:4", "migrate": "sha256:5", "cache": "sha256:6", "sidecar": "sha256:7", "tool": "sha256:8",
		"netuser": "sha256:10", "pidjoiner": "sha256:11"}
	newRedis := map[string]string{"web": "sha256:1", "redis": "sha256:9"}
	newDB := map[string]string{"web": "sha256:1", "db": "sha256:9", "migrate": "sha256:5", "cache": "sha256:6", "sidecar": "sha256:7", "tool": "sha256:8",
		"netuser": "sha256:10", "pidjoiner": "sha256:11"}

	withOther := loadProject(t, strings.Replace(webRedis, "services:\n", "services:\n  other:\n    image: other\n", 1))
	p := loadProject(t, webRedis)
	deps := loadProject(t, dependencies)
	spare := loadProject(t, webRedis+"  spare: {}\nnetworks:\n  unused: {}\n")
	shared := loadProject(t, `
services:
  db: {image: db}
  netuser: {image: netuser, network_mode: "service:db"}
  pidjoiner: {image: pidjoiner, pid: "service:db"}
`)
	// app builds demo-app on base's image; worker runs the image app builds; db pulls.
	builds := loadProject(t, `
services:
  base: {build: .}
  app: {build: {context: ., additional_contexts: {base: "service:base"}}, depends_on: [db]}
  worker: {image: demo-app}
  db: {image: db}
`)
	builtImages := map[string]string{"demo-base": "sha256:20", "demo-app": "sha256:21", "db": "sha256:4"}
	all := func(p *types.Project, state string, imgs map[string]string) []Container {
		var cs []Container
		for _, name := range p.ServiceNames() {
			for n := 1; n <= project.Replicas(p.Services[name]); n++ {
				cs = append(cs, existing(t, p, name, n, state, imgs))
			}
		}
		return cs
	}
	orphan := Container{ID: "gone-id", Name: "demo-gone-1", Project: "demo", Service: "gone", Number: 1, State: StateRunning}
	stoppedWeb := existing(t, p, "web", 2, StateExited, images)
	extraWeb := existing(t, p, "web", 3, StateRunning, images)
	dupWeb := existing(t, p, "web", 1, StateRunning, images)
	dupWeb.ID, dupWeb.Name = "dup-id", "demo-web-1-dup"

	for _, c := range []struct {
		name string
		p    *types.Project
		obs  Observed
		o    PlanOptions
	}{
		{"up-from-nothing", p, Observed{Images: images}, PlanOptions{}},
		{"up-unchanged", p, upToDate(p, images, all(p, StateRunning, images)...), PlanOptions{}},
		{"up-force-recreate", p, upToDate(p, images, all(p, StateRunning, images)...), PlanOptions{ForceRecreate: true}},
		{"up-changed-stopped-scaled-orphan", p,
			upToDate(p, newRedis, existing(t, p, "redis", 1, StateRunning, images), existing(t, p, "web", 1, StateRunning, images), stoppedWeb, extraWeb, orphan),
			PlanOptions{}},
		{"up-remove-orphans-no-recreate", p,
			upToDate(p, newRedis, existing(t, p, "redis", 1, StateRunning, images), existing(t, p, "web", 1, StateRunning, images), stoppedWeb, extraWeb, orphan),
			PlanOptions{RemoveOrphans: true, NoRecreate: true}},
		{"up-ignore-orphans", p,
			upToDate(p, newRedis, existing(t, p, "redis", 1, StateRunning, images), existing(t, p, "web", 1, StateRunning, images), stoppedWeb, extraWeb, orphan),
			PlanOptions{IgnoreOrphans: true, NoRecreate: true}},
		{"up-one-service", spare, Observed{Images: images}, PlanOptions{Services: []string{"redis"}}},
		{"up-one-service-all-resources", spare, Observed{Images: images}, PlanOptions{Services: []string{"redis"}, AllResources: true}},
		{"up-duplicate-number", p, upToDate(p, images, append(all(p, StateRunning, images), dupWeb)...), PlanOptions{}},
		{"up-service-brings-dependencies", withOther, Observed{Images: images}, PlanOptions{Services: []string{"web"}}},
		{"up-no-deps-scale-up", p, upToDate(p, images, all(p, StateRunning, images)...),
			PlanOptions{Services: []string{"web"}, NoDeps: true, Scale: map[string]int{"web": 4}}},
		{"up-scale-down", p, upToDate(p, images, all(p, StateRunning, images)...), PlanOptions{Scale: map[string]int{"web": 1}}},
		{"up-no-start", p, Observed{Images: images}, PlanOptions{NoStart: true}},
		{"up-conditions-and-shared-namespaces", deps, Observed{Images: images}, PlanOptions{}},
		{"up-restart-true-and-network-of-recreated", deps, upToDate(deps, newDB, all(deps, StateRunning, images)...), PlanOptions{}},
		{"up-namespaces-of-recreated", shared, upToDate(shared, newDB, all(shared, StateRunning, images)...), PlanOptions{}},
		{"up-no-deps-recreates-namespace-sharers-after", shared, upToDate(shared, newDB, all(shared, StateRunning, images)...),
			PlanOptions{Services: []string{"db"}, NoDeps: true}},
		{"up-pulls-missing-images", p, Observed{}, PlanOptions{PullPolicy: pullOverride("policy")}},
		{"up-pull-always-refreshes", p, upToDate(p, images, all(p, StateRunning, images)...), PlanOptions{PullPolicy: pullOverride("always")}},
		{"up-builds-before-creates", builds, upToDate(builds, images), PlanOptions{PullPolicy: pullOverride("policy")}},
		{"up-build-refreshes", builds, upToDate(builds, builtImages, all(builds, StateRunning, builtImages)...),
			PlanOptions{PullPolicy: pullOverride("policy"), Build: BuildPolicy{Always: true}, Services: []string{"app"}}},
		{"run-dependencies-and-their-conditions", deps, upToDate(deps, images), PlanOptions{Services: []string{"migrate", "cache", "db"}, OneOff: "web"}},
		{"up-always-recreate-deps", deps, upToDate(deps, images, all(deps, StateRunning, images)...),
			PlanOptions{Services: []string{"migrate"}, AlwaysRecreateDeps: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan, err := PlanUp(c.p, c.obs, c.o)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, plan)
		})
	}

	oneOff := existing(t, deps, "tool", 1, StateExited, images)
	oneOff.ID, oneOff.Name, oneOff.OneOff = "run-id", "demo-tool-run-1", true
	depsOrphan := orphan
	running := append(all(deps, StateRunning, images), oneOff, depsOrphan)
	nets := []Network{{Name: "demo_default", Project: "demo"}}
	vols := []Volume{{Name: "demo_data", Project: "demo"}}
	for _, c := range []struct {
		name string
		p    *types.Project
		obs  DownObserved
		o    DownOptions
	}{
		{"down", deps, DownObserved{Containers: running, Networks: nets}, DownOptions{}},
		{"down-remove-orphans-volumes-images", deps, DownObserved{Containers: running, Networks: nets, Volumes: vols},
			DownOptions{RemoveOrphans: true, Volumes: true, RemoveImages: "all"}},
		{"down-service-and-dependents", deps, DownObserved{Containers: running, Networks: nets, Volumes: vols},
			DownOptions{Services: []string{"migrate"}, Volumes: true}},
		{"down-ignore-orphans", deps, DownObserved{Containers: running, Networks: nets}, DownOptions{IgnoreOrphans: true}},
		{"down-without-file", &types.Project{Name: "demo"}, DownObserved{Containers: running, Networks: nets}, DownOptions{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan, err := PlanDown(c.p, c.obs, c.o)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, plan)
		})
	}
}

// The plans of the verbs that act on each container, and of pull, push and build.
func TestVerbPlansGolden(t *testing.T) {
	images := map[string]string{"db": "sha256:4", "migrate": "sha256:5", "cache": "sha256:6", "web": "sha256:1", "sidecar": "sha256:7", "tool": "sha256:8"}
	p := loadProject(t, dependencies)
	// web and sidecar run, db and tool too, cache is paused, migrate has exited.
	var cs []Container
	for _, name := range p.ServiceNames() {
		state := StateRunning
		switch name {
		case "cache":
			state = StatePaused
		case "migrate":
			state = StateExited
		}
		cs = append(cs, existing(t, p, name, 1, state, images))
	}
	orphan := Container{ID: "gone-id", Name: "demo-gone-1", Project: "demo", Service: "gone", Number: 1, State: StateRunning}
	pullObs := Observed{Images: map[string]string{"db": "sha256:4"}}
	pulls, err := PlanPulls(p, p.ServiceNames(), pullObs, PullPolicy{Default: types.PullPolicyAlways})
	if err != nil {
		t.Fatal(err)
	}
	builds, err := PlanBuilds(loadProject(t, `
services:
  base: {build: .}
  app: {build: {context: ., additional_contexts: {base: "service:base"}}}
  plain: {image: plain}
`), []string{"app", "base", "plain"}, Observed{}, BuildPolicy{Always: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, plan := range map[string]Plan{
		"kill":                 PlanKill(p, append(cs, orphan), nil, "SIGKILL", false),
		"kill-remove-orphans":  PlanKill(p, append(cs, orphan), []string{"web", "db"}, "SIGTERM", true),
		"pause":                PlanPause(cs, true),
		"unpause":              PlanPause(cs, false),
		"rm":                   PlanRm(cs, false),
		"rm-stop":              PlanRm(cs, true),
		"restart":              PlanRestart(cs),
		"pull":                 pulls,
		"push":                 PlanPushes(p, p.ServiceNames()),
		"build-contexts-first": builds,
	} {
		t.Run(name, func(t *testing.T) { golden(t, name, plan) })
	}
}
