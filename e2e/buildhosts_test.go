package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// TestBuildHostGateway builds with build.extra_hosts host-gateway, with buildah and
// with berth's own buildkitd: each build's RUN step sees the name and reaches the
// host by it, and the image keeps what the step saw.
func TestBuildHostGateway(t *testing.T) {
	s := newBuildScenario(t)
	want := regexp.MustCompile(`(?m)^127\.0\.0\.1\s+host\.docker\.internal$`)
	check := func(builder string) {
		t.Helper()
		if r := s.berth("build", "--no-cache", "app"); r.code != 0 || !strings.Contains(r.stderr, "with "+builder) {
			t.Fatalf("build with %s: exit %d\n%s", builder, r.code, r.stderr)
		}
		out := s.must("run", "--rm", "app")
		if !want.MatchString(out) || !regexp.MustCompile(`(?m)^10\.9\.8\.7\s+fixed\.test$`).MatchString(out) {
			t.Errorf("the RUN step built with %s saw these hosts lines:\n%s", builder, out)
		}
	}
	check("buildah")
	useOwnBuildkitd(t, s)
	check("BuildKit (berth's buildkitd)")
}
