package e2e

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// states maps service (with replica number when there are several) to state.
func (s *scenario) states() map[string]string {
	m := map[string]string{}
	for _, c := range s.ps(true) {
		m[strings.TrimPrefix(c.Name, s.project+"-")] = c.State
	}
	return m
}

func TestLifecycle(t *testing.T) {
	s := newScenario(t)
	// create makes the containers without starting them.
	s.must("create")
	if got := fmt.Sprint(s.states()); got != "map[db-1:created job-1:created web-1:created]" {
		t.Fatalf("after create: %s", got)
	}
	s.must("start")
	if st := s.states(); st["db-1"] != "running" || st["web-1"] != "running" {
		t.Fatalf("after start: %v", st)
	}
	// wait returns the exit status of the one-shot.
	if r := s.berth("wait", "job"); r.code != 7 || strings.TrimSpace(r.stdout) != "7" {
		t.Errorf("wait job: exit %d, printed %q", r.code, r.stdout)
	}
	if out := strings.TrimSpace(s.must("port", "web", "8080")); out != "127.0.0.1:18201" {
		t.Errorf("port: %q", out)
	}
	if r := s.berth("port", "web", "9999"); r.code == 0 {
		t.Errorf("port of an unpublished port: %q", r.stdout)
	}
	if out := s.must("top", "web"); !strings.Contains(out, "httpd -f -p 8080") || !strings.Contains(out, "PID") {
		t.Errorf("top: %q", out)
	}
	var imgs []map[string]string
	if err := json.Unmarshal([]byte(s.must("images", "--format", "json")), &imgs); err != nil || len(imgs) != 3 || imgs[0]["Repository"] != registry+"/berth/busybox" || imgs[0]["Tag"] != "latest" {
		t.Errorf("images: %v %v", imgs, err)
	}
	if out := s.must("ls", "--filter", "name="+s.project); !strings.Contains(out, s.project) || !strings.Contains(out, "running(2)") {
		t.Errorf("ls: %q", out)
	}

	// kill -s sends a signal; the process handles it and keeps running.
	s.must("kill", "-s", "SIGHUP", "db")
	eventually(t, 5*time.Second, "db handles SIGHUP", func() error {
		if !strings.Contains(s.must("logs", "db"), "got-hup") {
			return fmt.Errorf("no got-hup yet")
		}
		return nil
	})
	// pause and unpause.
	s.must("pause", "web")
	if st := s.states()["web-1"]; st != "paused" {
		t.Errorf("after pause: %s", st)
	}
	s.must("unpause", "web")
	if st := s.states()["web-1"]; st != "running" {
		t.Errorf("after unpause: %s", st)
	}
	// stop keeps a restart: always container stopped; start brings it back.
	// containerd's restart monitor leaves it down as long as its label says stopped.
	s.must("stop", "db")
	db := s.ids()[s.project+"-db-1"]
	if st := restartStatus(t, db); st != "stopped" {
		t.Errorf("db after stop: containerd's restart monitor keeps it %q", st)
	}
	if st := s.states(); st["db-1"] != "exited" {
		t.Errorf("db after stop: %v", st)
	}
	ids := s.ids()
	s.must("restart")
	after := s.ids()
	if st := s.states(); st["db-1"] != "running" || st["web-1"] != "running" {
		t.Errorf("after restart: %v", st)
	}
	if fmt.Sprint(ids) != fmt.Sprint(after) {
		t.Errorf("restart recreated containers: %v, then %v", ids, after)
	}
	// restart started the one-shot again too; rm below removes only stopped
	// containers, so wait for it to exit first.
	if r := s.berth("wait", "job"); r.code != 7 {
		t.Errorf("wait job after restart: exit %d, %s", r.code, r.stderr)
	}
	// kill (SIGKILL) counts as stopping: the restart policy leaves db down.
	s.must("kill", "db")
	if st := restartStatus(t, db); st != "stopped" {
		t.Errorf("db after kill: containerd's restart monitor keeps it %q", st)
	}
	if st := s.states()["db-1"]; st != "exited" {
		t.Errorf("db after kill: %s", st)
	}
	// rm removes stopped containers only; without -f it asks and an empty answer is no.
	if r := s.berth("rm"); r.code != 0 || len(s.ps(true)) != 3 {
		t.Errorf("rm without -f and no answer removed something: %d containers, %s", len(s.ps(true)), r.stderr)
	}
	s.must("rm", "-f")
	if got := fmt.Sprint(s.states()); got != "map[web-1:running]" {
		t.Errorf("after rm -f: %s", got)
	}
	s.must("rm", "-f", "-s", "web")
	if n := len(s.ps(true)); n != 0 {
		t.Errorf("after rm -s: %d containers", n)
	}
}

func TestScale(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d", "--scale", "worker=3")
	names := func() string {
		var out []string
		for n := range s.states() {
			out = append(out, n)
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	if got := names(); got != "front-1,helper-1,worker-1,worker-2,worker-3" {
		t.Fatalf("after --scale worker=3: %s", got)
	}
	// Scaling down removes the highest numbers.
	s.must("up", "-d", "--scale", "worker=1")
	if got := names(); got != "front-1,helper-1,worker-1" {
		t.Errorf("after --scale worker=1: %s", got)
	}
	s.must("down")
	// --no-deps brings up the named service alone.
	s.must("up", "-d", "--no-deps", "front")
	if got := names(); got != "front-1" {
		t.Errorf("after up --no-deps front: %s", got)
	}
	if r := s.berth("up", "-d", "--scale", "nope=2"); r.code == 0 || !strings.Contains(r.stderr, "nope") {
		t.Errorf("--scale of an unknown service: exit %d %q", r.code, r.stderr)
	}
}
