package e2e

import (
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
