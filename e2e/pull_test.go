package e2e

import (
	"context"
	"strings"
	"testing"

	ctrd "github.com/containerd/containerd/v2/client"
)

func TestPull(t *testing.T) {
	s := newScenario(t)
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	has := func(ref string) bool {
		_, err := c.GetImage(context.Background(), ref)
		return err == nil
	}
	busybox, redis := registry+"/berth/busybox:latest", registry+"/berth/redis:7"
	for _, ref := range []string{busybox, redis} {
		_ = c.ImageService().Delete(context.Background(), ref)
	}
	// pull SERVICE takes that service's image only, unless --include-deps.
	r := s.berth("pull", "app")
	if r.code != 0 || !has(busybox) || has(redis) || !strings.Contains(r.stderr, "Pulled") {
		t.Fatalf("pull app: exit %d, busybox %v, redis %v: %s", r.code, has(busybox), has(redis), r.stderr)
	}
	s.must("pull", "--include-deps", "-q", "app")
	if !has(redis) {
		t.Error("pull --include-deps did not pull the dependency's image")
	}
	if r := s.berth("--profile", "broken", "pull", "broken"); r.code == 0 || !strings.Contains(r.stderr, "nope") {
		t.Errorf("pull of a missing image: exit %d %q", r.code, r.stderr)
	}
	if r := s.berth("--profile", "broken", "pull", "--ignore-pull-failures"); r.code != 0 || !strings.Contains(r.stderr, "nope") {
		t.Errorf("pull --ignore-pull-failures: exit %d %q", r.code, r.stderr)
	}
}
