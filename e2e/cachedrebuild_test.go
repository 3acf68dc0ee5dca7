package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// TestCachedRebuild builds an unchanged project twice, with berth's BuildKit and
// with buildah: every step of the second build comes from the cache.
func TestCachedRebuild(t *testing.T) {
	for _, builder := range []string{"BuildKit", "buildah"} {
		t.Run(builder, func(t *testing.T) {
			s := newScenarioIn(t, "testdata/TestCachedRebuild")
			cached := buildahCachedSteps
			if builder == "BuildKit" {
				useOwnBuildkitd(t, s)
				cached = buildkitCachedSteps
			}
			s.must("build")
			r := s.berth("build")
			if r.code != 0 {
				t.Fatalf("second build: exit %d\n%s", r.code, r.stderr)
			}
			steps, done := cached(r.stderr)
			// RUN, COPY, RUN and WORKDIR at least (buildah counts ARG and CMD too).
			if steps < 4 || done != steps {
				t.Errorf("second build: %d of %d Dockerfile steps cached, want all:\n%s", done, steps, r.stderr)
			}
			if out := strings.TrimSpace(s.must("run", "--rm", "app")); out != "the app\nhello" {
				t.Errorf("the rebuilt image prints %q", out)
			}
		})
	}
}

var (
	// #5 [base 2/3] RUN echo base > /base — a Dockerfile step; #5 CACHED.
	buildkitStepLine   = regexp.MustCompile(`#(\d+) \[[^\]]*\d+/\d+\] `)
	buildkitCachedLine = regexp.MustCompile(`#(\d+) CACHED`)
	// STEP 2/3: RUN echo base > /base, then --> Using cache <id>. FROM steps
	// print no such line: they are not counted.
	buildahStepLine = regexp.MustCompile(`STEP \d+/\d+: (\w+)`)
)

// buildkitCachedSteps counts BuildKit's Dockerfile steps (FROM excluded: it is
// resolved, not run) and those it reported CACHED.
func buildkitCachedSteps(out string) (steps, cached int) {
	ids := map[string]bool{}
	for _, m := range buildkitStepLine.FindAllStringSubmatch(out, -1) {
		ids[m[1]] = true
	}
	hit := map[string]bool{}
	for _, m := range buildkitCachedLine.FindAllStringSubmatch(out, -1) {
		hit[m[1]] = true
	}
	for id := range ids {
		steps++
		if hit[id] {
			cached++
		}
	}
	// FROM's vertex is one per stage's base image: not a step that runs.
	for id := range ids {
		if regexp.MustCompile(`#` + id + ` \[[^\]]*\] FROM `).MatchString(out) {
			steps--
			if hit[id] {
				cached--
			}
		}
	}
	return steps, cached
}

// buildahCachedSteps counts buildah's steps other than FROM and those followed by
// "--> Using cache".
func buildahCachedSteps(out string) (steps, cached int) {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		m := buildahStepLine.FindStringSubmatch(l)
		if m == nil || strings.EqualFold(m[1], "FROM") {
			continue
		}
		steps++
		if i+1 < len(lines) && strings.Contains(lines[i+1], "--> Using cache") {
			cached++
		}
	}
	return steps, cached
}
