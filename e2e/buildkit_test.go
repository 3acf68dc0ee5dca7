package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildKit builds TestBuild's service with BuildKit and runs it.
func TestBuildKit(t *testing.T) {
	bk := startBuildkitd(t)
	s := newBuildScenarioOf(t, t.Name(), "TestBuild")
	s.env = append(s.env, bk.env()...)
	const image = "docker.io/library/e2e-testbuildkit-app:latest"
	writeSSHKey(t, filepath.Join(s.dir, "ssh_key"))

	r := s.berth("build", "app")
	if r.code != 0 {
		t.Fatalf("build: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"building " + image + " with BuildKit at " + bk.host(), "RUN mkdir -p /app", "Built"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("build output lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "note: BuildKit reaches registry") {
		t.Errorf("a note on the hosts dir, which says nothing of the registry:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "RUN exit 1") {
		t.Errorf("the stage after the target was built:\n%s", r.stderr)
	}
	digest, labels := imageInfo(t, image)
	if digest == "" || labels["com.example.built-by"] != "berth-e2e" {
		t.Fatalf("after build: image %q with labels %v", digest, labels)
	}
	want := "greeting=hello-from-args message=first version uid=1234 pwd=/app mode=built stage=final"
	if out := s.must("run", "--rm", "app"); !strings.Contains(out, want) {
		t.Errorf("the built image runs with %q, want %q", out, want)
	}

	// A second build finds every step in BuildKit's cache.
	r = s.berth("build", "app")
	if r.code != 0 || !buildkitCached(r.stderr, "COPY message.txt /app/message.txt") {
		t.Fatalf("second build: exit %d, not cached:\n%s", r.code, r.stderr)
	}
	// --pull --no-cache runs every step anew; --build-arg overrides the file's args.
	r = s.berth("build", "--pull", "--no-cache", "--build-arg", "GREETING=from-the-command-line", "app")
	if r.code != 0 || buildkitCached(r.stderr, "COPY message.txt /app/message.txt") {
		t.Fatalf("build --pull --no-cache: exit %d:\n%s", r.code, r.stderr)
	}
	// A hosts dir that sends the registry to a mirror is the buildkitd's business:
	// the build says that it does not follow it.
	hosts := t.TempDir()
	write(t, filepath.Join(hosts, registry, "hosts.toml"), "server = \"http://"+registry+"\"\n\n[host.\"http://localhost:5050\"]\n  capabilities = [\"pull\", \"resolve\"]\n")
	r = s.berth("--hosts-dir", hosts, "build", "isolated")
	if r.code != 0 || !strings.Contains(r.stderr, "note: BuildKit reaches registry "+registry+" as the buildkitd's own configuration says") {
		t.Fatalf("build isolated with a hosts dir: exit %d:\n%s", r.code, r.stderr)
	}
	s.must("build", "hostnet")
	// up runs the images BuildKit made.
	s.must("up", "-d")
	logsSay(t, s, "greeting=from-the-command-line message=first version uid=1234")
	if got := s.ps(false); len(got) != 2 {
		t.Errorf("after up: %v, want isolated and hostnet running", got)
	}
}

// buildkitCached says whether BuildKit's progress shows step as CACHED.
func buildkitCached(output, step string) bool {
	id := ""
	for _, line := range strings.Split(output, "\n") {
		_, line, _ = strings.Cut(line, "#") // after the progress prefix
		if n, rest, ok := strings.Cut(line, " "); ok && strings.HasPrefix(rest, "[") && strings.HasSuffix(rest, "] "+step) {
			id = n
		} else if id != "" && line == id+" CACHED" {
			return true
		}
	}
	return false
}

// TestBuildKitFailure is TestBuildFailure's broken build, on BuildKit.
func TestBuildKitFailure(t *testing.T) {
	bk := startBuildkitd(t)
	s := newBuildScenarioOf(t, "TestBuildFailure")
	s.env = append(s.env, bk.env()...)
	checkBrokenBuild(t, s, "exit code: 3", func() {})
}

// TestBuildKitCache writes the build cache to the registry and to a directory, then
// builds on a fresh buildkitd, which has no cache of its own, from each of them.
func TestBuildKitCache(t *testing.T) {
	first := startBuildkitd(t)
	s := newBuildScenarioOf(t, t.Name())
	env := s.env
	s.env = append(env, first.env()...)
	t.Cleanup(func() { deleteFromRegistry(t, "berth-e2e/buildkit-cache", "app") })
	r := s.berth("build", "app")
	if r.code != 0 {
		t.Fatalf("build: exit %d\n%s", r.code, r.stderr)
	}
	made := s.must("run", "--rm", "app")
	if _, err := os.Stat(filepath.Join(s.dir, "cache", "index.json")); err != nil {
		t.Errorf("cache_to type=local wrote no cache: %v", err)
	}
	first.stop()

	for _, from := range []string{"registry", "local"} {
		fresh := startBuildkitd(t)
		s.env = append(env, fresh.env()...)
		if from == "registry" {
			os.RemoveAll(filepath.Join(s.dir, "cache"))
		} else {
			deleteFromRegistry(t, "berth-e2e/buildkit-cache", "app")
		}
		r := s.berth("build", "app")
		if r.code != 0 {
			t.Fatalf("build from the %s cache: exit %d\n%s", from, r.code, r.stderr)
		}
		// The RUN step's layer comes from the cache, not from running it again.
		if out := s.must("run", "--rm", "app"); out != made {
			t.Errorf("build from the %s cache ran its RUN step again: %q, first %q", from, out, made)
		}
		fresh.stop()
	}
}

// deleteFromRegistry deletes a tag's manifest from the test registry, if it has it.
func deleteFromRegistry(t *testing.T, repo, tag string) {
	t.Helper()
	url := "http://" + registry + "/v2/" + repo + "/manifests/"
	req, err := http.NewRequest(http.MethodHead, url+tag, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", strings.Join([]string{"application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
		"application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json"}, ", "))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	digest := resp.Header.Get("Docker-Content-Digest")
	if resp.StatusCode == http.StatusNotFound || digest == "" {
		return
	}
	req, err = http.NewRequest(http.MethodDelete, url+digest, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("delete %s:%s from the registry: %s", repo, tag, resp.Status)
	}
}

// TestBuildKitRegistryAuth builds FROM an image on a registry with basic auth: with
// the wrong credentials of the Docker config the build fails naming the registry,
// with the right ones it builds.
func TestBuildKitRegistryAuth(t *testing.T) {
	const addr = "127.0.0.1:5053"
	reg := testRegistry{addr: addr, user: "berth", password: "s3cret"}
	reg.start(t)
	bk := startBuildkitd(t, addr)
	s := newScenario(t)
	c := containerdClient(t)
	ref := addr + "/berth/busybox:latest"
	forgetImage(t, c, ref)
	retag(t, s, c, ref)
	good := []string{"DOCKER_CONFIG=" + dockerConfig(t, addr, reg.user, reg.password)}
	bad := []string{"DOCKER_CONFIG=" + dockerConfig(t, addr, reg.user, "wrong")}
	if r := s.berthEnv(good, "push"); r.code != 0 {
		t.Fatalf("push with the right credentials: exit %d: %s", r.code, r.stderr)
	}

	s.env = append(s.env, bk.env()...)
	t.Cleanup(func() { s.berth("-f", "build.yaml", "down", "--rmi", "local") })
	build := []string{"-f", "build.yaml", "build"}
	if r := s.berthEnv(bad, build...); r.code == 0 || !strings.Contains(r.stderr, addr) || !strings.Contains(r.stderr, "401 Unauthorized") {
		t.Errorf("build from %s with wrong credentials: exit %d: %s", addr, r.code, r.stderr)
	}
	if r := s.berthEnv(good, build...); r.code != 0 {
		t.Fatalf("build from %s with the right credentials: exit %d: %s", addr, r.code, r.stderr)
	}
	if d := imageDigest(t, "docker.io/library/"+s.project+"-built:latest"); d == "" {
		t.Error("the build made no image")
	}
}
