package project

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzLoad feeds Load (compose-go's loader and berth's own checks) any file: it
// must return a project or an error of one line, never panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("services:\n  web:\n    image: x\n    ports: [\"8000:80\"]\n"))
	f.Add([]byte("services:\n  a: {image: x, depends_on: [b], volumes: [\"v:/d\"], networks: [n]}\n  b: {image: x, healthcheck: {test: [CMD, true]}}\nvolumes: {v: {}}\nnetworks: {n: {ipam: {config: [{subnet: 10.1.0.0/24}]}}}\n"))
	f.Add([]byte("name: p\nservices:\n  a: {build: ., deploy: {replicas: 2, resources: {limits: {cpus: '0.5'}}}, restart: on-failure:3}\n"))
	if examples, _ := filepath.Glob("../examples/*/compose.yaml"); len(examples) > 0 {
		for _, e := range examples {
			if b, err := os.ReadFile(e); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p, err := Load(ctx, Options{WorkingDir: dir})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		// What every verb then asks of a loaded project.
		for _, s := range p.Services {
			_, _ = ServiceHash(s)
			_, _ = ParseRestart(s.Restart)
			_ = Replicas(s)
			_ = Links(s.Links, s.ExternalLinks)
			_ = ImageName(p.Name, s)
		}
		_ = CheckKubeSupported(p)
	})
}
