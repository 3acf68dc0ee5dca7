package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/docker/go-units"
	"golang.org/x/crypto/bcrypt"
)

// testRegistry is a docker-registry of the test's own on a loopback port, with
// htpasswd basic auth when it has a user, with TLS (a self-signed certificate) when
// asked; stopped by its PID when the test ends. start returns the certificate's
// file, if any.
type testRegistry struct {
	addr           string
	user, password string
	tls            bool
}

func (r testRegistry) start(t *testing.T) (cert string) {
	t.Helper()
	bin := "/usr/bin/docker-registry"
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no %s (Debian's docker-registry): %v", bin, err)
	}
	dir := t.TempDir()
	config := fmt.Sprintf(`version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: %s/data}
  delete: {enabled: true}
http:
  addr: %q
`, dir, r.addr)
	scheme, ready := "http", http.StatusOK
	if r.tls {
		cert = filepath.Join(dir, "cert.pem")
		selfSigned(t, cert, filepath.Join(dir, "key.pem"))
		config += fmt.Sprintf("  tls: {certificate: %s/cert.pem, key: %s/key.pem}\n", dir, dir)
		scheme = "https"
	}
	if r.user != "" {
		hash, err := bcrypt.GenerateFromPassword([]byte(r.password), bcrypt.DefaultCost)
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "htpasswd"), r.user+":"+string(hash)+"\n")
		config += fmt.Sprintf("auth:\n  htpasswd: {realm: berth-test, path: %s/htpasswd}\n", dir)
		ready = http.StatusUnauthorized
	}
	write(t, filepath.Join(dir, "config.yml"), config)
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
	// Up when /v2/ answers as it should: 50 tries, 0.1 s apart.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	for i := 0; ; i++ {
		resp, err := client.Get(scheme + "://" + r.addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == ready {
				break
			}
		}
		if i == 50 {
			log, _ := os.ReadFile(filepath.Join(dir, "registry.log"))
			t.Fatalf("registry on %s did not come up: %v\n%s", r.addr, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return cert
}

// selfSigned writes a certificate for 127.0.0.1 that no one has signed.
func selfSigned(t *testing.T, certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "berth test registry"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write(t, certPath, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	write(t, keyPath, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})))
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

// retag puts the test registry's busybox in the store under ref, the image a test
// pushes: pulled by berth (the compose file takes its image from IMAGE).
func retag(t *testing.T, s *scenario, c *ctrd.Client, ref string) {
	t.Helper()
	src := registry + "/berth/busybox:latest"
	if r := s.berthEnv([]string{"IMAGE=" + src}, "pull", "-q"); r.code != 0 {
		t.Fatalf("pull %s: %s", src, r.stderr)
	}
	img, err := c.ImageService().Get(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	img.Name = ref
	if _, err := c.ImageService().Create(context.Background(), img); err != nil {
		t.Fatal(err)
	}
}

// pushedBytes is the last byte count a push reported of ref in JSON progress.
func pushedBytes(t *testing.T, stderr, ref string) (done, total int64) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var e struct {
			ID, Text       string
			Current, Total int64
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("progress line %q: %v", line, err)
		}
		if e.ID == "Image "+ref && e.Text == "Pushing" && e.Total > 0 {
			done, total = e.Current, e.Total
		}
	}
	return done, total
}

// imageSize is the size of an image's manifest, config and layers in the store.
func imageSize(t *testing.T, c *ctrd.Client, ref string) int64 {
	t.Helper()
	img, err := c.GetImage(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	size, err := img.Size(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return size
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
	// copy.berth.test: the registry of the image the build's COPY --from names.
	for _, name := range []string{"registry.berth.test", "copy.berth.test"} {
		write(t, filepath.Join(hosts, name, "hosts.toml"), `server = "https://`+name+`"

[host."http://`+registry+`"]
  capabilities = ["pull", "resolve"]
`)
	}
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

	// A build FROM the image of that name (and COPY --from another) follows the
	// same hosts.toml.
	if r := buildFromRegistry(t, s, t.TempDir()); r.code == 0 || !strings.Contains(r.stderr, "registry.berth.test") {
		t.Errorf("build without the mirror: exit %d: %s", r.code, r.stderr)
	}
	if r := buildFromRegistry(t, s, hosts); r.code != 0 || !hasImage(c, builtImage(s)) {
		t.Fatalf("build through the mirror: exit %d: %s", r.code, r.stderr)
	}
}

// buildFromRegistry builds the scenario's build.yaml with buildah and this hosts
// dir, its base image pulled afresh so that the registry is asked; the build is
// removed when the test ends.
func buildFromRegistry(t *testing.T, s *scenario, hostsDir string) result {
	t.Helper()
	t.Cleanup(func() { s.berth("-f", "build.yaml", "down", "--rmi", "local") })
	return s.berthEnv([]string{"BERTH_BUILDER=buildah"}, "--hosts-dir", hostsDir, "-f", "build.yaml", "build", "--pull", "--no-cache")
}

// builtImage is the image berth names after build.yaml's service "built".
func builtImage(s *scenario) string { return "docker.io/library/" + s.project + "-built:latest" }

// TestRegistryAuth pushes to and pulls from a registry with basic auth: with the
// right credentials of the Docker config (auths for the push, a credential helper for
// the pull) both work, the image comes back by digest; wrong ones fail naming the
// registry.
func TestRegistryAuth(t *testing.T) {
	const addr = "127.0.0.1:5051"
	reg := testRegistry{addr: addr, user: "berth", password: "s3cret"}
	reg.start(t)
	s := newScenario(t)
	c := containerdClient(t)
	ctx := context.Background()
	ref := addr + "/berth/busybox:latest"
	forgetImage(t, c, ref)

	good := []string{"DOCKER_CONFIG=" + dockerConfig(t, addr, reg.user, reg.password)}
	bad := []string{"DOCKER_CONFIG=" + dockerConfig(t, addr, reg.user, "wrong")}
	none := []string{"DOCKER_CONFIG=" + t.TempDir()}

	retag(t, s, c, ref)

	for name, env := range map[string][]string{"wrong": bad, "no": none} {
		r := s.berthEnv(env, "push")
		if r.code == 0 || !strings.Contains(r.stderr, addr) || !strings.Contains(r.stderr, "registry "+addr+": unauthorized") {
			t.Errorf("push with %s credentials: exit %d: %s", name, r.code, r.stderr)
		}
	}
	if r := s.berthEnv(good, "push"); r.code != 0 || !strings.Contains(r.stderr, "Pushed") {
		t.Fatalf("push with the right credentials: exit %d: %s", r.code, r.stderr)
	} else if size := units.HumanSize(float64(imageSize(t, c, ref))); !strings.Contains(r.stderr, " Image "+ref+"  Pushing "+size+"/"+size+"\n") {
		t.Errorf("push with the right credentials: no count of all %s:\n%s", size, r.stderr)
	}

	// A build FROM the image on that registry reads the same credentials.
	build := []string{"-f", "build.yaml", "build", "--pull", "--no-cache"}
	if r := s.berthEnv(bad, build...); r.code == 0 || !strings.Contains(r.stderr, addr) {
		t.Errorf("build from %s with wrong credentials: exit %d: %s", addr, r.code, r.stderr)
	}
	if r := s.berthEnv(good, build...); r.code != 0 {
		t.Fatalf("build from %s with the right credentials: exit %d: %s", addr, r.code, r.stderr)
	}
	t.Cleanup(func() { s.berth("-f", "build.yaml", "down", "--rmi", "local") })

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

// insecureMirrorHostsDir is a hosts dir that mirrors insecure.berth.test to the
// TLS registry at addr, with tlsSetting (skip_verify, ca) for it.
func insecureMirrorHostsDir(t *testing.T, addr, tlsSetting string) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "insecure.berth.test", "hosts.toml"), fmt.Sprintf(`server = "https://insecure.berth.test"

[host."https://%s"]
  capabilities = ["pull", "resolve", "push"]
  %s
`, addr, tlsSetting))
	return dir
}

// TestInsecureRegistry pushes to and pulls from a registry whose certificate no one
// signed, as the mirror of a name that never resolves: allowed by skip_verify in its
// hosts.toml, refused without it.
func TestInsecureRegistry(t *testing.T) {
	const addr = "127.0.0.1:5052"
	cert := testRegistry{addr: addr, tls: true}.start(t)
	s := newScenario(t)
	c := containerdClient(t)
	ref := "insecure.berth.test/berth/busybox:latest"
	forgetImage(t, c, ref)
	retag(t, s, c, ref)

	hostsDir := func(tlsSetting string) string { return insecureMirrorHostsDir(t, addr, tlsSetting) }
	verified, insecure := hostsDir("skip_verify = false"), hostsDir("skip_verify = true")
	if r := s.berth("--hosts-dir", verified, "push"); r.code == 0 || !strings.Contains(r.stderr, "certificate") {
		t.Fatalf("push without skip_verify: exit %d: %s", r.code, r.stderr)
	}
	r := s.berth("--hosts-dir", insecure, "--progress", "json", "push")
	if r.code != 0 {
		t.Fatalf("push with skip_verify: exit %d: %s", r.code, r.stderr)
	}
	// Every byte of the image is counted, as it moved.
	if done, total := pushedBytes(t, r.stderr, ref); total != imageSize(t, c, ref) || done != total {
		t.Errorf("push counted %d of %d bytes, the image has %d:\n%s", done, total, imageSize(t, c, ref), r.stderr)
	}
	forgetImage(t, c, ref)
	if r := s.berth("--hosts-dir", verified, "pull"); r.code == 0 || !strings.Contains(r.stderr, "certificate") {
		t.Fatalf("pull without skip_verify: exit %d: %s", r.code, r.stderr)
	}
	if r := s.berth("--hosts-dir", insecure, "pull"); r.code != 0 || !hasImage(c, ref) {
		t.Fatalf("pull with skip_verify: exit %d: %s", r.code, r.stderr)
	}

	// A build FROM the image there follows the same hosts.toml.
	if r := buildFromRegistry(t, s, t.TempDir()); r.code == 0 || !strings.Contains(r.stderr, "insecure.berth.test") {
		t.Errorf("build without the mirror: exit %d: %s", r.code, r.stderr)
	}
	if r := buildFromRegistry(t, s, verified); r.code == 0 || !strings.Contains(r.stderr, "certificate") {
		t.Errorf("build without skip_verify: exit %d: %s", r.code, r.stderr)
	}
	if r := buildFromRegistry(t, s, insecure); r.code != 0 || !hasImage(c, builtImage(s)) {
		t.Fatalf("build with skip_verify: exit %d: %s", r.code, r.stderr)
	}

	// The certificate as the host's CA: pulls verify with it; buildah takes no
	// certificate from hosts.toml, and the build says so before it starts.
	if _, err := os.Stat("/etc/containers/certs.d/" + addr); err == nil {
		t.Skipf("/etc/containers/certs.d/%s exists: buildah has certificates of its own for the registry", addr)
	}
	withCA := hostsDir(fmt.Sprintf("ca = %q", cert))
	forgetImage(t, c, ref)
	if r := s.berth("--hosts-dir", withCA, "pull"); r.code != 0 || !hasImage(c, ref) {
		t.Fatalf("pull with the CA: exit %d: %s", r.code, r.stderr)
	}
	r = buildFromRegistry(t, s, withCA)
	if want := "host " + addr + ": ca: buildah takes no certificate from hosts.toml"; r.code == 0 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "STEP") {
		t.Errorf("build with the CA in hosts.toml: exit %d, want %q: %s", r.code, want, r.stderr)
	}
}
