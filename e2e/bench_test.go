package e2e

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/contrib/seccomp"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/oci"
	"github.com/containerd/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sync/errgroup"

	"berth.dev/berth/internal/benchreport"
	"berth.dev/berth/internal/logdriver"
	"berth.dev/berth/network"
)

// The whole-command benchmark: `berth up -d` and `berth down` of N busybox services,
// beside a lower bound measured in the same run: the same containers created and
// started straight through the containerd client, with the same CNI setup, log
// driver and security profile (berth's default, which is Docker's: containerd's
// default seccomp profile, setuid allowed), all in parallel. Run with `make bench`.

const benchNamespace = "berth-bench"

const benchImage = registry + "/berth/busybox:latest"

func benchProject(t testing.TB, n int, chain bool) string {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("services:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  s%02d:\n    image: %s\n    command: [sleep, \"3600\"]\n    stop_signal: SIGKILL\n", i, benchImage)
		// A three-level chain: each third depends on every service of the third before.
		if tier := i * 3 / n; chain && tier > 0 {
			b.WriteString("    depends_on:\n")
			for j := 0; j < n; j++ {
				if j*3/n == tier-1 {
					fmt.Fprintf(&b, "      - s%02d\n", j)
				}
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func benchScenario(b *testing.B, dir string) *scenario {
	return &scenario{t: b, dir: dir, project: "bench", env: []string{"CONTAINERD_NAMESPACE=" + benchNamespace, "BERTH_DNS_UPSTREAMS=none"}}
}

func timed(fn func() error) (time.Duration, error) {
	start := time.Now()
	err := fn()
	return time.Since(start), err
}

// median sorts vs and returns its middle value.
func median[T cmp.Ordered](vs []T) T {
	slices.Sort(vs)
	return vs[len(vs)/2]
}

// BenchmarkUpDown measures 10, 30 and 100 services, flat and in the three-level
// chain (the 100s once: they are long), the cost per service at each size, and
// the no-op second `up -d` of 30 running services.
func BenchmarkUpDown(b *testing.B) {
	ctx := context.Background()
	client, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(benchNamespace))
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	lb := newLowerBound(b, client)

	var table strings.Builder
	fmt.Fprintf(&table, "\n%-14s %10s %10s %10s %10s %8s %8s %12s\n", "shape", "up -d", "bound", "down", "bound", "up/lb", "down/lb", "up/service")
	perService := map[bool]float64{} // chain → seconds per service at 10, what larger sizes are held to
	for _, n := range []int{10, 30, 100} {
		rounds := 3
		if n == 100 {
			rounds = 1
		}
		for _, chain := range []bool{false, true} {
			shape := fmt.Sprintf("%d flat", n)
			if chain {
				shape = fmt.Sprintf("%d chain", n)
			}
			s := benchScenario(b, benchProject(b, n, chain))
			var ups, downs, lbUps, lbDowns, noops []time.Duration
			for r := 0; r < rounds; r++ {
				d, err := timed(func() error { return s.run("up", "-d") })
				if err != nil {
					b.Fatalf("%s: up: %v", shape, err)
				}
				ups = append(ups, d)
				if n == 30 && !chain {
					noops = append(noops, noopUp(b, s))
				}
				if d, err = timed(func() error { return s.run("down") }); err != nil {
					b.Fatalf("%s: down: %v", shape, err)
				}
				downs = append(downs, d)

				up, down, err := lb.round(ctx, n)
				if err != nil {
					b.Fatalf("%s: lower bound: %v", shape, err)
				}
				lbUps, lbDowns = append(lbUps, up), append(lbDowns, down)
			}
			u, d, lu, ld := median(ups), median(downs), median(lbUps), median(lbDowns)
			per := u.Seconds() / float64(n)
			fmt.Fprintf(&table, "%-14s %9.2fs %9.2fs %9.2fs %9.2fs %7.2fx %7.2fx %10.1fms\n", shape,
				u.Seconds(), lu.Seconds(), d.Seconds(), ld.Seconds(), u.Seconds()/lu.Seconds(), d.Seconds()/ld.Seconds(), per*1000)
			name := strings.ReplaceAll(shape, " ", "-")
			// Issue 17's goals: up at most the bound at 30 and 100, down at most half of it at 100.
			var upGoal, downGoal *benchreport.Goal
			if n >= 30 {
				upGoal = benchreport.RatioAtMost(1.0)
			}
			if n == 100 {
				downGoal = benchreport.RatioAtMost(0.5)
			}
			benchreport.Beside("up/"+name, u.Seconds(), "s", "s the same containers straight through containerd", lu.Seconds(), upGoal)
			benchreport.Beside("down/"+name, d.Seconds(), "s", "s removing them straight through containerd", ld.Seconds(), downGoal)
			if n == 10 {
				perService[chain] = per
				benchreport.Value("up-per-service/"+name, per*1000, "ms", nil)
			} else {
				// The cost per service must not grow with N.
				benchreport.Beside("up-per-service/"+name, per*1000, "ms", "ms per service at 10", perService[chain]*1000, benchreport.RatioAtMost(1.0))
			}
			b.ReportMetric(u.Seconds()/lu.Seconds(), name+"-up/lb")
			b.ReportMetric(d.Seconds()/ld.Seconds(), name+"-down/lb")
			if len(noops) > 0 {
				noop := median(noops)
				fmt.Fprintf(&table, "%-14s %9.0fms  (the second `up -d`: every container kept, as docker compose keeps them)\n", "30 no-op up", ms(noop))
				benchreport.Value("noop-up/30-flat", ms(noop), "ms", benchreport.AtMost(150))
			}
		}
	}
	fmt.Fprintf(&table, "(median of 3 rounds, 1 for 100; bound = the same containers straight through containerd + CNI, all in parallel)\n")
	fmt.Print(table.String())
}

// noopUp times `up -d` of the project already up and unchanged, and checks it kept
// every container: docker compose documents that it leaves such services be.
func noopUp(b *testing.B, s *scenario) time.Duration {
	before := s.ids()
	d, err := timed(func() error { return s.run("up", "-d") })
	if err != nil {
		b.Fatalf("no-op up: %v", err)
	}
	if after := s.ids(); !maps.Equal(before, after) {
		b.Fatalf("the second up -d changed the containers: %v, then %v", before, after)
	}
	return d
}

// run is berth for the benchmark: any failure is an error, not a test failure.
func (s *scenario) run(args ...string) error {
	r := s.berth(args...)
	if r.code != 0 {
		return fmt.Errorf("berth %v: exit %d: %s", args, r.code, r.stderr)
	}
	return nil
}

// lowerBound creates and removes the benchmark's containers without berth.
type lowerBound struct {
	client *ctrd.Client
	net    *network.Manager
	image  ctrd.Image
	logURI func(id string) string
}

func newLowerBound(b *testing.B, client *ctrd.Client) *lowerBound {
	ctx := context.Background()
	// berth pulls the image; the bound starts from it in the store.
	s := benchScenario(b, benchProject(b, 1, false))
	if err := s.run("up", "-d"); err != nil {
		b.Fatal(err)
	}
	if err := s.run("down"); err != nil {
		b.Fatal(err)
	}
	img, err := client.GetImage(ctx, benchImage)
	if err != nil {
		b.Fatal(err)
	}
	state := filepath.Join(b.TempDir(), "state")
	return &lowerBound{
		client: client,
		net:    network.NewManager(network.Paths{StateDir: state, RunDir: filepath.Join(state, "run")}),
		image:  img,
		logURI: func(id string) string { return logdriver.URI(berthBin, filepath.Join(state, "logs", id+".log")) },
	}
}

func (l *lowerBound) round(ctx context.Context, n int) (up, down time.Duration, err error) {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("bound-%02d", i)
	}
	up, err = timed(func() error {
		if _, err := l.net.Ensure(ctx, network.Config{Name: "bound_default", Project: "bound"}); err != nil {
			return err
		}
		var g errgroup.Group
		for _, id := range ids {
			g.Go(func() error { return l.start(ctx, id) })
		}
		return g.Wait()
	})
	if err != nil {
		return 0, 0, err
	}
	down, err = timed(func() error {
		var g errgroup.Group
		for _, id := range ids {
			g.Go(func() error { return l.remove(ctx, id) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
		return l.net.Remove(ctx, "bound_default")
	})
	return up, down, err
}

func (l *lowerBound) start(ctx context.Context, id string) error {
	ns, err := l.net.CreateNetNS(id)
	if err != nil {
		return err
	}
	if _, err := l.net.Setup(ctx, network.Endpoint{ContainerID: id, ContainerName: id, NetNS: ns},
		[]network.Attachment{{Network: "bound_default"}}, nil); err != nil {
		return err
	}
	c, err := l.client.NewContainer(ctx, id,
		ctrd.WithImage(l.image),
		ctrd.WithSnapshotter("overlayfs"),
		ctrd.WithNewSnapshot(id, l.image),
		ctrd.WithRuntime("io.containerd.runc.v2", nil),
		ctrd.WithNewSpec(oci.WithImageConfig(l.image), oci.WithProcessArgs("sleep", "3600"),
			oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: ns}),
			oci.WithNewPrivileges, seccomp.WithDefaultProfile()),
	)
	if err != nil {
		return err
	}
	task, err := c.NewTask(ctx, cio.LogURI(mustURL(l.logURI(id))))
	if err != nil {
		return err
	}
	return task.Start(ctx)
}

func (l *lowerBound) remove(ctx context.Context, id string) error {
	c, err := l.client.LoadContainer(ctx, id)
	if err != nil {
		return err
	}
	if task, err := c.Task(ctx, nil); err == nil {
		exited, err := task.Wait(ctx)
		if err != nil {
			return err
		}
		if err := task.Kill(ctx, syscall.SIGKILL); err != nil && !errdefs.IsNotFound(err) {
			return err
		}
		<-exited
		if _, err := task.Delete(ctx); err != nil {
			return err
		}
	}
	if err := c.Delete(ctx, ctrd.WithSnapshotCleanup); err != nil {
		return err
	}
	return l.net.Teardown(ctx, id)
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
