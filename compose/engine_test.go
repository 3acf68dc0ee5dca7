package compose

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/progress"
	"berth.dev/berth/project"
)

// The engine on the fake runtime: the order up and down work in, the conditions
// they wait for and what they do when something fails, without containerd.

// engineOn is an engine on a fresh fake runtime; warnings go to the returned buffer.
func engineOn(t *testing.T) (*Engine, *fakeRuntime, *syncBuffer) {
	t.Helper()
	rt := newFakeRuntime()
	msgs := &syncBuffer{}
	return &Engine{Runtime: rt, Progress: progress.Quiet{}, Out: msgs, Err: msgs}, rt, msgs
}

// syncBuffer is a bytes.Buffer the engine's goroutines may write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testCtx bounds a test's engine calls: a wait that never ends fails the test.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func detached(services ...string) UpOptions {
	return UpOptions{PlanOptions: PlanOptions{Services: services}, Detach: true, Pull: "policy"}
}

// happensBefore fails the test unless entry a is in the journal before entry b.
func happensBefore(t *testing.T, journal []string, a, b string) {
	t.Helper()
	i, j := slices.Index(journal, a), slices.Index(journal, b)
	if i < 0 || j < 0 || i > j {
		t.Errorf("want %q before %q; journal:\n%s", a, b, strings.Join(journal, "\n"))
	}
}

func hasEntry(journal []string, entry string) bool { return slices.Contains(journal, entry) }

const chain = `
services:
  proxy:
    image: proxy
    depends_on: [web]
  web:
    image: web
    depends_on: [db]
    volumes: [data:/data]
  db:
    image: db
volumes:
  data: {}
`

func TestEngineUpOrdersByDependsOn(t *testing.T) {
	e, rt, _ := engineOn(t)
	p := loadProject(t, chain)
	if err := e.Up(testCtx(t), p, detached()); err != nil {
		t.Fatal(err)
	}
	j := rt.Journal()
	for _, c := range []string{"demo-db-1", "demo-web-1", "demo-proxy-1"} {
		happensBefore(t, j, "pull "+strings.Split(c, "-")[1], "create "+c)
		happensBefore(t, j, "create network demo_default", "create "+c)
		happensBefore(t, j, "start agent", "start "+c)
	}
	happensBefore(t, j, "create volume demo_data", "create demo-web-1")
	happensBefore(t, j, "start demo-db-1", "create demo-web-1")
	happensBefore(t, j, "start demo-web-1", "create demo-proxy-1")

	// A second up changes nothing.
	before := len(j)
	if err := e.Up(testCtx(t), p, detached()); err != nil {
		t.Fatal(err)
	}
	if j := rt.Journal(); len(j) != before {
		t.Errorf("second up changed: %v", j[before:])
	}
}

func TestEngineDownOrder(t *testing.T) {
	e, rt, _ := engineOn(t)
	p := loadProject(t, chain)
	if err := e.Up(testCtx(t), p, detached()); err != nil {
		t.Fatal(err)
	}
	if err := e.Down(testCtx(t), p, DownOptions{Volumes: true}); err != nil {
		t.Fatal(err)
	}
	j := rt.Journal()
	happensBefore(t, j, "remove demo-proxy-1", "stop demo-web-1")
	happensBefore(t, j, "remove demo-web-1", "stop demo-db-1")
	happensBefore(t, j, "remove demo-db-1", "remove network demo_default")
	happensBefore(t, j, "remove network demo_default", "remove agent")
	if !hasEntry(j, "remove volume demo_data") {
		t.Errorf("down -v left the volume: %v", j)
	}
	if cs, _ := rt.Containers(testCtx(t), ""); len(cs) != 0 {
		t.Errorf("down left %v", cs)
	}
	// A second down finds nothing and succeeds.
	if err := e.Down(testCtx(t), p, DownOptions{Volumes: true}); err != nil {
		t.Errorf("second down: %v", err)
	}
}

// conditionProject is web depending on dep under a condition, required or not.
func conditionProject(t *testing.T, condition string, required bool) *types.Project {
	req := "true"
	if !required {
		req = "false"
	}
	return loadProject(t, `
services:
  web:
    image: web
    depends_on:
      dep: {condition: `+condition+`, required: `+req+`}
  dep:
    image: dep
`)
}

func TestEngineConditionWaits(t *testing.T) {
	for _, tc := range []struct {
		name      string
		condition string
		required  bool
		dep       behaviour
		wantErr   string // "" = web starts
		wantWarn  string
	}{
		{name: "started", condition: types.ServiceConditionStarted, required: true},
		{name: "healthy", condition: types.ServiceConditionHealthy, required: true, dep: behaviour{Health: HealthHealthy}},
		{name: "unhealthy", condition: types.ServiceConditionHealthy, required: true, dep: behaviour{Health: HealthUnhealthy},
			wantErr: `service "web" not started: dependency failed: service "dep": demo-dep-1 is unhealthy`},
		{name: "no healthcheck", condition: types.ServiceConditionHealthy, required: true,
			wantErr: `service "dep" has no healthcheck`},
		{name: "completed", condition: types.ServiceConditionCompletedSuccessfully, required: true, dep: exitsWith(0)},
		{name: "failed", condition: types.ServiceConditionCompletedSuccessfully, required: true, dep: exitsWith(3),
			wantErr: `service "dep" did not complete successfully: demo-dep-1 exited with code 3`},
		{name: "failed optional", condition: types.ServiceConditionCompletedSuccessfully, required: false, dep: exitsWith(3),
			wantWarn: `service "web": optional dependency not met, starting anyway`},
		{name: "unhealthy optional", condition: types.ServiceConditionHealthy, required: false, dep: behaviour{Health: HealthUnhealthy},
			wantWarn: `optional dependency not met`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, rt, msgs := engineOn(t)
			rt.behave["dep"] = tc.dep
			err := e.Up(testCtx(t), conditionProject(t, tc.condition, tc.required), detached())
			j := rt.Journal()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("up: %v, want an error with %q", err, tc.wantErr)
				}
				if hasEntry(j, "create demo-web-1") {
					t.Errorf("web was made although its dependency failed: %v", j)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			happensBefore(t, j, "start demo-dep-1", "create demo-web-1")
			if !hasEntry(j, "start demo-web-1") {
				t.Errorf("web not started: %v", j)
			}
			if !strings.Contains(msgs.String(), tc.wantWarn) {
				t.Errorf("messages %q lack %q", msgs, tc.wantWarn)
			}
		})
	}
}

const twoJobs = `
services:
  job:
    image: job
  server:
    image: server
`

func TestEngineAbortOnExit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		o        UpOptions
		exit     int
		wantCode int // 0: up returns nil
	}{
		{name: "abort, failure", o: UpOptions{AbortOnExit: true}, exit: 3, wantCode: 3},
		{name: "abort, success", o: UpOptions{AbortOnExit: true}, exit: 0},
		{name: "abort on failure", o: UpOptions{AbortOnFailure: true}, exit: 2, wantCode: 2},
		{name: "exit code from", o: UpOptions{ExitCodeFrom: "job"}, exit: 5, wantCode: 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, rt, _ := engineOn(t)
			rt.behave["job"] = exitsWith(tc.exit)
			tc.o.Pull = "policy"
			err := e.Up(testCtx(t), loadProject(t, twoJobs), tc.o)
			var status *ExitStatusError
			switch {
			case tc.wantCode == 0 && err != nil:
				t.Fatalf("up: %v", err)
			case tc.wantCode != 0 && (!errors.As(err, &status) || status.Code != tc.wantCode || status.Container != "demo-job-1"):
				t.Fatalf("up: %v, want demo-job-1's exit status %d", err, tc.wantCode)
			}
			if c := rt.byName(t, "demo-server-1"); c.State != StateExited {
				t.Errorf("after the abort, server is %s", c.State)
			}
		})
	}
}

// An up without abort flags returns once every attached container has exited.
func TestEngineAttachedEndsWhenAllExit(t *testing.T) {
	e, rt, msgs := engineOn(t)
	rt.behave["job"], rt.behave["server"] = exitsWith(1), exitsWith(0)
	if err := e.Up(testCtx(t), loadProject(t, twoJobs), UpOptions{Pull: "policy"}); err != nil {
		t.Fatalf("up: %v", err)
	}
	for _, want := range []string{"demo-job-1 exited with code 1", "demo-server-1 exited with code 0"} {
		if !strings.Contains(msgs.String(), want) {
			t.Errorf("output %q lacks %q", msgs, want)
		}
	}
}

// A create that fails stops its dependents; the next up makes only what is missing.
func TestEnginePartialFailureConverges(t *testing.T) {
	e, rt, _ := engineOn(t)
	p := loadProject(t, chain)
	rt.failCreate["demo-web-1"] = errors.New("disk full")
	err := e.Up(testCtx(t), p, detached())
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("up: %v, want the create's error", err)
	}
	j := rt.Journal()
	if !hasEntry(j, "start demo-db-1") || hasEntry(j, "create demo-proxy-1") {
		t.Fatalf("after web failed: %v", j)
	}
	db := rt.byName(t, "demo-db-1")

	n := len(j)
	if err := e.Up(testCtx(t), p, detached()); err != nil {
		t.Fatal(err)
	}
	again := rt.Journal()[n:]
	want := []string{"create demo-web-1", "start demo-web-1", "create demo-proxy-1", "start demo-proxy-1"}
	if !slices.Equal(again, want) {
		t.Errorf("re-run did %v, want %v", again, want)
	}
	if rt.byName(t, "demo-db-1").ID != db.ID {
		t.Error("re-run replaced db, which was up to date")
	}
}

func TestEngineScale(t *testing.T) {
	e, rt, _ := engineOn(t)
	p := loadProject(t, chain)
	o := detached("web")
	o.Scale = map[string]int{"web": 3}
	if err := e.Up(testCtx(t), p, o); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"demo-db-1", "demo-web-1", "demo-web-2", "demo-web-3"} {
		if rt.byName(t, c).State != StateRunning {
			t.Errorf("%s does not run", c)
		}
	}
	if hasEntry(rt.Journal(), "create demo-proxy-1") {
		t.Error("up web made proxy, which depends on web")
	}
	n := len(rt.Journal())
	o.Scale = map[string]int{"web": 1}
	if err := e.Up(testCtx(t), p, o); err != nil {
		t.Fatal(err)
	}
	got := rt.Journal()[n:]
	slices.Sort(got)
	want := []string{"remove demo-web-2", "remove demo-web-3", "stop demo-web-2", "stop demo-web-3"}
	if !slices.Equal(got, want) {
		t.Errorf("scale down did %v, want %v", got, want)
	}
}

func TestEngineOrphans(t *testing.T) {
	e, rt, msgs := engineOn(t)
	if err := e.Up(testCtx(t), loadProject(t, twoJobs), detached()); err != nil {
		t.Fatal(err)
	}
	p := loadProject(t, "services:\n  server:\n    image: server\n")
	if err := e.Up(testCtx(t), p, detached()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msgs.String(), "found orphan container demo-job-1") {
		t.Errorf("up did not warn of the orphan: %q", msgs)
	}
	if rt.byName(t, "demo-job-1").State != StateRunning {
		t.Error("up without --remove-orphans touched the orphan")
	}
	if err := e.Down(testCtx(t), p, DownOptions{}); err != nil {
		t.Fatal(err)
	}
	if rt.byName(t, "demo-job-1").State != StateRunning {
		t.Error("down without --remove-orphans touched the orphan")
	}
	o := detached()
	o.RemoveOrphans = true
	if err := e.Up(testCtx(t), p, o); err != nil {
		t.Fatal(err)
	}
	if cs, _ := rt.Containers(testCtx(t), "demo"); len(cs) != 1 || cs[0].Name != "demo-server-1" {
		t.Errorf("up --remove-orphans left %v", cs)
	}
}

// create (up --no-start) makes the containers in dependency order and starts none;
// it starts the agent, for a later start.
func TestEngineCreateStartsNothing(t *testing.T) {
	e, rt, _ := engineOn(t)
	o := detached()
	o.NoStart = true
	if err := e.Up(testCtx(t), loadProject(t, chain), o); err != nil {
		t.Fatal(err)
	}
	j := rt.Journal()
	happensBefore(t, j, "create demo-db-1", "create demo-web-1")
	happensBefore(t, j, "create demo-web-1", "create demo-proxy-1")
	if !hasEntry(j, "start agent") {
		t.Errorf("create did not start the agent: %v", j)
	}
	for _, entry := range j {
		if strings.HasPrefix(entry, "start demo-") {
			t.Errorf("create started something: %v", j)
			break
		}
	}
}

// When db is recreated, a dependent with restart: true is restarted after db runs
// again, and a container in db's network is made anew after it.
func TestEngineRecreatedDependency(t *testing.T) {
	e, rt, _ := engineOn(t)
	file := `
services:
  db:
    image: db
    environment: [V=%s]
  app:
    image: app
    depends_on:
      db: {condition: service_started, restart: true}
  sidecar:
    image: sidecar
    network_mode: service:db
`
	if err := e.Up(testCtx(t), loadProject(t, strings.Replace(file, "%s", "1", 1)), detached()); err != nil {
		t.Fatal(err)
	}
	app := rt.byName(t, "demo-app-1")
	n := len(rt.Journal())
	if err := e.Up(testCtx(t), loadProject(t, strings.Replace(file, "%s", "2", 1)), detached()); err != nil {
		t.Fatal(err)
	}
	j := rt.Journal()[n:]
	happensBefore(t, j, "start demo-db-1", "stop demo-app-1")
	happensBefore(t, j, "stop demo-app-1", "start demo-app-1")
	happensBefore(t, j, "start demo-db-1", "remove demo-sidecar-1")
	happensBefore(t, j, "remove demo-sidecar-1", "create demo-sidecar-1")
	if rt.byName(t, "demo-app-1").ID != app.ID {
		t.Error("app was recreated; restart: true only restarts it")
	}
}

// stop takes dependents down first; start brings each container up after what it
// depends on, and leaves alone what runs.
func TestEngineStopStartOrder(t *testing.T) {
	e, rt, _ := engineOn(t)
	p := loadProject(t, chain)
	if err := e.Up(testCtx(t), p, detached()); err != nil {
		t.Fatal(err)
	}
	n := len(rt.Journal())
	if err := e.Stop(testCtx(t), p, StopOptions{}); err != nil {
		t.Fatal(err)
	}
	j := rt.Journal()[n:]
	happensBefore(t, j, "stop demo-proxy-1", "stop demo-web-1")
	happensBefore(t, j, "stop demo-web-1", "stop demo-db-1")

	if err := e.Start(testCtx(t), p, []string{"db"}); err != nil {
		t.Fatal(err)
	}
	n = len(rt.Journal())
	if err := e.Start(testCtx(t), p, nil); err != nil {
		t.Fatal(err)
	}
	j = rt.Journal()[n:]
	want := []string{"start demo-web-1", "start demo-proxy-1"}
	if !slices.Equal(j, want) {
		t.Errorf("start did %v, want %v (db runs already)", j, want)
	}
}

// up --pull always pulls every image in the one graph, before the containers made
// from it: a container is made anew only when its image's digest changed.
func TestEngineUpPullRefreshes(t *testing.T) {
	e, rt, msgs := engineOn(t)
	p := loadProject(t, chain)
	if err := e.Up(testCtx(t), p, detached()); err != nil {
		t.Fatal(err)
	}
	db, web := rt.byName(t, "demo-db-1"), rt.byName(t, "demo-web-1")

	always := detached()
	always.Pull = "always"
	n := len(rt.Journal())
	if err := e.Up(testCtx(t), p, always); err != nil {
		t.Fatal(err)
	}
	j := rt.Journal()[n:]
	want := []string{"pull db", "pull proxy", "pull web"}
	if got := slices.Sorted(slices.Values(j)); !slices.Equal(got, want) {
		t.Errorf("up --pull always with the same digests did %v, want only %v", j, want)
	}

	rt.published["web"] = "sha256:new"
	n = len(rt.Journal())
	if err := e.Up(testCtx(t), p, always); err != nil {
		t.Fatal(err)
	}
	j = rt.Journal()[n:]
	happensBefore(t, j, "pull web", "remove demo-web-1")
	happensBefore(t, j, "remove demo-web-1", "create demo-web-1")
	if rt.byName(t, "demo-db-1").ID != db.ID || rt.byName(t, "demo-web-1").ID == web.ID {
		t.Errorf("a new digest of web recreates web alone; journal:\n%s", strings.Join(j, "\n"))
	}

	// The next up finds the new container made from the new digest: nothing to do.
	n = len(rt.Journal())
	if err := e.Up(testCtx(t), p, detached()); err != nil {
		t.Fatal(err)
	}
	if j := rt.Journal()[n:]; len(j) != 0 {
		t.Errorf("up after the pull changed: %v", j)
	}

	// --dry-run prints the pulls in the plan, and does nothing.
	msgs.b.Reset()
	dry := always
	dry.DryRun = true
	n = len(rt.Journal())
	if err := e.Up(testCtx(t), p, dry); err != nil {
		t.Fatal(err)
	}
	if j := rt.Journal()[n:]; len(j) != 0 {
		t.Errorf("up --dry-run changed: %v", j)
	}
	if out := msgs.String(); !strings.Contains(out, "pull image web (--pull always)\n") || !strings.Contains(out, "refresh container demo-web-1 (") {
		t.Errorf("up --dry-run printed:\n%s", out)
	}
}

// A build that takes another service's image as a context waits for that build,
// and a container waits for the build of its image.
func TestEngineUpBuildsInTheGraph(t *testing.T) {
	e, rt, _ := engineOn(t)
	p := loadProject(t, `
services:
  base: {build: .}
  app: {build: {context: ., additional_contexts: {base: "service:base"}}, depends_on: [db]}
  db: {image: db}
`)
	if err := e.Up(testCtx(t), p, detached()); err != nil {
		t.Fatal(err)
	}
	j := rt.Journal()
	happensBefore(t, j, "build demo-base", "build demo-app")
	happensBefore(t, j, "build demo-app", "create demo-app-1")
	happensBefore(t, j, "build demo-base", "create demo-base-1")
	happensBefore(t, j, "pull db", "create demo-db-1")
	if c := rt.byName(t, "demo-app-1"); c.Labels[project.LabelImage] != "sha256:built-demo-app" {
		t.Errorf("app's container records image %q, want the digest of the build", c.Labels[project.LabelImage])
	}
}

// pause, unpause, kill, restart and rm run their plans: dependents first on the
// way down, dependencies first on the way up.
func TestEngineEachContainerVerbs(t *testing.T) {
	e, rt, _ := engineOn(t)
	p := loadProject(t, chain)
	if err := e.Up(testCtx(t), p, detached()); err != nil {
		t.Fatal(err)
	}
	step := func(name string, verb func() error) []string {
		t.Helper()
		n := len(rt.Journal())
		if err := verb(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return rt.Journal()[n:]
	}
	j := step("pause", func() error { return e.Pause(testCtx(t), p, nil) })
	happensBefore(t, j, "pause demo-proxy-1", "pause demo-web-1")
	happensBefore(t, j, "pause demo-web-1", "pause demo-db-1")
	j = step("unpause", func() error { return e.Unpause(testCtx(t), p, nil) })
	happensBefore(t, j, "unpause demo-db-1", "unpause demo-web-1")
	happensBefore(t, j, "unpause demo-web-1", "unpause demo-proxy-1")

	j = step("restart", func() error { return e.Restart(testCtx(t), p, nil, nil, false) })
	happensBefore(t, j, "stop demo-proxy-1", "stop demo-web-1")
	happensBefore(t, j, "stop demo-web-1", "stop demo-db-1")
	happensBefore(t, j, "stop demo-db-1", "start demo-db-1")
	happensBefore(t, j, "start demo-db-1", "start demo-web-1")
	happensBefore(t, j, "stop demo-proxy-1", "start demo-web-1")
	happensBefore(t, j, "start demo-web-1", "start demo-proxy-1")

	j = step("kill web", func() error { return e.Kill(testCtx(t), p, []string{"web"}, "SIGTERM", false) })
	if want := []string{"kill demo-web-1 SIGTERM"}; !slices.Equal(j, want) {
		t.Errorf("kill web did %v, want %v", j, want)
	}
	// rm leaves what runs; rm -s stops and removes it, dependents first.
	j = step("rm", func() error { return e.Rm(testCtx(t), p, RmOptions{Services: []string{"db"}}) })
	if len(j) != 0 {
		t.Errorf("rm removed a running container: %v", j)
	}
	j = step("rm -s", func() error { return e.Rm(testCtx(t), p, RmOptions{Stop: true}) })
	happensBefore(t, j, "remove demo-proxy-1", "stop demo-db-1")
	happensBefore(t, j, "remove demo-web-1", "remove demo-db-1")
	if cs, _ := rt.Containers(testCtx(t), "demo"); len(cs) != 0 {
		t.Errorf("rm -s left %v", cs)
	}
}

// run brings up the service's dependencies and waits for its own depends_on
// conditions before it makes the one-off container.
func TestEngineRunWaitsForConditions(t *testing.T) {
	e, rt, _ := engineOn(t)
	rt.behave["dep"] = behaviour{Health: HealthUnhealthy}
	_, err := e.Run(testCtx(t), conditionProject(t, types.ServiceConditionHealthy, true), RunOptions{Service: "web", Detach: true})
	if err == nil || !strings.Contains(err.Error(), "demo-dep-1 is unhealthy") {
		t.Fatalf("run: %v, want the dependency's failure", err)
	}
	for _, entry := range rt.Journal() {
		if strings.HasPrefix(entry, "create demo-web-run") {
			t.Errorf("the one-off was made although its dependency is unhealthy: %v", rt.Journal())
		}
	}
	if !hasEntry(rt.Journal(), "start demo-dep-1") {
		t.Errorf("run did not start its dependency: %v", rt.Journal())
	}
}

// A failed pull makes nothing, not even the containers whose images are there: up
// fails before it changes the project, as with a failed build.
func TestEngineFailedPullMakesNothing(t *testing.T) {
	e, rt, _ := engineOn(t)
	rt.failPull["web"] = errors.New("registry says no")
	err := e.Up(testCtx(t), loadProject(t, chain), detached())
	if err == nil || !strings.Contains(err.Error(), "registry says no") {
		t.Fatalf("up: %v, want the pull's failure", err)
	}
	for _, entry := range rt.Journal() {
		if !strings.HasPrefix(entry, "pull ") {
			t.Errorf("up did %q although a pull failed; journal: %v", entry, rt.Journal())
		}
	}
	if !hasEntry(rt.Journal(), "pull db") {
		t.Errorf("the other pulls did not run: %v", rt.Journal())
	}
}

// Under --dry-run a verb prints the plan it executes and changes nothing.
func TestEngineDryRunPrintsThePlan(t *testing.T) {
	e, rt, msgs := engineOn(t)
	p := loadProject(t, chain)
	if err := e.Up(testCtx(t), p, detached()); err != nil {
		t.Fatal(err)
	}
	cs, _ := rt.Containers(testCtx(t), "demo")
	n := len(rt.Journal())
	dry := &Engine{Runtime: DryRun{Runtime: rt}, Progress: e.Progress, Out: msgs, Err: msgs}
	if err := dry.Restart(testCtx(t), p, nil, nil, false); err != nil {
		t.Fatal(err)
	}
	if j := rt.Journal()[n:]; len(j) != 0 {
		t.Errorf("restart --dry-run changed: %v", j)
	}
	if want := PlanRestart(serviceContainers(cs, nil)).String(); msgs.String() != want {
		t.Errorf("restart --dry-run printed:\n%s\nwant its plan:\n%s", msgs, want)
	}
}
