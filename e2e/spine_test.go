package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
)

func httpGet(url string) (string, error) {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return string(b), err
}

var hits = regexp.MustCompile(`seen (\d+) times`)

func TestWebRedisCounter(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	var first string
	eventually(t, 30*time.Second, "web answers on 127.0.0.1:18000", func() error {
		var err error
		first, err = httpGet("http://127.0.0.1:18000/")
		return err
	})
	second, err := httpGet("http://127.0.0.1:18000/")
	if err != nil {
		t.Fatal(err)
	}
	var n1, n2 int
	if m := hits.FindStringSubmatch(first); m != nil {
		fmt.Sscan(m[1], &n1)
	}
	if m := hits.FindStringSubmatch(second); m != nil {
		fmt.Sscan(m[1], &n2)
	}
	if n1 < 1 || n2 != n1+1 {
		t.Fatalf("counter did not go up by one: %q then %q", first, second)
	}
}

func TestServiceDiscovery(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	ipOf := func(args ...string) string {
		return strings.TrimSpace(s.must(append([]string{"exec", "-T"}, append(args, "hostname", "-i")...)...))
	}
	web1, web2 := ipOf("--index", "1", "web"), ipOf("--index", "2", "web")
	named := ipOf("named")
	if web1 == web2 || web1 == "" {
		t.Fatalf("replica addresses %q and %q", web1, web2)
	}
	lookup := func(name string) []string { return lookupFrom(s, "client", name) }
	want := []string{web1, web2}
	sort.Strings(want)
	for _, name := range []string{"web", "www"} {
		if got := lookup(name); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s resolves to %v, want every replica %v", name, got, want)
		}
	}
	if got := lookup(s.project + "-web-2"); len(got) != 1 || got[0] != web2 {
		t.Errorf("container name resolves to %v, want %s", got, web2)
	}
	if got := lookup("e2e-discovery-named"); len(got) != 1 || got[0] != named {
		t.Errorf("container_name resolves to %v, want %s", got, named)
	}
	if got := lookup("named"); len(got) != 1 || got[0] != named {
		t.Errorf("service named resolves to %v, want %s", got, named)
	}
	r := s.berth("exec", "-T", "client", "nslookup", "no-such-service")
	if r.code == 0 {
		t.Errorf("an unknown name resolved: %s", r.stdout)
	}
	// The resolver follows changes: a stopped container disappears, a new replica
	// answers, each within a second; the bound here adds the round trips of exec.
	s.must("stop", "named")
	eventually(t, 2*time.Second, "a stopped container's name disappears", func() error {
		if got := lookup("named"); len(got) != 0 {
			return fmt.Errorf("still %v", got)
		}
		return nil
	})
	s.must("up", "-d", "--scale", "web=3")
	eventually(t, 2*time.Second, "a new replica answers", func() error {
		if got := lookup("web"); len(got) != 3 {
			return fmt.Errorf("%v", got)
		}
		return nil
	})
}

func TestLogs(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	eventually(t, 10*time.Second, "talker's first lines in logs", func() error {
		out := s.must("logs", "--no-color", "talker")
		for _, want := range []string{"hello-stdout", "hello-stderr", s.project + "-talker-1 | "} {
			if !strings.Contains(out, want) {
				return fmt.Errorf("no %q in %q", want, out)
			}
		}
		return nil
	})
	eventually(t, 10*time.Second, "the one-shot's output after it exited", func() error {
		for _, c := range s.ps(true) {
			if c.Service == "oneshot" && c.State != "exited" {
				return fmt.Errorf("oneshot is %s", c.State)
			}
		}
		out := s.must("logs", "--no-log-prefix", "oneshot")
		if strings.TrimSpace(out) != "done-once" {
			return fmt.Errorf("oneshot logs %q", out)
		}
		return nil
	})
	if out := s.must("logs", "--tail", "1", "--no-log-prefix", "oneshot"); strings.TrimSpace(out) != "done-once" {
		t.Errorf("--tail 1: %q", out)
	}
	// Colours only on a terminal, or when asked.
	if out := s.must("logs", "oneshot"); strings.Contains(out, "\x1b[") {
		t.Errorf("colours in piped output: %q", out)
	}
	if out := s.must("--ansi", "always", "logs", "oneshot"); !strings.Contains(out, "\x1b[") {
		t.Errorf("--ansi always without colours: %q", out)
	}
	// The live progress view, asked for without a terminal.
	if r := s.berth("--progress", "tty", "up", "-d"); r.code != 0 || !strings.Contains(r.stderr, "[+] Running") {
		t.Errorf("--progress tty: exit %d %q", r.code, r.stderr)
	}
	// logs -f keeps following: a tick written after it started shows up.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := followUntil(ctx, t, s, "tick-3", "logs", "-f", "--no-color", "talker")
	if !strings.Contains(out, "tick-3") {
		t.Errorf("logs -f did not show new lines: %q", out)
	}
	// attach shows what the container writes from now on, without prefixes.
	out = followUntil(ctx, t, s, "tick-", "attach", "talker")
	if !strings.HasPrefix(out, "tick-") || strings.Contains(out, "hello-stdout") {
		t.Errorf("attach: %q", out)
	}
}

func TestExecExitStatus(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	if r := s.berth("exec", "-T", "box", "sh", "-c", "exit 3"); r.code != 3 {
		t.Errorf("exec exit status %d, want 3 (stderr %q)", r.code, r.stderr)
	}
	if out := s.must("exec", "-T", "-e", "EXTRA=given", "box", "sh", "-c", "echo $FROM_FILE $EXTRA $(pwd)"); strings.TrimSpace(out) != "file-value given /tmp" {
		t.Errorf("exec environment and working dir: %q", out)
	}
	if out := s.must("exec", "-T", "-w", "/", "-u", "65534", "box", "sh", "-c", "id -u; pwd"); strings.Fields(out)[0] != "65534" || strings.Fields(out)[1] != "/" {
		t.Errorf("exec -u -w: %q", out)
	}
	// -d returns at once and leaves the command running.
	s.must("exec", "-d", "box", "sh", "-c", "sleep 1; echo done > /tmp/background")
	eventually(t, 10*time.Second, "the detached command's work", func() error {
		if out := s.berth("exec", "-T", "box", "cat", "/tmp/background"); strings.TrimSpace(out.stdout) != "done" {
			return fmt.Errorf("not yet: %q", out.stdout)
		}
		return nil
	})
	// --privileged gives every capability; without it the default set is smaller.
	capEff := func(args ...string) uint64 {
		out := s.must(append(append([]string{"exec", "-T"}, args...), "box", "sh", "-c", "grep CapEff /proc/self/status")...)
		v, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(out), "CapEff:")), 16, 64)
		if err != nil {
			t.Fatalf("CapEff %q: %v", out, err)
		}
		return v
	}
	const sysAdmin = 1 << 21
	if plain, priv := capEff(), capEff("--privileged"); plain&sysAdmin != 0 || priv&sysAdmin == 0 || priv&plain != plain {
		t.Errorf("--privileged capabilities %x, plain %x", priv, plain)
	}
	if r := s.berth("exec", "-T", "nope", "true"); r.code == 0 || !strings.Contains(r.stderr, "nope") {
		t.Errorf("exec into an unknown service: exit %d, %q", r.code, r.stderr)
	}
}

func TestReconcile(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	first := s.ids()
	if len(first) != 2 {
		t.Fatalf("containers after up: %v", first)
	}
	s.must("up", "-d")
	if again := s.ids(); fmt.Sprint(again) != fmt.Sprint(first) {
		t.Fatalf("a second up changed containers: %v, then %v", first, again)
	}
	r := s.berthEnv([]string{"B_VALUE=two"}, "up", "-d")
	if r.code != 0 {
		t.Fatalf("up with a changed b: %s", r.stderr)
	}
	changed := s.ids()
	a, b := s.project+"-a-1", s.project+"-b-1"
	if changed[a] != first[a] {
		t.Errorf("a was recreated though it did not change")
	}
	if changed[b] == first[b] || changed[b] == "" {
		t.Errorf("b was not recreated though its environment changed")
	}
	if out := s.must("exec", "-T", "b", "sh", "-c", "echo $VALUE"); strings.TrimSpace(out) != "two" {
		t.Errorf("b's new environment: %q", out)
	}
	// ps -q and --services.
	if ids := strings.Fields(s.must("ps", "-q")); len(ids) != 2 || (ids[0] != changed[a] && ids[1] != changed[a]) {
		t.Errorf("ps -q: %v", ids)
	}
	if svcs := strings.Fields(s.must("ps", "--services")); strings.Join(svcs, ",") != "a,b" {
		t.Errorf("ps --services: %v", svcs)
	}
	// down --rmi all removes the services' image from the store.
	s.must("down", "--rmi", "all")
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.GetImage(context.Background(), registry+"/berth/busybox:latest"); err == nil {
		t.Error("down --rmi all kept the image")
	}
}

func TestRestartAlways(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	id := s.ids()[s.project+"-phoenix-1"]
	pidOf := func() (uint32, error) { return runningPid(id) }
	old, err := pidOf()
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(int(old), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the killed container comes back", func() error {
		pid, err := pidOf()
		if err != nil {
			return err
		}
		if pid == old {
			return fmt.Errorf("still the old process %d", pid)
		}
		return nil
	})
	if now := s.ids()[s.project+"-phoenix-1"]; now != id {
		t.Errorf("restart made a new container: %s, was %s", now, id)
	}
}

// logs -f follows containers that start after it did.
func TestLogsFollowNewContainers(t *testing.T) {
	s := newScenarioIn(t, "testdata/TestLogs")
	s.must("up", "-d", "talker")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		// Give logs -f a moment to subscribe, then start the other service.
		time.Sleep(time.Second)
		s.berth("up", "-d", "oneshot")
	}()
	out := followUntil(ctx, t, s, "done-once", "logs", "-f", "--no-color")
	if !strings.Contains(out, "done-once") {
		t.Errorf("logs -f did not follow a container started after it: %q", out)
	}
}
