package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"berth.dev/berth/internal/benchreport"
)

// BenchmarkFootprint: the memory of what berth keeps running per container, beside
// the containerd shim's, with 30 busybox services up. Each process's private dirty
// memory and resident size come from the kernel (smaps_rollup); the log drivers are
// the processes the shims start from the containers' binary:// log URIs, the agent
// is berth's one task per namespace.
func BenchmarkFootprint(b *testing.B) {
	const n = 30
	s := benchScenario(b, benchProject(b, n, false))
	if err := s.run("up", "-d"); err != nil {
		b.Fatal(err)
	}
	defer s.run("down")
	var shims, drivers, agent memory
	for _, p := range processes(b) {
		switch {
		case strings.Contains(p.cmdline, "containerd-shim") && strings.Contains(p.cmdline, "-namespace "+benchNamespace):
			shims.add(p)
		case strings.Contains(p.cmdline, " _logdriver ") && strings.Contains(p.cmdline, "/"+benchNamespace+"/"):
			drivers.add(p)
		case strings.Contains(p.cmdline, " _agent ") && strings.Contains(p.cmdline, "--namespace "+benchNamespace):
			agent.add(p)
		}
	}
	if drivers.count < n {
		b.Fatalf("found %d log drivers for %d containers", drivers.count, n)
	}
	per := func(kb int) float64 { return float64(kb) / 1024 / n }
	fmt.Printf("\n%d services up: per container     private MiB   resident MiB   processes\n", n)
	fmt.Printf("  containerd shims (reference)   %8.2f       %8.2f      %d\n", per(shims.private), per(shims.rss), shims.count)
	fmt.Printf("  berth's log drivers            %8.2f       %8.2f      %d\n", per(drivers.private), per(drivers.rss), drivers.count)
	fmt.Printf("  berth's agent (shared)         %8.2f       %8.2f      %d\n", per(agent.private), per(agent.rss), agent.count)
	berthPrivate := drivers.private + agent.private
	fmt.Printf("  berth in all / shims in all: private %.2fx\n", float64(berthPrivate)/float64(shims.private))
	b.ReportMetric(per(drivers.private+agent.private), "berth-private-MiB/container")
	// Issue 17: berth's processes in all below the shims', and at most 1 MB per container.
	benchreport.Beside("footprint/private-per-container", per(berthPrivate), "MiB", "MiB of the containerd shims'", per(shims.private), benchreport.RatioAtMost(1))
	benchreport.Value("footprint/private-per-container-MB", float64(berthPrivate)*1024/1e6/n, "MB", benchreport.AtMost(1))
	b.ReportMetric(per(shims.private), "shim-private-MiB/container")
}

type memory struct{ private, rss, count int } // kB

func (m *memory) add(p process) {
	m.private += p.private
	m.rss += p.rss
	m.count++
}

type process struct {
	cmdline      string
	private, rss int // kB
}

// processes lists every process with its command line and memory, from /proc.
func processes(b *testing.B) []process {
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		b.Fatal(err)
	}
	var out []process
	for _, dir := range dirs {
		cmd, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil || len(cmd) == 0 {
			continue
		}
		rollup, err := os.ReadFile(filepath.Join(dir, "smaps_rollup"))
		if err != nil {
			continue
		}
		p := process{cmdline: " " + string(bytes.ReplaceAll(cmd, []byte{0}, []byte{' '}))}
		sc := bufio.NewScanner(bytes.NewReader(rollup))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) < 2 {
				continue
			}
			v, _ := strconv.Atoi(f[1])
			switch f[0] {
			case "Private_Dirty:":
				p.private = v
			case "Rss:":
				p.rss = v
			}
		}
		out = append(out, p)
	}
	return out
}
