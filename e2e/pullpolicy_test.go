package e2e

import (
	"context"
	"encoding/json"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestPullPolicy walks pull_policy never, missing, always and every_<duration>, the
// platform field, and `images --format json`.
func TestPullPolicy(t *testing.T) {
	s := newScenario(t)
	c := containerdClient(t)
	ctx := context.Background()
	ref := registry + "/berth/busybox:latest"
	forgetImage(t, c, ref)
	pulledAt := func() string {
		img, err := c.ImageService().Get(ctx, ref)
		if err != nil {
			t.Fatalf("image %s: %v", ref, err)
		}
		return img.Labels["berth.pulled-at"]
	}
	up := func(policy string, args ...string) result {
		t.Helper()
		return s.berthEnv([]string{"POLICY=" + policy}, append([]string{"up", "-d"}, args...)...)
	}

	r := s.berth("--profile", "never", "up", "-d", "gone")
	if r.code == 0 || !strings.Contains(r.stderr, `service "gone": image 127.0.0.1:5050/berth/nope:never is not in the store and pull_policy never forbids pulling it`) {
		t.Fatalf("pull_policy never with the image missing: exit %d: %s", r.code, r.stderr)
	}
	if ps := s.ps(true); len(ps) != 0 {
		t.Fatalf("a refused up made containers: %+v", ps)
	}

	if r := up("missing"); r.code != 0 || !strings.Contains(r.stderr, "Pulled") {
		t.Fatalf("up, pull_policy missing, image absent: exit %d: %s", r.code, r.stderr)
	}
	first := pulledAt()
	if first == "" {
		t.Fatal("the pull left no berth.pulled-at label")
	}
	if r := up("missing"); r.code != 0 || strings.Contains(r.stderr, "Pulling") {
		t.Fatalf("up, pull_policy missing, image present: it pulled: %s", r.stderr)
	}
	if r := up("always"); r.code != 0 || !strings.Contains(r.stderr, "Pulled") || pulledAt() == first {
		t.Fatalf("up, pull_policy always: exit %d, pulled at %s then %s: %s", r.code, first, pulledAt(), r.stderr)
	}
	if r := up("every_1h"); r.code != 0 || strings.Contains(r.stderr, "Pulling") {
		t.Fatalf("up, every_1h right after a pull: it pulled: %s", r.stderr)
	}
	// Two hours later, as far as the store knows.
	img, err := c.ImageService().Get(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	img.Labels["berth.pulled-at"] = time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339Nano)
	if _, err := c.ImageService().Update(ctx, img, "labels.berth.pulled-at"); err != nil {
		t.Fatal(err)
	}
	if r := up("every_1h"); r.code != 0 || !strings.Contains(r.stderr, "Pulled") {
		t.Fatalf("up, every_1h two hours after the last pull: exit %d: %s", r.code, r.stderr)
	}
	if ps := s.ps(false); len(ps) != 1 || ps[0].State != "running" {
		t.Fatalf("after the ups: %+v", ps)
	}

	// berth pull: --policy always pulls, --policy missing skips a present image, and
	// so does pull_policy missing.
	if r := s.berth("pull", "--policy", "always"); r.code != 0 || !strings.Contains(r.stderr, "Pulled") {
		t.Errorf("pull --policy always: exit %d: %s", r.code, r.stderr)
	}
	if r := s.berthEnv([]string{"POLICY=missing"}, "pull"); r.code != 0 || strings.Contains(r.stderr, "Pulling") {
		t.Errorf("pull with pull_policy missing and the image present: exit %d: %s", r.code, r.stderr)
	}
	if r := s.berth("pull", "--policy", "missing"); r.code != 0 || strings.Contains(r.stderr, "Pulling") {
		t.Errorf("pull --policy missing with the image present: exit %d: %s", r.code, r.stderr)
	}

	// platform: the host's is pulled for; another is refused by service and field.
	host := "linux/" + runtime.GOARCH
	if r := s.berthEnv([]string{"PLATFORM=" + host, "POLICY=always"}, "pull"); r.code != 0 {
		t.Errorf("pull with platform %s: exit %d: %s", host, r.code, r.stderr)
	}
	other := "linux/s390x"
	if runtime.GOARCH == "s390x" {
		other = "linux/amd64"
	}
	r = s.berthEnv([]string{"PLATFORM=" + other}, "up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, `service "app": field "platform": "`+other+`": this host runs `+host) {
		t.Errorf("up with platform %s: exit %d: %s", other, r.code, r.stderr)
	}

	var images []struct{ ContainerName, Repository, Tag, ID string }
	out := s.must("images", "--format", "json")
	if err := json.Unmarshal([]byte(out), &images); err != nil {
		t.Fatalf("images --format json: %v: %s", err, out)
	}
	digest := strings.TrimPrefix(img.Target.Digest.String(), "sha256:")[:12]
	if len(images) != 1 || images[0].Repository != registry+"/berth/busybox" || images[0].Tag != "latest" || images[0].ID != digest {
		t.Errorf("images --format json: %+v, want busybox latest %s", images, digest)
	}
}

// TestPullParallel pulls three images at once, each with its byte count.
func TestPullParallel(t *testing.T) {
	s := newScenario(t)
	c := containerdClient(t)
	refs := []string{registry + "/berth/busybox:latest", registry + "/berth/redis:7", registry + "/berth/python:3"}
	for _, ref := range refs {
		forgetImage(t, c, ref)
	}
	r := s.berth("pull")
	if r.code != 0 {
		t.Fatalf("pull: exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(r.stderr, "\n")
	firstPulled := len(lines)
	for i, l := range lines {
		if strings.HasSuffix(l, "  Pulled") {
			firstPulled = min(firstPulled, i)
		}
	}
	count := regexp.MustCompile(`  Extracting ([0-9.]+[kMG]?B)/([0-9.]+[kMG]?B)$`)
	for _, ref := range refs {
		if !hasImage(c, ref) {
			t.Errorf("%s is not in the store", ref)
		}
		started, counted := false, false
		for i, l := range lines {
			if !strings.HasPrefix(l, " Image "+ref+"  ") {
				continue
			}
			if strings.HasSuffix(l, "  Pulling") && i < firstPulled {
				started = true // under way before any pull ended: in parallel
			}
			if m := count.FindStringSubmatch(l); m != nil && m[1] == m[2] && m[2] != "0B" {
				counted = true
			}
		}
		if !started || !counted {
			t.Errorf("%s: started with the others %v, byte count %v:\n%s", ref, started, counted, r.stderr)
		}
	}
}
