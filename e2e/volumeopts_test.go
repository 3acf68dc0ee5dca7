package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVolumeDriverOpts(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "from-host"), []byte("host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Runs after the harness's down -v: removing the volume unmounts it, and never
	// deletes the host directory's files.
	t.Cleanup(func() {
		for _, f := range []string{"from-host", "from-container"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("after down -v, the bound host directory lost %s: %v", f, err)
			}
		}
	})
	s := newScenario(t)
	s.env = append(s.env, "BIND_DIR="+dir)
	s.must("up", "-d")
	read := func(cmd string) string {
		return strings.TrimSpace(s.must("exec", "-T", "app", "sh", "-c", cmd))
	}
	if got := read("grep ' /cache ' /proc/mounts"); !strings.HasPrefix(got, "tmpfs /cache tmpfs") || !strings.Contains(got, "size=1024k") || !strings.Contains(got, "uid=1000") {
		t.Errorf("driver_opts tmpfs: /cache is %q", got)
	}
	if got := read("cat /host/from-host && echo c > /host/from-container && echo ok"); got != "host\nok" {
		t.Errorf("driver_opts bind: %q", got)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "from-container")); err != nil || string(b) != "c\n" {
		t.Errorf("driver_opts bind: the host does not see the container's file: %q %v", b, err)
	}
	// A recreated container finds the volume as it was: still mounted once.
	read("echo kept > /cache/x")
	s.must("up", "-d", "--force-recreate")
	if got := read("cat /cache/x; grep -c ' /cache ' /proc/mounts"); got != "kept\n1" {
		t.Errorf("after recreate: %q", got)
	}
}
