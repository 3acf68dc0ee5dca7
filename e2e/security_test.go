package e2e

import (
	"context"
	"os"
	"strings"
	"testing"

	ctrd "github.com/containerd/containerd/v2/client"
)

// blockDevice is a block device of the host for blkio_config, "" when it has none.
func blockDevice() string {
	entries, _ := os.ReadDir("/sys/block")
	for _, e := range entries {
		if _, err := os.Stat("/dev/" + e.Name()); err == nil && !strings.HasPrefix(e.Name(), "zram") {
			return "/dev/" + e.Name()
		}
	}
	return ""
}

func TestSecurityAndNamespaces(t *testing.T) {
	s := newScenario(t)
	dev := blockDevice()
	if dev != "" {
		s.env = append(s.env, "BLKIO_DEVICE="+dev)
	}
	s.must("up", "-d")
	read := func(service, cmd string) string {
		return strings.TrimSpace(s.must("exec", "-T", service, "sh", "-c", cmd))
	}
	status := func(service, key string) string {
		return read(service, "grep '^"+key+":' /proc/self/status | cut -f2")
	}
	for _, c := range []struct{ what, got, want string }{
		{"no_new_privs by default (as Docker)", status("plain", "NoNewPrivs"), "0"},
		{"no-new-privileges", status("hardened", "NoNewPrivs"), "1"},
		{"default seccomp profile", status("plain", "Seccomp"), "2"},
		{"seccomp=unconfined", status("unconfined", "Seccomp"), "0"},
		{"seccomp=profile.json", status("hardened", "Seccomp"), "2"},
		{"ipc shared", read("peer", "readlink /proc/self/ns/ipc"), read("target", "readlink /proc/self/ns/ipc")},
		{"ipc shared /dev/shm", read("target", "echo shared > /dev/shm/marker && cat /dev/shm/marker") + read("peer", "cat /dev/shm/marker"), "sharedshared"},
		{"cgroup private: every hierarchy at its root", read("hardened", "cut -d: -f3 /proc/self/cgroup | sort -u"), "/"},
		{"device", read("devices", "test -c /dev/mynull && echo x > /dev/mynull && echo ok"), "ok"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
	// The profile refuses mkdir, which the default profile allows.
	if r := s.berth("exec", "-T", "hardened", "mkdir", "/tmp/x"); r.code == 0 {
		t.Error("seccomp profile: mkdir was allowed")
	}
	if r := s.berth("exec", "-T", "plain", "mkdir", "/tmp/x"); r.code != 0 {
		t.Errorf("default profile: mkdir refused: %s", r.stderr)
	}
	// pid: service:target sees target's sleep; pid: host sees the host's init.
	if out := read("peer", "cat /proc/*/cmdline 2>/dev/null | tr '\\0' ' '"); !strings.Contains(out, "sleep 3601") {
		t.Errorf("pid service:target: target's process not visible: %q", out)
	}
	hostInit, _ := os.ReadFile("/proc/1/comm")
	if got := read("hostpid", "cat /proc/1/comm"); got != strings.TrimSpace(string(hostInit)) {
		t.Errorf("pid host: PID 1 is %q, the host's is %q", got, hostInit)
	}
	// A device cgroup rule lets the container make the node it names (1:5, zero).
	if r := s.berth("exec", "-T", "devices", "sh", "-c", "mknod /tmp/z c 1:5 2>/dev/null || mknod /tmp/z c 1 5 && head -c 4 /tmp/z | od -An -tx1"); r.code != 0 || strings.TrimSpace(r.stdout) != "00 00 00 00" {
		t.Errorf("device_cgroup_rules: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if got := read("devices", "cat /sys/fs/cgroup/memory/memory.swappiness 2>/dev/null || echo no-v1-file"); got == "no-v1-file" {
		t.Log("mem_swappiness: no memory.swappiness here (cgroup v2 has none); not checked")
	} else if got != "10" {
		t.Errorf("mem_swappiness: %q", got)
	}
	if dev == "" {
		t.Log("blkio_config: the host has no block device; the throttle is not checked")
	} else if got := read("devices", "cat /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device 2>/dev/null || cat /sys/fs/cgroup/io.max"); !strings.Contains(got, "1048576") {
		t.Errorf("blkio_config device_read_bps: %q", got)
	}
	// annotations are in the container's OCI spec.
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	ct, err := c.LoadContainer(ctx, s.ids()[s.project+"-hardened-1"])
	if err != nil {
		t.Fatal(err)
	}
	spec, err := ct.Spec(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := spec.Annotations["org.example.role"]; got != "hardened" {
		t.Errorf("annotations: %v", spec.Annotations)
	}
}
