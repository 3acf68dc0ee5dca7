package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestInterruptedCreateSwept plants what a berth killed half-way through a create
// leaves before containerd has the container (its creating record, a network
// namespace with no network record, a shareable IPC's shm mount, copied secrets,
// log options), and checks that the next berth to lock the project takes all of it
// away; the harness's inventory sees each kind.
func TestInterruptedCreateSwept(t *testing.T) {
	s := newScenario(t)
	paths := statePaths()
	const id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	creating := filepath.Join(paths.StateDir, "creating", s.project, id)
	netns := filepath.Join(paths.RunDir, "netns", id)
	dir := filepath.Join(paths.StateDir, "containers", id)
	shm := filepath.Join(dir, "shm")
	secret := filepath.Join(dir, "secrets", "token")
	opts := filepath.Join(paths.StateDir, "logs", id+".log.opts.json")
	for _, d := range []string{filepath.Dir(creating), filepath.Dir(netns), shm, filepath.Dir(secret), filepath.Dir(opts)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{creating, netns, secret, opts} {
		if err := os.WriteFile(f, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(name string, args ...string) {
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	run("unshare", "--net="+netns, "true")
	run("mount", "-t", "tmpfs", "-o", "size=1m", "shm", shm)
	if m := berthMounts(t); !slices.Contains(m, netns) || !slices.Contains(m, shm) {
		t.Fatalf("planted mounts not in the inventory: %v", m)
	}

	s.must("up", "-d") // locks the project: the sweep runs first
	for _, f := range []string{creating, netns, dir, opts} {
		if _, err := os.Lstat(f); !os.IsNotExist(err) {
			t.Errorf("%s left after the project's next lock: %v", f, err)
		}
	}
	if m := berthMounts(t); slices.Contains(m, netns) || slices.Contains(m, shm) {
		t.Errorf("mounts left: %v", m)
	}
}

// TestInterruptedVolumeFill: a volume whose first fill from the image a killed berth
// began is filled again, not marked filled with half the content.
func TestInterruptedVolumeFill(t *testing.T) {
	s := newScenarioIn(t, filepath.Join("testdata", "TestInterruptedCreateSwept"))
	s.must("up", "-d")
	if out := s.must("exec", "-T", "box", "ls", "/etc"); !strings.Contains(out, "passwd") {
		t.Fatalf("the volume was not filled from the image's /etc: %q", out)
	}
	s.must("down")
	vol := filepath.Join(statePaths().StateDir, "volumes", s.project+"_data")
	// As a berth killed mid-copy leaves it: not filled, part of the image's content
	// and the marker of the fill it began.
	var rec map[string]any
	data, err := os.ReadFile(filepath.Join(vol, "volume.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	delete(rec, "filled")
	data, _ = json.Marshal(rec)
	if err := os.WriteFile(filepath.Join(vol, "volume.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(vol, "_data", "passwd")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(vol, "filling"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s.must("up", "-d")
	if out := s.must("exec", "-T", "box", "ls", "/etc"); !strings.Contains(out, "passwd") {
		t.Errorf("the interrupted fill was not done again: /etc has %q", out)
	}
	if _, err := os.Stat(filepath.Join(vol, "filling")); !os.IsNotExist(err) {
		t.Errorf("the fill's marker is left: %v", err)
	}
}
