package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"

	"berth.dev/berth/internal/benchreport"
)

// The watch benchmark: the time from a file's write on the host to its new content
// readable in the container (median and p95 over watchEdits edits of one file under
// a sync rule), and the CPU the watcher uses while idle over a tree of
// watchTreeFiles files. The content is read through the container's root as its
// process sees it (/proc/PID/root), polled every half millisecond: the same file
// the container reads, without the cost of an exec per look.
const (
	watchEdits     = 50
	watchTreeFiles = 20000
	watchIdle      = 10 * time.Second
	// composeQuietPeriod is docker compose's batching delay (pkg/watch), for the table.
	composeQuietPeriod = 500 * time.Millisecond
)

func BenchmarkWatchSync(b *testing.B) {
	dir := b.TempDir()
	compose := fmt.Sprintf(`services:
  app:
    image: %s
    command: [sleep, "3600"]
    stop_signal: SIGKILL
    develop:
      watch:
        - path: ./src
          action: sync
          target: /app
`, benchImage)
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		b.Fatal(err)
	}
	for d := 0; d < watchTreeFiles/100; d++ {
		sub := filepath.Join(dir, "src", "tree", fmt.Sprintf("d%03d", d))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := 0; f < 100; f++ {
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%03d", f)), []byte("x"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	s := &scenario{t: b, dir: dir, bin: berthBin, project: "benchwatch",
		env: []string{"CONTAINERD_NAMESPACE=" + benchNamespace, "BERTH_DNS_UPSTREAMS=none"}}
	if err := s.run("up", "-d"); err != nil {
		b.Fatal(err)
	}
	defer s.run("down", "-t", "0")
	pid := benchTaskPid(b, s.project+"-app-1")

	cmd := s.startWatching("watch", "--no-up")
	defer func() {
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
	}()

	// Idle: nothing changes in the tree.
	before := cpuTicks(b, cmd.Process.Pid)
	time.Sleep(watchIdle)
	idle := float64(cpuTicks(b, cmd.Process.Pid)-before) / 100 / watchIdle.Seconds() // USER_HZ is 100

	hostFile := filepath.Join(dir, "src", "hot.txt")
	inContainer := fmt.Sprintf("/proc/%d/root/app/hot.txt", pid)
	var lat []time.Duration
	for i := 0; i < watchEdits; i++ {
		content := fmt.Sprintf("edit %d at %d\n", i, time.Now().UnixNano())
		start := time.Now()
		if err := os.WriteFile(hostFile, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
		for {
			if got, _ := os.ReadFile(inContainer); string(got) == content {
				break
			}
			if time.Since(start) > 10*time.Second {
				b.Fatalf("edit %d not in the container within 10s", i)
			}
			time.Sleep(500 * time.Microsecond)
		}
		lat = append(lat, time.Since(start))
		time.Sleep(100 * time.Millisecond) // the next edit is a change of its own
	}
	med, p95 := median(lat), lat[len(lat)*95/100] // median sorts lat
	fmt.Printf("\n%-34s %10s %10s\n", "edit to container (one-file sync)", "median", "p95")
	fmt.Printf("%-34s %8.1fms %8.1fms\n", fmt.Sprintf("berth watch (%d edits)", watchEdits), ms(med), ms(p95))
	fmt.Printf("%-34s %8.1fms %10s\n", "docker compose's quiet period", ms(composeQuietPeriod), "")
	fmt.Printf("watcher CPU while idle over %d files: %.2f%% of a core (%s)\n", watchTreeFiles, idle*100, watchIdle)
	b.ReportMetric(ms(med), "ms-median")
	b.ReportMetric(ms(p95), "ms-p95")
	b.ReportMetric(idle*100, "%cpu-idle")
	benchreport.Beside("watch/edit-to-container-median", ms(med), "ms", "ms, docker compose's quiet period", ms(composeQuietPeriod), nil)
	benchreport.Value("watch/edit-to-container-p95", ms(p95), "ms", nil)
	benchreport.Value("watch/idle-cpu", idle*100, "% of a core", nil)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchTaskPid is the host PID of a running container of the benchmark namespace.
func benchTaskPid(b *testing.B, name string) uint32 {
	ctx := context.Background()
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(benchNamespace))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	cs, err := c.Containers(ctx, fmt.Sprintf(`labels."berth.name"==%q`, name))
	if err != nil || len(cs) != 1 {
		b.Fatalf("container %s: %d found, %v", name, len(cs), err)
	}
	task, err := cs[0].Task(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	return task.Pid()
}

// cpuTicks is the user and system time of a process, in clock ticks.
func cpuTicks(b *testing.B, pid int) uint64 {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// The fields after the command name, which is in parentheses: utime and stime
	// are the 12th and 13th of them.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	u, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	return u + st
}
