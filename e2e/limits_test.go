package e2e

import (
	"strconv"
	"strings"
	"testing"
)

func TestLimits(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	read := func(service, cmd string) string {
		return strings.TrimSpace(s.must("exec", "-T", service, "sh", "-c", cmd))
	}
	// cgroup v1 on this host; v2 keeps the same values in other files.
	cg := func(service, v1, v2 string) string {
		return read(service, "cat /sys/fs/cgroup/"+v1+" 2>/dev/null || cat /sys/fs/cgroup/"+v2)
	}
	for _, c := range []struct{ what, got, want string }{
		{"memory limit", cg("limited", "memory/memory.limit_in_bytes", "memory.max"), "67108864"},
		{"memory reservation", cg("limited", "memory/memory.soft_limit_in_bytes", "memory.low"), "33554432"},
		{"cpu quota", cg("limited", "cpu/cpu.cfs_quota_us", "cpu.max"), "50000"},
		{"cpu shares", cg("limited", "cpu/cpu.shares", "cpu.weight"), "512"},
		{"pids", cg("limited", "pids/pids.max", "pids.max"), "50"},
		{"deploy memory", cg("deployed", "memory/memory.limit_in_bytes", "memory.max"), "50331648"},
		{"deploy cpus", cg("deployed", "cpu/cpu.cfs_quota_us", "cpu.max"), "25000"},
		{"deploy pids", cg("deployed", "pids/pids.max", "pids.max"), "40"},
		// PID 1's limits are the ones berth sets. A process started by exec gets them
		// through runc's prlimit, which races the Go runtime of runc's own init on
		// runc before 1.1.13 (runc#4195, Debian 12 ships 1.1.5): soft is then raised
		// to hard, whatever the container asked for.
		{"nofile", read("limited", "awk '/^Max open files/ {print $4; print $5}' /proc/1/limits"), "1024\n2048"},
		{"sysctl", read("limited", "cat /proc/sys/net/ipv4/ip_unprivileged_port_start"), "1024"},
		{"oom_score_adj", read("limited", "cat /proc/self/oom_score_adj"), "200"},
	} {
		if !strings.HasPrefix(c.got, c.want) {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
	// cap_drop ALL + cap_add NET_BIND_SERVICE leaves exactly that one (bit 10).
	eff := read("limited", "grep CapEff /proc/self/status | cut -f2")
	if v, err := strconv.ParseUint(eff, 16, 64); err != nil || v != 1<<10 {
		t.Errorf("capabilities %q, want only NET_BIND_SERVICE", eff)
	}
	if r := s.berth("exec", "-T", "limited", "touch", "/x"); r.code == 0 {
		t.Error("read_only: the root file system was writable")
	}
	if out := read("limited", "grep ' /scratch ' /proc/mounts"); !strings.Contains(out, "tmpfs") || !strings.Contains(out, "size=16384k") {
		t.Errorf("tmpfs: %q", out)
	}
	if out := read("limited", "grep ' /dev/shm ' /proc/mounts"); !strings.Contains(out, "size=8192k") {
		t.Errorf("shm_size: %q", out)
	}
	if out := read("limited", "id -G"); !strings.Contains(" "+out+" ", " 100 ") {
		t.Errorf("group_add: %q", out)
	}
	// privileged: every capability, and the host's devices.
	const sysAdmin = 1 << 21
	priv := read("root", "grep CapEff /proc/self/status | cut -f2")
	if v, err := strconv.ParseUint(priv, 16, 64); err != nil || v&sysAdmin == 0 {
		t.Errorf("privileged capabilities: %q", priv)
	}
	if n, _ := strconv.Atoi(read("root", "ls /dev | wc -l")); n < 30 {
		t.Errorf("privileged: only %d device nodes, not the host's", n)
	}
}
