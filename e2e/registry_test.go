package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
	"golang.org/x/crypto/bcrypt"
)

// authRegistry is a docker-registry of the test's own with htpasswd basic auth, on
// a loopback port, stopped by its PID when the test ends.
type authRegistry struct {
	addr           string
	user, password string
}

func startAuthRegistry(t *testing.T, addr, user, password string) authRegistry {
	t.Helper()
	bin := "/usr/bin/docker-registry"
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no %s (Debian's docker-registry): %v", bin, err)
	}
	dir := t.TempDir()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "htpasswd"), user+":"+string(hash)+"\n")
	write(t, filepath.Join(dir, "config.yml"), fmt.Sprintf(`version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: %s/data}
  delete: {enabled: true}
http: {addr: %q}
auth:
  htpasswd: {realm: berth-test, path: %s/htpasswd}
`, dir, addr, dir))
	cmd := exec.Command(bin, "serve", filepath.Join(dir, "config.yml"))
	logf, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
	})
	// Up when /v2/ asks for credentials: 50 tries, 0.1 s apart.
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized {
				break
			}
		}
		if i == 50 {
			log, _ := os.ReadFile(filepath.Join(dir, "registry.log"))
			t.Fatalf("registry on %s did not come up: %v\n%s", addr, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return authRegistry{addr: addr, user: user, password: password}
}

// dockerConfig writes a Docker config directory with these credentials for addr.
func dockerConfig(t *testing.T, addr, user, password string) string {
	t.Helper()
	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	write(t, filepath.Join(dir, "config.json"), fmt.Sprintf(`{"auths": {%q: {"auth": %q}}}`, addr, auth))
	return dir
}

// credentialHelper writes a Docker config that sends addr to a credential helper
// (docker-credential-berthtest, on PATH) answering with these credentials; it returns
// the environment that uses both.
func credentialHelper(t *testing.T, addr, user, password string) []string {
	t.Helper()
	bin, cfg := t.TempDir(), t.TempDir()
	write(t, filepath.Join(bin, "docker-credential-berthtest"), fmt.Sprintf(`#!/bin/sh
[ "$1" = get ] || exit 1
read -r host
printf '{"ServerURL":"%%s","Username":%q,"Secret":%q}\n' "$host"
`, user, password))
	if err := os.Chmod(filepath.Join(bin, "docker-credential-berthtest"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(cfg, "config.json"), fmt.Sprintf(`{"credHelpers": {%q: "berthtest"}}`, addr))
	return []string{"DOCKER_CONFIG=" + cfg, "PATH=" + bin + ":" + os.Getenv("PATH")}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func containerdClient(t *testing.T) *ctrd.Client {
	t.Helper()
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// forgetImage drops an image from the e2e namespace, now and when the test ends.
func forgetImage(t *testing.T, c *ctrd.Client, ref string) {
	t.Helper()
	_ = c.ImageService().Delete(context.Background(), ref)
	t.Cleanup(func() { _ = c.ImageService().Delete(context.Background(), ref) })
}

func hasImage(c *ctrd.Client, ref string) bool {
	_, err := c.GetImage(context.Background(), ref)
	return err == nil
}

// TestPullMirror pulls an image of a registry name that never resolves, through the
// mirror a hosts.toml in --hosts-dir names.
func TestPullMirror(t *testing.T) {
	s := newScenario(t)
	c := containerdClient(t)
	ref := "registry.berth.test/berth/busybox:latest"
	forgetImage(t, c, ref)
	hosts := t.TempDir()
	write(t, filepath.Join(hosts, "registry.berth.test", "hosts.toml"), `server = "https://registry.berth.test"

[host."http://`+registry+`"]
  capabilities = ["pull", "resolve"]
`)
	if r := s.berth("--hosts-dir", t.TempDir(), "pull"); r.code == 0 || !strings.Contains(r.stderr, "registry.berth.test") {
		t.Fatalf("pull without the mirror: exit %d: %s", r.code, r.stderr)
	}
	s.must("--hosts-dir", hosts, "pull")
	if !hasImage(c, ref) {
		t.Fatalf("pull through the mirror: no %s in the store", ref)
	}
	s.must("--hosts-dir", hosts, "up", "-d")
	if ps := s.ps(false); len(ps) != 1 || ps[0].State != "running" {
		t.Fatalf("up on the mirrored image: %+v", ps)
	}
}

// TestRegistryAuth pushes to and pulls from a registry with basic auth: with the
// right credentials of the Docker config (auths for the push, a credential helper for
// the pull) both work, the image comes back by digest; wrong ones fail naming the
// registry.
func TestRegistryAuth(t *testing.T) {
	const addr = "127.0.0.1:5051"
	reg := startAuthRegistry(t, addr, "berth", "s3cret")
	s := newScenario(t)
	c := containerdClient(t)
	ctx := context.Background()
	src, ref := registry+"/berth/busybox:latest", addr+"/berth/busybox:latest"
	forgetImage(t, c, ref)

	good := []string{"DOCKER_CONFIG=" + dockerConfig(t, addr, reg.user, reg.password)}
	bad := []string{"DOCKER_CONFIG=" + dockerConfig(t, addr, reg.user, "wrong")}
	none := []string{"DOCKER_CONFIG=" + t.TempDir()}

	// The image to push: the test registry's busybox under the new name.
	if r := s.berthEnv([]string{"IMAGE=" + src}, "pull", "-q"); r.code != 0 {
		t.Fatalf("pull %s: %s", src, r.stderr)
	}
	img, err := c.ImageService().Get(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	img.Name = ref
	if _, err := c.ImageService().Create(ctx, img); err != nil {
		t.Fatal(err)
	}

	for name, env := range map[string][]string{"wrong": bad, "no": none} {
		r := s.berthEnv(env, "push")
		if r.code == 0 || !strings.Contains(r.stderr, addr) || !strings.Contains(r.stderr, "registry "+addr+": unauthorized") {
			t.Errorf("push with %s credentials: exit %d: %s", name, r.code, r.stderr)
		}
	}
	if r := s.berthEnv(good, "push"); r.code != 0 || !strings.Contains(r.stderr, "Pushed") {
		t.Fatalf("push with the right credentials: exit %d: %s", r.code, r.stderr)
	}

	// Pull back by digest, into a store that no longer has the image.
	pushed, err := c.ImageService().Get(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	byDigest := addr + "/berth/busybox@" + pushed.Target.Digest.String()
	forgetImage(t, c, ref)
	forgetImage(t, c, byDigest)
	env := append([]string{"IMAGE=" + byDigest}, bad...)
	if r := s.berthEnv(env, "pull"); r.code == 0 || !strings.Contains(r.stderr, addr) || !strings.Contains(r.stderr, "registry "+addr+": unauthorized") {
		t.Errorf("pull with wrong credentials: exit %d: %s", r.code, r.stderr)
	}
	env = append([]string{"IMAGE=" + byDigest}, credentialHelper(t, addr, reg.user, reg.password)...)
	if r := s.berthEnv(env, "pull"); r.code != 0 {
		t.Fatalf("pull %s with the right credentials: exit %d: %s", byDigest, r.code, r.stderr)
	}
	got, err := c.ImageService().Get(ctx, byDigest)
	if err != nil {
		t.Fatalf("pull by digest: %v", err)
	}
	if got.Target.Digest != pushed.Target.Digest {
		t.Errorf("pulled %s, pushed %s", got.Target.Digest, pushed.Target.Digest)
	}
	if r := s.berthEnv(env, "up", "-d"); r.code != 0 {
		t.Fatalf("up on the image pulled by digest: %s", r.stderr)
	}
	if ps := s.ps(false); len(ps) != 1 || ps[0].State != "running" {
		t.Fatalf("up on the image pulled by digest: %+v", ps)
	}
}
