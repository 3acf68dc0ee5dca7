package e2e

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// anonymousVolumes are the names of the anonymous volumes on the host.
func (s *scenario) anonymousVolumes() []string {
	s.t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(s.must("volume", "ls", "--format", "json")), "\n") {
		var v struct {
			Name   string
			Labels map[string]string
		}
		if line == "" {
			continue
		}
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			s.t.Fatalf("volume ls line %q: %v", line, err)
		}
		if _, anon := v.Labels["com.docker.volume.anonymous"]; anon {
			out = append(out, v.Name)
		}
	}
	sort.Strings(out)
	return out
}

func TestAnonymousVolumes(t *testing.T) {
	s := newScenario(t)
	before := s.anonymousVolumes()
	s.must("up", "-d")
	read := func(service, cmd string) string {
		return strings.TrimSpace(s.must("exec", "-T", service, "sh", "-c", cmd))
	}
	// /scratch and the image's VOLUME /data are volumes of their own, writable, and
	// /data was filled from the image.
	for _, c := range []struct{ what, got, want string }{
		{"/scratch is a mount", read("anon", "grep -c ' /scratch ' /proc/mounts"), "1"},
		{"image VOLUME /data is a mount", read("anon", "grep -c ' /data ' /proc/mounts"), "1"},
		{"/scratch writable", read("anon", "echo kept > /scratch/marker && cat /scratch/marker"), "kept"},
		{"/data filled from the image", read("anon", "test -s /data/copyright && echo yes"), "yes"},
		{"named volume filled", read("filled", "test -s /data/copyright && echo yes"), "yes"},
		{"nocopy leaves it empty", read("nocopy", "ls -A /data | wc -l"), "0"},
		{"tmpfs mount", read("anon", "grep ' /fast ' /proc/mounts | cut -d' ' -f3,4"), "tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k,mode=700"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
	anon := s.anonymousVolumes()
	if len(anon) != len(before)+2 {
		t.Fatalf("anonymous volumes: %d before, %v after up; want two more", len(before), anon)
	}
	if out := s.must("volume", "ls", "--format", "json"); !strings.Contains(out, `"org.example.kind":"scratch"`) {
		t.Errorf("volume.labels not on the anonymous volume: %s", out)
	}
	// subpath mounts a directory of the volume.
	read("filled", "mkdir /data/sub && echo part > /data/sub/f")
	s.must("--profile", "later", "up", "-d", "sub")
	if got := strings.TrimSpace(s.must("--profile", "later", "exec", "-T", "sub", "cat", "/part/f")); got != "part" {
		t.Errorf("subpath: %q", got)
	}
	s.must("--profile", "later", "rm", "-s", "-f", "-v", "sub")
	// A recreated container keeps its anonymous volumes, as with docker compose; -V
	// makes them anew.
	s.must("up", "-d", "--force-recreate", "anon")
	if got := read("anon", "cat /scratch/marker"); got != "kept" {
		t.Errorf("after recreate: /scratch/marker %q", got)
	}
	s.must("up", "-d", "--force-recreate", "-V", "anon")
	if r := s.berth("exec", "-T", "anon", "cat", "/scratch/marker"); r.code == 0 {
		t.Errorf("after recreate -V: the marker is still there: %q", r.stdout)
	}
	// rm -v removes them with the container.
	s.must("rm", "-s", "-f", "-v", "anon")
	if got := s.anonymousVolumes(); len(got) != len(before) {
		t.Errorf("after rm -v: anonymous volumes %v, want none of anon's", got)
	}
	// down -v (the harness's) removes the rest; its leak check sees that.
	s.must("up", "-d", "anon")
}
