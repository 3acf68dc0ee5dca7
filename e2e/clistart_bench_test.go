package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth.dev/berth/internal/benchreport"
)

// The start-up goal of berth's CLI (issue 17): `version`, and `ps` of a project with
// nothing running, in at most 30 ms of CPU and 25 MiB resident.
const (
	cliStartCPUGoal = 30 * time.Millisecond
	cliStartRSSGoal = 25 << 20
)

// BenchmarkCLIStart runs `berth version` and `berth ps` (in a project directory
// whose one service has no container) 20 times each and reports the median CPU
// time (user + system, from the child's rusage) and maximum resident size, beside
// the same for ls of that directory, a reference measured in the same run (each
// under GNU time, whose own small cost is in every row); then the sizes of the
// binaries berth runs.
func BenchmarkCLIStart(b *testing.B) {
	const runs = 20
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("name: clistart\nservices:\n  app:\n    image: busybox\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	env := append(os.Environ(), "CONTAINERD_NAMESPACE="+benchNamespace)
	ls, err := exec.LookPath("ls")
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		argv []string
	}{
		{"ls (reference)", []string{ls, "-l", dir}},
		{"berth version", []string{berthBin, "version"}},
		{"berth ps", []string{berthBin, "ps"}},
	}
	fmt.Printf("\nstart of one command, median of %d runs   CPU ms   max RSS MiB   CPU/ref   RSS/ref\n", runs)
	var ref startCost
	for i := 0; i < b.N; i++ {
		for _, c := range cases {
			m := medianStart(b, dir, env, c.argv, runs)
			if c.name == "ls (reference)" {
				ref = m
			}
			fmt.Printf("  %-38s %7.1f   %11.1f   %7.1fx  %7.1fx\n", c.name, ms(m.cpu), mib(m.rss),
				float64(m.cpu)/float64(max(ref.cpu, 1)), float64(m.rss)/float64(max(ref.rss, 1)))
			if c.name != "ls (reference)" {
				b.ReportMetric(ms(m.cpu), c.argv[1]+"-cpu-ms")
				b.ReportMetric(mib(m.rss), c.argv[1]+"-rss-MiB")
				benchreport.Beside("cli/"+c.argv[1]+"-cpu", ms(m.cpu), "ms", "ms of ls", ms(ref.cpu), benchreport.AtMost(ms(cliStartCPUGoal)))
				benchreport.Beside("cli/"+c.argv[1]+"-rss", mib(m.rss), "MiB", "MiB of ls", mib(ref.rss), benchreport.AtMost(mib(cliStartRSSGoal)))
			}
		}
	}
	fmt.Printf("  goal                                   %7.1f   %11.1f\n", ms(cliStartCPUGoal), mib(cliStartRSSGoal))
	fmt.Println("binary sizes, MB")
	for _, name := range []string{"berth", "berth-logdriver", "berth-agent", "berth-kube"} {
		st, err := os.Stat(filepath.Join(filepath.Dir(berthBin), name))
		if err != nil {
			fmt.Printf("  %-16s absent beside berth\n", name)
			continue
		}
		fmt.Printf("  %-16s %6.1f\n", name, float64(st.Size())/1e6)
		b.ReportMetric(float64(st.Size())/1e6, name+"-MB")
		benchreport.Value("cli/size-"+name, float64(st.Size())/1e6, "MB", nil)
	}
}

// startCost is what one run of a command cost: CPU time and maximum resident size.
type startCost struct {
	cpu time.Duration
	rss int64 // bytes
}

// medianStart runs argv n times in dir and returns the median of each measure. The
// CPU time is the child's rusage. Its maximum resident size is not: Go starts a
// child sharing this process's memory until exec (vfork), and the kernel keeps that
// size as the child's; GNU time forks a child of its own and reports its size.
func medianStart(b *testing.B, dir string, env, argv []string, n int) startCost {
	b.Helper()
	gnuTime, err := exec.LookPath("/usr/bin/time")
	if err != nil {
		b.Fatalf("GNU time (/usr/bin/time, scripts/setup installs it) measures the resident size: %v", err)
	}
	sizeFile := filepath.Join(b.TempDir(), "maxrss")
	var cpus []time.Duration
	var rsss []int64
	for range n {
		cmd := exec.Command(gnuTime, append([]string{"-f", "%M", "-o", sizeFile}, argv...)...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", argv, err, out)
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage) // time's and its child's
		cpus = append(cpus, time.Duration(ru.Utime.Nano()+ru.Stime.Nano()))
		kb, err := os.ReadFile(sizeFile)
		if err != nil {
			b.Fatal(err)
		}
		v, err := strconv.ParseInt(strings.TrimSpace(string(kb)), 10, 64)
		if err != nil {
			b.Fatalf("GNU time's %%M: %q: %v", kb, err)
		}
		rsss = append(rsss, v<<10)
	}
	slices.Sort(cpus)
	slices.Sort(rsss)
	return startCost{cpus[n/2], rsss[n/2]}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
