package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"berth.dev/berth/internal/benchreport"
)

// BenchmarkBuild: a cold and a cached build of examples/web-redis's web image by
// berth, with the buildkitd it starts itself, beside the same builds by buildctl
// alone on that buildkitd (no berth, no import into containerd). Cold means the
// buildkitd's cache pruned first. Run with `make bench` (BUILDKIT_BINS set).
func BenchmarkBuild(b *testing.B) {
	const rounds = 3
	bins := os.Getenv("BUILDKIT_BINS")
	if bins == "" {
		b.Skip("BUILDKIT_BINS is not set: run BUILDKIT_BINS=$(scripts/buildkit-bins) to measure BuildKit builds")
	}
	dir, err := filepath.Abs("../examples/web-redis")
	if err != nil {
		b.Fatal(err)
	}
	s := &scenario{t: b, dir: dir, project: "bench-build", env: []string{"CONTAINERD_NAMESPACE=" + benchNamespace,
		"BERTH_BUILDER=", "BUILDKIT_HOST=", "PATH=" + bins + ":" + os.Getenv("PATH")}}
	defer removeOwnBuildkitdIn(b, benchNamespace)
	if err := s.run("build", "web"); err != nil { // starts berth's buildkitd
		b.Fatal(err)
	}
	addr := "unix://" + filepath.Join("/run/berth", benchNamespace, "buildkit", "buildkitd.sock")
	buildctl := func(args ...string) error {
		out, err := exec.Command(filepath.Join(bins, "buildctl"), append([]string{"--addr", addr}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("buildctl %s: %v\n%s", args[0], err, out)
		}
		return nil
	}
	archive := filepath.Join(b.TempDir(), "web.tar")
	builds := map[string]func() error{
		"berth": func() error { return s.run("build", "web") },
		"buildctl": func() error {
			return buildctl("build", "--frontend", "dockerfile.v0", "--local", "context="+dir, "--local", "dockerfile="+dir,
				"--output", "type=docker,name=bench-web,dest="+archive)
		},
	}
	times := map[string][]time.Duration{}
	for r := 0; r < rounds; r++ {
		for _, who := range []string{"berth", "buildctl"} {
			if err := buildctl("prune", "--all"); err != nil {
				b.Fatal(err)
			}
			cold, err := timed(builds[who])
			if err != nil {
				b.Fatalf("%s cold: %v", who, err)
			}
			cached, err := timed(builds[who])
			if err != nil {
				b.Fatalf("%s cached: %v", who, err)
			}
			times[who+" cold"] = append(times[who+" cold"], cold)
			times[who+" cached"] = append(times[who+" cached"], cached)
		}
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-8s %10s %10s %10s %10s\n", "build", "berth", "buildctl", "extra", "ratio")
	for _, kind := range []string{"cold", "cached"} {
		bt, ct := median(times["berth "+kind]), median(times["buildctl "+kind])
		fmt.Fprintf(&table, "%-8s %9.2fs %9.2fs %9.2fs %9.2fx\n", kind, bt.Seconds(), ct.Seconds(), (bt - ct).Seconds(), bt.Seconds()/ct.Seconds())
		b.ReportMetric(bt.Seconds(), "berth-"+kind+"-s")
		b.ReportMetric(ct.Seconds(), "buildctl-"+kind+"-s")
		benchreport.Beside("build/"+kind, bt.Seconds(), "s", "s buildctl alone on the same buildkitd", ct.Seconds(), nil)
	}
	fmt.Fprintf(&table, "(examples/web-redis web; median of %d rounds; both on berth's buildkitd; berth's time includes loading the CLI, finding the buildkitd and importing the image into containerd)\n", rounds)
	fmt.Print(table.String())
}
