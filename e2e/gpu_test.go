package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeGPUs writes CDI specs of two kinds into a directory of the test's: a test
// vendor's berth.test/gpu with devices 0 and 1, and nvidia.com/gpu with device 0,
// standing in for a toolkit's. Each device is a node made as a copy of a harmless
// one (1:3, like /dev/null; 1:5, like /dev/zero) and a variable; every device of a
// kind brings a file standing in for a driver library.
func fakeGPUs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, minor := range map[string]uint32{"fakegpu0": 3, "fakegpu1": 5, "nvfake0": 3} {
		if err := unix.Mknod(filepath.Join(dir, name), unix.S_IFCHR|0o666, int(unix.Mkdev(1, minor))); err != nil {
			t.Fatalf("mknod %s: %v", name, err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "libfakegpu.so.1"), []byte("fake driver library\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	specs := map[string]string{
		"berth-test.yaml": `cdiVersion: "0.6.0"
kind: berth.test/gpu
devices:
- name: "0"
  containerEdits:
    deviceNodes: [{path: /dev/fakegpu0, hostPath: DIR/fakegpu0}]
    env: [FAKEGPU_0=present]
- name: "1"
  containerEdits:
    deviceNodes: [{path: /dev/fakegpu1, hostPath: DIR/fakegpu1}]
    env: [FAKEGPU_1=present]
containerEdits:
  mounts: [{hostPath: DIR/libfakegpu.so.1, containerPath: /usr/lib/libfakegpu.so.1, options: [ro, nosuid, nodev, bind]}]
`,
		"nvidia.yaml": `cdiVersion: "0.6.0"
kind: nvidia.com/gpu
devices:
- name: "0"
  containerEdits:
    deviceNodes: [{path: /dev/nvidia0, hostPath: DIR/nvfake0}]
    env: [FAKE_NVIDIA_0=present]
`,
	}
	for name, spec := range specs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.ReplaceAll(spec, "DIR", dir)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// psDevices maps each container's service to the CDI devices ps --format json
// shows for it.
func psDevices(t *testing.T, s *scenario) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(s.must("ps", "-a", "--format", "json")), "\n") {
		var e struct {
			Service string
			Devices []string
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("ps json line %q: %v", line, err)
		}
		out[e.Service] = e.Devices
	}
	return out
}

// TestGPUs runs every compose spelling of a GPU request, and run --gpus, on devices
// of CDI specs the test writes: each container sees the device nodes, variables
// and library of the devices it asked for and no others, and ps shows which.
func TestGPUs(t *testing.T) {
	s := newScenario(t)
	s.env = append(s.env, "BERTH_CDI_SPEC_DIRS="+fakeGPUs(t))
	s.must("up", "-d")
	want := map[string][]string{
		"every":    {"berth.test/gpu=0", "berth.test/gpu=1"},
		"one":      {"berth.test/gpu=0"},
		"named":    {"berth.test/gpu=1"},
		"cdi-name": {"berth.test/gpu=1"},
		"legacy":   {"nvidia.com/gpu=0"},
		"plain":    nil,
	}
	// What a container with those devices sees: the nodes (usable: the device
	// cgroup lets it read them), one variable per device, the library once.
	sees := func(devices []string) string {
		var b strings.Builder
		lib := false
		for _, d := range devices {
			kind, n, _ := strings.Cut(d, "=")
			if kind == "nvidia.com/gpu" {
				fmt.Fprintf(&b, "/dev/nvidia%s\nFAKE_NVIDIA_%s=present\n", n, n)
				continue
			}
			fmt.Fprintf(&b, "/dev/fakegpu%s\nFAKEGPU_%s=present\n", n, n)
			lib = true
		}
		if lib {
			b.WriteString("fake driver library\n")
		}
		return b.String()
	}
	const look = `for d in /dev/fakegpu* /dev/nvidia*; do [ -e $d ] && head -c 1 $d >/dev/null && echo $d; done; ` +
		`env | grep -E '^FAKE(GPU|_NVIDIA)_' | sort; cat /usr/lib/libfakegpu.so.1 2>/dev/null; true`
	got := psDevices(t, s)
	for service, devices := range want {
		if !slices.Equal(got[service], devices) {
			t.Errorf("%s: ps shows devices %v, want %v", service, got[service], devices)
		}
		if out := s.must("exec", "-T", service, "sh", "-c", look); sortLines(out) != sortLines(sees(devices)) {
			t.Errorf("%s sees:\n%s\nwant:\n%s", service, out, sees(devices))
		}
	}

	// A second up keeps every container and its devices.
	before := s.ids()
	s.must("up", "-d")
	if after := s.ids(); !maps.Equal(before, after) {
		t.Errorf("a second up recreated containers: %v, then %v", before, after)
	}

	// run --gpus as docker run takes it: a count of the default kind, and device ids.
	if out := s.must("run", "--rm", "-T", "--gpus", "1", "plain", "sh", "-c", look); sortLines(out) != sortLines(sees([]string{"nvidia.com/gpu=0"})) {
		t.Errorf("run --gpus 1 sees:\n%s", out)
	}
	if out := s.must("run", "--rm", "-T", "--gpus", `"device=1",driver=berth.test/gpu`, "plain", "sh", "-c", look); sortLines(out) != sortLines(sees([]string{"berth.test/gpu=1"})) {
		t.Errorf(`run --gpus '"device=1",driver=berth.test/gpu' sees:\n%s`, out)
	}
	if r := s.berth("run", "--rm", "-T", "--gpus", "2", "plain", "true"); r.code == 0 || !strings.Contains(r.stderr, `the host has 1 nvidia.com/gpu device (0)`) {
		t.Errorf("run --gpus 2 on a host with one: exit %d: %s", r.code, r.stderr)
	}
}

// TestGPUsMissing asks for a kind of GPU no CDI spec gives: up fails with one line
// naming the file, service and field and what the host has, and makes nothing.
func TestGPUsMissing(t *testing.T) {
	s := newScenario(t)
	s.env = append(s.env, "BERTH_CDI_SPEC_DIRS="+fakeGPUs(t))
	before := takeInventory(t)
	r := s.berth("up", "-d")
	msg := strings.TrimSpace(r.stderr)
	if r.code == 0 || strings.Contains(msg, "\n") {
		t.Fatalf("up: exit %d, want one line:\n%s", r.code, msg)
	}
	for _, w := range []string{"compose.yaml", `service "trainer"`, `"deploy.resources.reservations.devices[0]"`, "amd.com/gpu", "the host has 2 berth.test/gpu, 1 nvidia.com/gpu"} {
		if !strings.Contains(msg, w) {
			t.Errorf("the error %q does not say %s", msg, w)
		}
	}
	if diff := before.diff(takeInventory(t)); diff != "" {
		t.Errorf("a refused up made:\n%s", diff)
	}
}

func sortLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
