package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildKitRegistryCA builds with berth's buildkitd FROM an image of a registry
// that the hosts dir mirrors to a TLS registry on 127.0.0.1 with a certificate of
// its own, given as the host's ca in hosts.toml: berth's buildkitd verifies it with
// that CA, as pulls do, and refuses the registry without it.
func TestBuildKitRegistryCA(t *testing.T) {
	const addr = "127.0.0.1:5056"
	cert := testRegistry{addr: addr, tls: true}.start(t)
	s := newScenarioIn(t, filepath.Join("testdata", "TestInsecureRegistry"))
	useOwnBuildkitd(t, s)
	c := containerdClient(t)
	ref := "insecure.berth.test/berth/busybox:latest"
	forgetImage(t, c, ref)
	retag(t, s, c, ref)
	withCA, without := insecureMirrorHostsDir(t, addr, fmt.Sprintf("ca = %q", cert)), insecureMirrorHostsDir(t, addr, "skip_verify = false")
	if r := s.berth("--hosts-dir", withCA, "push"); r.code != 0 {
		t.Fatalf("push with the CA: exit %d: %s", r.code, r.stderr)
	}
	t.Cleanup(func() { s.berth("-f", "build.yaml", "down", "--rmi", "local") })
	build := []string{"-f", "build.yaml", "build", "--pull", "--no-cache"}
	if r := s.berth(append([]string{"--hosts-dir", without}, build...)...); r.code == 0 || !strings.Contains(r.stderr, "certificate") {
		t.Errorf("build without the CA: exit %d, want a certificate error: %s", r.code, r.stderr)
	}
	r := s.berth(append([]string{"--hosts-dir", withCA}, build...)...)
	if r.code != 0 || !hasImage(c, builtImage(s)) {
		t.Fatalf("build with the CA: exit %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "note: BuildKit reaches registry") {
		t.Errorf("a note that BuildKit does not follow the hosts dir:\n%s", r.stderr)
	}
}
