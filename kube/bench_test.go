package kube

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

// BenchmarkDeploy30 is berth deploy of the 30 services, waves and waits included, on
// the tier 2 control plane (claims bind to nothing there, so databases use emptyDirs).
func BenchmarkDeploy30(b *testing.B) {
	c := controlPlane(b)
	p := load(b, bench30(b))
	for _, s := range p.Services {
		s.Volumes = nil
		p.Services[s.Name] = s
	}
	p.Volumes = nil
	res, err := Convert(p, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		d, _ := deployer(b, c, fmt.Sprintf("bench-deploy-%d", i))
		if err := d.Deploy(context.Background(), p, res.Objects); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyAll30 applies the same objects all at once and waits for nothing, as
// `kubectl apply -f` of the converted manifests does: the floor deploy's waves add to.
func BenchmarkApplyAll30(b *testing.B) {
	c := controlPlane(b)
	p := load(b, bench30(b))
	res, err := Convert(p, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		ns := fmt.Sprintf("bench-apply-%d", i)
		namespace(b, c, ns)
		a := &Applier{Client: c.dynamic(b), Namespace: ns}
		if err := a.Apply(context.Background(), res.Objects); err != nil {
			b.Fatal(err)
		}
	}
}
