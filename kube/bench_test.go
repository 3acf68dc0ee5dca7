package kube

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"berth.dev/berth/internal/benchreport"
)

// bench30 writes a 30-service stack: ten each of one-shot migrations, databases with
// healthchecks, and apps waiting for both, with a secret and a volume per database.
func bench30(b *testing.B) string {
	b.Helper()
	var f strings.Builder
	f.WriteString("services:\n")
	for i := range 10 {
		fmt.Fprintf(&f, "  migrate%d:\n    image: busybox\n    command: [\"true\"]\n", i)
		fmt.Fprintf(&f, "  db%d:\n    image: redis\n    volumes: [\"data%d:/data\"]\n    secrets: [pw%d]\n    healthcheck:\n      test: [\"CMD\", \"redis-cli\", \"ping\"]\n      interval: 1s\n", i, i, i)
		fmt.Fprintf(&f, "  app%d:\n    image: busybox\n    ports: [\"%d:80\"]\n    depends_on:\n      migrate%d: {condition: service_completed_successfully}\n      db%d: {condition: service_healthy}\n", i, 8000+i, i, i)
	}
	f.WriteString("volumes:\n")
	for i := range 10 {
		fmt.Fprintf(&f, "  data%d:\n", i)
	}
	f.WriteString("secrets:\n")
	for i := range 10 {
		fmt.Fprintf(&f, "  pw%d:\n    file: ./pw%d.txt\n", i, i)
	}
	dir := b.TempDir()
	for i := range 10 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("pw%d.txt", i)), []byte("secret"), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(f.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

func BenchmarkConvert30(b *testing.B) {
	defer recordPerOp(b, "kube/convert-30")
	p := load(b, bench30(b))
	b.ResetTimer()
	for b.Loop() {
		res, err := Convert(p, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := YAML(res.Objects); err != nil {
			b.Fatal(err)
		}
	}
}

// deployable30 is the 30-service stack as deploy30 and its baselines apply it: the
// project, and the objects `berth convert` makes of it.
func deployable30(b *testing.B) (*types.Project, []Object) {
	p := load(b, bench30(b))
	res, err := Convert(p, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return p, res.Objects
}

// BenchmarkDeploy30 is berth deploy of the 30 services, waves and waits included, on
// the tier 2 control plane.
func BenchmarkDeploy30(b *testing.B) {
	defer recordPerOp(b, "kube/deploy-30")
	c := controlPlane(b)
	p, objs := deployable30(b)
	for i := 0; b.Loop(); i++ {
		ns := fmt.Sprintf("bench-deploy-%d", i)
		d, _ := deployer(b, c, ns)
		dropNamespace(b, c, ns)
		if err := d.Deploy(context.Background(), p, objs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyAll30 applies the same objects all at once with berth's applier and
// waits for nothing: the floor deploy's waves add to.
func BenchmarkApplyAll30(b *testing.B) {
	defer recordPerOp(b, "kube/apply-all-30")
	c := controlPlane(b)
	_, objs := deployable30(b)
	for i := 0; b.Loop(); i++ {
		ns := fmt.Sprintf("bench-apply-%d", i)
		namespace(b, c, ns)
		dropNamespace(b, c, ns)
		a := &Applier{Client: c.dynamic(b), Namespace: ns}
		if err := a.Apply(context.Background(), objs); err != nil {
			b.Fatal(err)
		}
	}
}

// The kubectl baselines run the real kubectl on the manifests `berth convert -o DIR`
// writes, against the same control plane: server-side and client-side apply, which
// wait for nothing, and server-side apply followed by kubectl's own waits for what
// deploy waits for (Jobs complete, Deployments available).

func BenchmarkKubectlApplyServerSide30(b *testing.B) {
	benchKubectl(b, "ssa", [][]string{{"apply", "--server-side", "-f", "{dir}"}})
}

func BenchmarkKubectlApplyClientSide30(b *testing.B) {
	benchKubectl(b, "csa", [][]string{{"apply", "-f", "{dir}"}})
}

func BenchmarkKubectlApplyAndWait30(b *testing.B) {
	benchKubectl(b, "wait", [][]string{
		{"apply", "--server-side", "-f", "{dir}"},
		{"wait", "--for=condition=Complete", "job", "--all", "--timeout=5m"},
		{"wait", "--for=condition=Available", "deployment", "--all", "--timeout=5m"},
	})
}

func benchKubectl(b *testing.B, name string, runs [][]string) {
	defer recordPerOp(b, "kube/kubectl-"+name+"-30")
	c := controlPlane(b)
	kubectl := filepath.Join(os.Getenv("KUBE_BINS"), "kubectl")
	if _, err := os.Stat(kubectl); err != nil {
		b.Skipf("KUBE_BINS has no kubectl (%v): run scripts/kube-bins", err)
	}
	_, objs := deployable30(b)
	dir := b.TempDir()
	if err := WriteDir(dir, objs); err != nil {
		b.Fatal(err)
	}
	cacheDir := b.TempDir()
	for i := 0; b.Loop(); i++ {
		ns := fmt.Sprintf("bench-kubectl-%s-%d", name, i)
		namespace(b, c, ns)
		dropNamespace(b, c, ns)
		for _, args := range runs {
			args = append([]string{"--kubeconfig", c.kubeconfig(), "--cache-dir", cacheDir, "-n", ns}, args...)
			for j := range args {
				args[j] = strings.ReplaceAll(args[j], "{dir}", dir)
			}
			if out, err := exec.Command(kubectl, args...).CombinedOutput(); err != nil {
				b.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
	}
}

// dropNamespace deletes a benchmark's namespace when it ends, and waits for it to be
// gone, so that the next benchmark does not pay for the pods this one left running.
func dropNamespace(b *testing.B, c *cluster, ns string) {
	b.Cleanup(func() {
		ctx := context.Background()
		k := c.typed(b)
		if err := k.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
			b.Errorf("delete namespace %s: %v", ns, err)
			return
		}
		// The namespace controller empties it first; there is nothing to watch for
		// but its absence, so poll, bounded.
		for range 600 {
			if _, err := k.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); apierrors.IsNotFound(err) {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		b.Errorf("namespace %s not gone after 2 minutes", ns)
	})
}

// recordPerOp puts a benchmark's time per operation into make bench's figures; the
// kubectl baselines are figures of their own beside berth's.
func recordPerOp(b *testing.B, name string) {
	if b.N > 0 && !b.Failed() && !b.Skipped() {
		benchreport.Value(name, b.Elapsed().Seconds()/float64(b.N), "s", nil)
	}
}
