package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/containerd/containerd/api/services/tasks/v1"
	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"golang.org/x/sys/unix"

	"berth.dev/berth/network"
)

// A reboot, simulated: containerd, the shims and the tasks of the test namespace
// stop; berth's run directory, bridges and rules go; containerd starts. berth's agent
// comes back (containerd's restart monitor) and brings back, in dependency order,
// the services whose restart policy says they run, with their networks, names and
// published ports, with no berth command run; restart: no and a service the user
// stopped stay down; a service with stdin_open takes attached input again.
func TestReboot(t *testing.T) {
	s := newScenario(t)
	if others := namespaceContainers(t); len(others) > 0 {
		t.Skipf("containers of other projects are in namespace %s (%v): a reboot would take them down too", namespace, others)
	}
	t.Cleanup(func() {
		if t.Failed() { // before down removes the agent and its log
			log, _ := os.ReadFile(filepath.Join(statePaths().StateDir, "logs", "berth-agent.log"))
			t.Logf("berth's agent's log:\n%s", log)
			t.Logf("ps -a:\n%s", s.berth("ps", "-a").stdout)
		}
	})
	s.must("up", "-d")
	s.must("stop", "stopped")
	ids := s.ids()
	id := func(service string) string { return ids[s.project+"-"+service+"-1"] }
	for _, port := range []int{18311, 18312, 18314} {
		eventually(t, 10*time.Second, fmt.Sprintf("port %d answers before the reboot", port), func() error { return answersHTTP(port) })
	}

	simulateReboot(t)
	booted := time.Now()

	for _, port := range []int{18311, 18312} {
		eventually(t, 10*time.Second-time.Since(booted), fmt.Sprintf("port %d answers after the reboot", port), func() error { return answersHTTP(port) })
	}
	for _, name := range []string{"always", "unless"} {
		ip := strings.TrimSpace(s.must("exec", "-T", name, "hostname", "-i"))
		eventually(t, 10*time.Second, name+" resolves from client after the reboot", func() error {
			if got := lookupFrom(s, "client", name); strings.Join(got, ",") != ip {
				return fmt.Errorf("%s resolves to %v, want %s", name, got, ip)
			}
			return nil
		})
	}
	// A stdin_open service takes what attach passes it.
	eventually(t, 30*time.Second, "typist takes attached input after the reboot", func() error {
		if _, err := s.piped("typed after the reboot\n\x10\x11", "attach", "typist"); err != nil {
			return fmt.Errorf("attach typist: %w", err)
		}
		if logs := s.must("logs", "typist"); !strings.Contains(logs, "typed after the reboot") {
			return fmt.Errorf("logs typist:\n%s", logs)
		}
		return nil
	})
	for _, name := range []string{"stopped", "never"} {
		if pid, err := runningPid(id(name)); err == nil {
			t.Errorf("%s runs after the reboot (pid %d)", name, pid)
		}
	}
	for _, port := range []int{18313, 18314} {
		if err := answersHTTP(port); err == nil {
			t.Errorf("port %d answers after the reboot", port)
		}
	}
}

// answersHTTP tells whether an HTTP server answers on the port, whatever its status.
func answersHTTP(port int) error {
	_, err := httpGet(fmt.Sprintf("http://127.0.0.1:%d/", port))
	if err != nil && strings.HasPrefix(err.Error(), "status ") {
		return nil
	}
	return err
}

// simulateReboot takes away what a reboot takes from the test namespace: the tasks
// and their shims stop with containerd, berth's run directory (network namespaces)
// goes, and so do its bridges and their rules; then containerd starts again. Only
// the test namespace's processes are stopped, each by PID.
func simulateReboot(t *testing.T) {
	t.Helper()
	tasks, shims := namespaceProcesses(t)
	stopContainerd(t)
	for _, pids := range [][]int{tasks, shims} {
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	eventually(t, 10*time.Second, "the test namespace's tasks and shims end", func() error {
		for _, pid := range append(append([]int{}, tasks...), shims...) {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
				if st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); !strings.Contains(string(st), ") Z") {
					return fmt.Errorf("pid %d still there", pid)
				}
			}
		}
		return nil
	})

	runDir := statePaths().RunDir
	netns, _ := filepath.Glob(filepath.Join(runDir, "netns", "*"))
	for _, p := range netns {
		for i := 0; i < 4 && unix.Unmount(p, unix.MNT_DETACH) == nil; i++ {
		}
	}
	if err := os.RemoveAll(runDir); err != nil {
		t.Fatal(err)
	}
	nets, err := network.NewManager(statePaths()).List()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nets {
		deleteBridgeRules(t, n.Bridge)
		if out, err := exec.Command("ip", "link", "del", n.Bridge).CombinedOutput(); err != nil {
			t.Logf("ip link del %s: %v: %s", n.Bridge, err, out)
		}
	}
	startContainerd(t)
}

// namespaceContainers are the containers of the test namespace, but berth's agent.
func namespaceContainers(t *testing.T) []string {
	t.Helper()
	c, err := ctrd.New(containerdSocket, ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	list, err := c.Containers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, x := range list {
		if x.ID() != "berth-agent" {
			ids = append(ids, x.ID())
		}
	}
	return ids
}

// namespaceProcesses are the PIDs of the test namespace's tasks and of their shims
// (each task's parent, when it is a containerd shim of this namespace).
func namespaceProcesses(t *testing.T) (taskPids, shimPids []int) {
	t.Helper()
	c, err := ctrd.New(containerdSocket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := namespaces.WithNamespace(context.Background(), namespace)
	resp, err := c.TaskService().List(ctx, &tasks.ListTasksRequest{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, task := range resp.Tasks {
		if task.Pid == 0 {
			continue
		}
		taskPids = append(taskPids, int(task.Pid))
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", task.Pid))
		if err != nil {
			continue
		}
		var ppid int
		if _, err := fmt.Sscanf(string(st[strings.LastIndexByte(string(st), ')')+2:]), "%*s %d", &ppid); err != nil {
			continue
		}
		cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", ppid))
		args := strings.Split(string(cmd), "\x00")
		if !seen[ppid] && strings.Contains(args[0], "containerd-shim") && hasPair(args, "-namespace", namespace) {
			seen[ppid] = true
			shimPids = append(shimPids, ppid)
		}
	}
	return taskPids, shimPids
}

func hasPair(args []string, flag, value string) bool {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag && args[i+1] == value {
			return true
		}
	}
	return false
}

// deleteBridgeRules deletes every iptables rule (filter and nat) that names bridge.
func deleteBridgeRules(t *testing.T, bridge string) {
	t.Helper()
	for _, table := range []string{"filter", "nat"} {
		out, err := exec.Command("iptables", "-t", table, "-S").Output()
		if err != nil {
			t.Fatalf("iptables -t %s -S: %v", table, err)
		}
		for _, line := range strings.Split(string(out), "\n") {
			fields := strings.Fields(line)
			if len(fields) < 2 || fields[0] != "-A" || !hasField(fields, bridge) {
				continue
			}
			args := append([]string{"-t", table, "-D"}, fields[1:]...)
			if out, err := exec.Command("iptables", args...).CombinedOutput(); err != nil {
				t.Fatalf("iptables %v: %v: %s", args, err, out)
			}
		}
	}
}

func hasField(fields []string, v string) bool {
	for _, f := range fields {
		if f == v {
			return true
		}
	}
	return false
}
