package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
)

// newBuildScenario runs a test on a copy of its testdata, so that it may change the
// sources it builds, and removes the images it built when it ends.
func newBuildScenario(t *testing.T) *scenario {
	t.Helper()
	if _, err := exec.LookPath("buildah"); err != nil {
		t.Fatal("buildah is not installed: run scripts/setup")
	}
	return newBuildScenarioOf(t, t.Name())
}

// newBuildScenarioOf runs a test on a copy of the testdata of test (and of the
// testdata of the tests named by shared, beside it, for the sources it shares),
// under the test's own project name.
func newBuildScenarioOf(t *testing.T, test string, shared ...string) *scenario {
	t.Helper()
	root := t.TempDir()
	for _, name := range append([]string{test}, shared...) {
		if err := os.CopyFS(filepath.Join(root, name), os.DirFS(filepath.Join("testdata", name))); err != nil {
			t.Fatal(err)
		}
	}
	s := newScenarioIn(t, filepath.Join(root, test))
	t.Cleanup(func() {
		// Registered after the scenario's own cleanup, so it runs first.
		s.berth("down", "--rmi", "all", "-t", "1")
	})
	return s
}

// imageDigest is the digest of an image in the e2e namespace, "" when absent.
func imageDigest(t *testing.T, ref string) string {
	t.Helper()
	digest, _ := imageInfo(t, ref)
	return digest
}

// imageInfo is the digest and the labels of an image in the e2e namespace.
func imageInfo(t *testing.T, ref string) (string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	img, err := c.GetImage(ctx, ref)
	if err != nil {
		return "", nil
	}
	spec, err := img.Spec(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return img.Target().Digest.String(), spec.Config.Labels
}

func TestBuild(t *testing.T) {
	s := newBuildScenario(t)
	const image = "docker.io/library/e2e-testbuild-app:latest"

	writeSSHKey(t, filepath.Join(s.dir, "ssh_key"))
	// build: FROM the local registry, RUN, COPY, ENV, WORKDIR, USER, CMD, a build
	// arg, build secrets, an SSH key, labels and the target stage; the stage after
	// the target, which fails, is not built.
	r := s.berth("build", "app")
	if r.code != 0 {
		t.Fatalf("build: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"STEP", "RUN mkdir -p /app", "Built"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("build output lacks %q:\n%s", want, r.stderr)
		}
	}
	first := imageDigest(t, image)
	if first == "" || imageDigest(t, "docker.io/library/e2e-testbuild-app:extra") != first {
		t.Fatalf("after build: image %q, tag extra %q", first, imageDigest(t, "docker.io/library/e2e-testbuild-app:extra"))
	}
	if _, labels := imageInfo(t, image); labels["com.example.built-by"] != "berth-e2e" {
		t.Errorf("the image's labels are %v", labels)
	}
	out := s.must("run", "--rm", "app")
	want := "greeting=hello-from-args message=first version uid=1234 pwd=/app mode=built stage=final"
	if !strings.Contains(out, want) {
		t.Errorf("the built image runs with %q, want %q", out, want)
	}

	// A second build reuses every cached layer and makes the same image.
	r = s.berth("build", "app")
	if r.code != 0 || !strings.Contains(r.stderr, "Using cache") {
		t.Fatalf("second build: exit %d, no cache used:\n%s", r.code, r.stderr)
	}
	if d := imageDigest(t, image); d != first {
		t.Errorf("a cached rebuild changed the image: %s, was %s", d, first)
	}

	// --pull fetches the base again; --no-cache runs every step anew.
	r = s.berth("build", "--pull", "--no-cache", "app")
	if r.code != 0 || !strings.Contains(r.stderr, "Trying to pull "+registry+"/berth/busybox") || strings.Contains(r.stderr, "Using cache") {
		t.Fatalf("build --pull --no-cache: exit %d:\n%s", r.code, r.stderr)
	}

	// --build-arg overrides the file's args; -q hides the builder's output.
	r = s.berth("build", "-q", "--build-arg", "GREETING=from-the-command-line", "app")
	if r.code != 0 || strings.Contains(r.stderr, "STEP") {
		t.Fatalf("build -q: exit %d:\n%s", r.code, r.stderr)
	}
	if out := s.must("run", "--rm", "app"); !strings.Contains(out, "greeting=from-the-command-line") {
		t.Errorf("--build-arg: the image says %q", out)
	}

	// up uses the image it has; after a change of the sources, up --build rebuilds it
	// and recreates the container.
	s.must("up", "-d")
	logsSay(t, s, "message=first version")
	if err := os.WriteFile(filepath.Join(s.dir, "app", "message.txt"), []byte("second version\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := s.berth("up", "-d"); r.code != 0 || strings.Contains(r.stderr, "Building") {
		t.Fatalf("up without --build built: exit %d\n%s", r.code, r.stderr)
	}
	r = s.berth("up", "-d", "--build")
	if r.code != 0 || !strings.Contains(r.stderr, "Recreate") {
		t.Fatalf("up --build: exit %d, not recreated:\n%s", r.code, r.stderr)
	}
	logsSay(t, s, "message=second version")

	// run uses the image as it is, run --build makes it anew first.
	if err := os.WriteFile(filepath.Join(s.dir, "app", "message.txt"), []byte("third version\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := s.must("run", "--rm", "app"); !strings.Contains(out, "message=second version") {
		t.Errorf("run without --build: %q", out)
	}
	if out := s.must("run", "--rm", "--build", "app"); !strings.Contains(out, "message=third version") {
		t.Errorf("run --build: %q", out)
	}
}

// logsSay waits until the app's log has a line with want.
func logsSay(t *testing.T, s *scenario, want string) {
	t.Helper()
	eventually(t, 20*time.Second, "log line "+want, func() error {
		if out := s.must("logs", "app"); !strings.Contains(out, want) {
			return &unexpected{out}
		}
		return nil
	})
}

type unexpected struct{ got string }

func (u *unexpected) Error() string { return "got " + u.got }

// buildahContainers lists the working containers in buildah's store.
func buildahContainers(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("buildah", "containers", "--quiet").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestBuildFailure(t *testing.T) {
	s := newBuildScenario(t)
	before := buildahContainers(t)
	checkBrokenBuild(t, s, "exit status 3", func() {
		if after := buildahContainers(t); after != before {
			t.Errorf("a failed build left working containers in buildah's store: before %q, after %q", before, after)
		}
	})
}

// checkBrokenBuild builds TestBuildFailure's broken service, which must fail with
// the builder's own output, the failing step and the builder's reason (exit), and
// leave no image (nor what leftAfterBuild checks); up must fail the same way and
// create nothing.
func checkBrokenBuild(t *testing.T, s *scenario, exit string, leftAfterBuild func()) {
	t.Helper()
	r := s.berth("build", "broken")
	if r.code == 0 {
		t.Fatalf("a failing RUN step built:\n%s", r.stderr)
	}
	for _, want := range []string{"the builder says this", `build failed at step RUN echo the builder says this && exit 3`, exit} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the error lacks %q:\n%s", want, r.stderr)
		}
	}
	if d := imageDigest(t, "docker.io/library/"+s.project+"-broken:latest"); d != "" {
		t.Errorf("a failed build left image %s", d)
	}
	leftAfterBuild()
	r = s.berth("up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, exit) {
		t.Fatalf("up of a broken build: exit %d\n%s", r.code, r.stderr)
	}
	if got := s.ps(true); len(got) != 0 {
		t.Errorf("a failed build left containers: %v", got)
	}
}

func TestBuildPolicies(t *testing.T) {
	s := newBuildScenario(t)
	// --no-build with an image that is only ever built fails before anything is made.
	r := s.berth("up", "-d", "--no-build")
	if r.code == 0 || !strings.Contains(r.stderr, "--no-build") || !strings.Contains(r.stderr, "berth build app") {
		t.Fatalf("up --no-build without the image: exit %d\n%s", r.code, r.stderr)
	}
	if got := s.ps(true); len(got) != 0 {
		t.Errorf("up --no-build left containers: %v", got)
	}
	// A missing image is built by up; with pull_policy: build, every up builds.
	r = s.berth("up", "-d")
	if r.code != 0 || strings.Count(r.stderr, "Built") != 2 {
		t.Fatalf("first up: exit %d\n%s", r.code, r.stderr)
	}
	r = s.berth("up", "-d")
	if r.code != 0 || strings.Count(r.stderr, "Built") != 1 || !strings.Contains(r.stderr, "e2e-testbuildpolicies-fresh:latest  Built") {
		t.Fatalf("second up: exit %d, want the pull_policy build service built again:\n%s", r.code, r.stderr)
	}
	// With the image there, --no-build starts without building.
	if r := s.berth("up", "-d", "--no-build"); r.code != 0 || strings.Contains(r.stderr, "Built") {
		t.Fatalf("up --no-build with the images: exit %d\n%s", r.code, r.stderr)
	}
	// down --rmi local removes the image berth named after the service, not one the
	// file names.
	s.must("down", "--rmi", "local", "-t", "1")
	app, fresh := "docker.io/library/e2e-testbuildpolicies-app:latest", "docker.io/library/e2e-testbuildpolicies-fresh:latest"
	if imageDigest(t, app) != "" || imageDigest(t, fresh) == "" {
		t.Errorf("after down --rmi local: %s %q, %s %q", app, imageDigest(t, app), fresh, imageDigest(t, fresh))
	}
}

// writeSSHKey writes a new private key, PEM-encoded, as build.ssh takes it.
func writeSSHKey(t *testing.T, path string) {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestBuildAndPush(t *testing.T) {
	s := newBuildScenario(t)
	s.must("build")
	r := s.berth("push")
	if r.code != 0 || !strings.Contains(r.stderr, "Pushed") || strings.Contains(r.stderr, "e2e-testbuildandpush-local") {
		t.Fatalf("push: exit %d\n%s", r.code, r.stderr)
	}
	// The registry serves the image berth built, under the same digest.
	const ref = registry + "/berth/e2e-built:latest"
	req, err := http.NewRequest(http.MethodHead, "http://"+registry+"/v2/berth/e2e-built/manifests/latest", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.Header.Get("Docker-Content-Digest"), imageDigest(t, ref); resp.StatusCode != http.StatusOK || got != want {
		t.Errorf("registry: status %d, digest %q, want the built %q", resp.StatusCode, got, want)
	}
	// build --push is both at once.
	if r := s.berth("build", "--push"); r.code != 0 || !strings.Contains(r.stderr, "Pushed") {
		t.Errorf("build --push: exit %d\n%s", r.code, r.stderr)
	}
}

// TestBuildahCache writes buildah's layer cache to the registry, then builds with a
// fresh buildah store, which has no layers of its own, from it.
func TestBuildahCache(t *testing.T) {
	s := newBuildScenario(t)
	const repo = "berth-e2e/buildah-cache"
	t.Cleanup(func() {
		for _, tag := range registryTags(t, repo) {
			deleteFromRegistry(t, repo, tag)
		}
	})
	env := s.env
	var made string
	for _, store := range []string{"first", "fresh"} {
		s.env = append(env, "CONTAINERS_STORAGE_CONF="+buildahStore(t))
		r := s.berth("build", "app")
		if r.code != 0 {
			t.Fatalf("build with the %s store: exit %d\n%s", store, r.code, r.stderr)
		}
		out := s.must("run", "--rm", "app")
		if store == "first" {
			made = out
			if len(registryTags(t, repo)) == 0 {
				t.Fatalf("cache_to pushed no cache to %s/%s:\n%s", registry, repo, r.stderr)
			}
		} else if out != made || !strings.Contains(r.stderr, "Cache pulled from remote") {
			t.Errorf("the fresh store's build ran its RUN step again: %q, first %q\n%s", out, made, r.stderr)
		}
	}
	// A cache buildah cannot write is refused by name.
	r := s.berth("build", "local")
	if r.code == 0 || !strings.Contains(r.stderr, `service "local"`) || !strings.Contains(r.stderr, "build.cache_to: type=local is not supported by buildah") {
		t.Errorf("cache_to type=local on buildah: exit %d\n%s", r.code, r.stderr)
	}
}

// buildahStore is a containers-storage.conf(5) for a buildah store of the test's
// own: vfs, which mounts nothing, in a directory removed when the test ends.
func buildahStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	conf := fmt.Sprintf("[storage]\ndriver = \"vfs\"\nrunroot = %q\ngraphroot = %q\n", filepath.Join(dir, "run"), filepath.Join(dir, "root"))
	path := filepath.Join(dir, "storage.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// registryTags lists the tags of a repository of the test registry.
func registryTags(t *testing.T, repo string) []string {
	t.Helper()
	resp, err := http.Get("http://" + registry + "/v2/" + repo + "/tags/list")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct{ Tags []string }
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
			t.Fatal(err)
		}
	}
	return list.Tags
}
