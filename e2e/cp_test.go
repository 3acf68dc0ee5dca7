package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCp(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	host := t.TempDir()
	file := filepath.Join(host, "in.txt")
	if err := os.WriteFile(file, []byte("from-host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Host to container, file into a directory.
	s.must("cp", file, "box:/tmp/")
	if out := s.must("exec", "-T", "box", "cat", "/tmp/in.txt"); out != "from-host\n" {
		t.Errorf("copied in: %q", out)
	}
	// A directory tree in.
	if err := os.MkdirAll(filepath.Join(host, "tree", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(host, "tree", "sub", "leaf"), []byte("leaf\n"), 0o600)
	s.must("cp", filepath.Join(host, "tree"), "box:/opt/tree")
	if out := s.must("exec", "-T", "box", "sh", "-c", "cat /opt/tree/sub/leaf; stat -c %a /opt/tree/sub/leaf"); out != "leaf\n600\n" {
		t.Errorf("tree copied in: %q", out)
	}
	// Container to host, through a symlink that points to an absolute path: it
	// resolves inside the container, not on the host.
	s.must("exec", "-T", "box", "ln", "-s", "/etc", "/tmp/etc-link")
	out := filepath.Join(host, "hostname")
	s.must("cp", "box:/tmp/etc-link/hostname", out)
	if b, _ := os.ReadFile(out); strings.TrimSpace(string(b)) != "boxhost" {
		t.Errorf("copied out through a symlink: %q", b)
	}
	// From a stopped container: its snapshot.
	eventually(t, 10*time.Second, "done exits", func() error {
		if st := s.states()["done-1"]; st != "exited" {
			return os.ErrNotExist
		}
		return nil
	})
	s.must("cp", "done:/result", filepath.Join(host, "result"))
	if b, _ := os.ReadFile(filepath.Join(host, "result")); string(b) != "left-behind\n" {
		t.Errorf("copied from a stopped container: %q", b)
	}
	if r := s.berth("cp", file, filepath.Join(host, "x")); r.code == 0 {
		t.Error("cp between two host paths was accepted")
	}
}

// TestCpSymlinks: links a container plants to lead out of its root (absolute, or
// climbing with "..") are followed inside the root, in both directions: cp writes
// and reads nothing of the host's outside it.
func TestCpSymlinks(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	outside := t.TempDir() // the host's files the container aims at
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("host-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := listTree(t, outside)
	if err := os.Chmod(outside, 0o700); err != nil {
		t.Fatal(err)
	}
	climb := strings.Repeat("../", 12) + strings.TrimPrefix(outside, "/")
	s.must("exec", "-T", "box", "sh", "-c", "mkdir -p /app && ln -s "+outside+" /app/conf && ln -s "+climb+" /app/rel && ln -s "+outside+"/secret.txt /app/secret-link")

	host := t.TempDir()
	conf := filepath.Join(host, "conf")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "evil.txt"), []byte("evil\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Into the container: a directory onto the absolute link, files through both
	// links. Each lands inside the container (where the link points there) or fails.
	for _, dst := range []string{"box:/app/", "box:/app/conf", "box:/app/conf/", "box:/app/rel/", "box:/app/rel/x.txt", "box:/app/secret-link"} {
		src := conf
		if !strings.HasSuffix(dst, "/") && dst != "box:/app/conf" {
			src = filepath.Join(conf, "evil.txt")
		}
		s.berth("cp", src, dst)
	}
	// Out of the container: through the links, nothing of the host's is read.
	for _, src := range []string{"box:/app/conf/secret.txt", "box:/app/rel/secret.txt", "box:/app/secret-link", "box:/app/conf/.", "box:/app/rel"} {
		dst := filepath.Join(host, "out-"+strings.NewReplacer("/", "_", ":", "_").Replace(src))
		s.berth("cp", src, dst)
		_ = filepath.Walk(dst, func(path string, info os.FileInfo, err error) error {
			if b, _ := os.ReadFile(path); err == nil && info.Mode().IsRegular() && strings.Contains(string(b), "host-secret") {
				t.Errorf("cp %s read the host's %s into %s", src, filepath.Join(outside, "secret.txt"), path)
			}
			return nil
		})
	}
	if after := listTree(t, outside); strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("cp wrote outside the container's root:\nbefore %v\nafter  %v", before, after)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret.txt")); string(b) != "host-secret\n" {
		t.Errorf("the host's file was overwritten: %q", b)
	}
	if fi, _ := os.Stat(outside); fi.Mode().Perm() != 0o700 {
		t.Errorf("the host's directory was chmodded: %v", fi.Mode())
	}
	// The links point inside the container's own root: there the copy landed.
	if out := s.must("exec", "-T", "box", "cat", outside+"/conf/evil.txt"); out != "evil\n" {
		t.Errorf("copied in through the link: %q", out)
	}
}

// TestCpAll: copying into a service reaches every replica, as docker compose; --all
// reaches its one-off (run) containers too, which a plain cp leaves alone; copying
// out reads one replica.
func TestCpAll(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	// The one-off waits (bounded) for /tmp/all, then reports into the shared volume
	// whether /tmp/plain had come too.
	s.must("run", "-d", "box", "sh", "-c",
		`for i in $(seq 600); do if [ -f /tmp/all ]; then { cat /tmp/all; [ -e /tmp/plain ] && echo plain-too; } > /shared/oneoff; exit 0; fi; sleep 0.1; done`)
	host := t.TempDir()
	for name, text := range map[string]string{"plain": "to-replicas\n", "all": "to-all\n"} {
		if err := os.WriteFile(filepath.Join(host, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.must("cp", filepath.Join(host, "plain"), "box:/tmp/plain")
	for _, i := range []string{"1", "2"} {
		if out := s.must("exec", "-T", "--index", i, "box", "cat", "/tmp/plain"); out != "to-replicas\n" {
			t.Errorf("replica %s after cp: %q", i, out)
		}
	}
	s.must("cp", "--all", filepath.Join(host, "all"), "box:/tmp/all")
	var report string
	eventually(t, 30*time.Second, "the one-off reports what cp --all brought", func() error {
		r := s.berth("exec", "-T", "box", "cat", "/shared/oneoff")
		if r.code != 0 {
			return fmt.Errorf("exit %d: %s", r.code, r.stderr)
		}
		report = r.stdout
		return nil
	})
	if report != "to-all\n" {
		t.Errorf("the one-off saw %q, want only what cp --all copied", report)
	}
	if out := s.must("exec", "-T", "--index", "2", "box", "cat", "/tmp/all"); out != "to-all\n" {
		t.Errorf("replica 2 after cp --all: %q", out)
	}
	s.must("cp", "box:/tmp/plain", filepath.Join(host, "out"))
	if b, _ := os.ReadFile(filepath.Join(host, "out")); string(b) != "to-replicas\n" {
		t.Errorf("copied out: %q", b)
	}
}
