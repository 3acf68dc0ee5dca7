package e2e

import (
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuildServiceContext builds a service FROM the image another service builds
// (additional_contexts: service:base): berth builds base first, though only app
// was asked for, and app's build takes base's image.
func TestBuildServiceContext(t *testing.T) {
	s := newBuildScenarioOf(t, t.Name())
	useOwnBuildkitd(t, s)
	r := s.berth("build", "app")
	if r.code != 0 {
		t.Fatalf("build app: exit %d\n%s", r.code, r.stderr)
	}
	if out := strings.TrimSpace(s.must("run", "--rm", "app")); out != "made by base\nmade by app" {
		t.Errorf("app's image prints %q, want base's file and its own", out)
	}
	// base changes: building both builds base again first, and app takes the new one.
	write(t, filepath.Join(s.dir, "base", "Dockerfile"), "FROM 127.0.0.1:5050/berth/busybox\nRUN echo made by base again > /from-base\n")
	s.must("build")
	if out := strings.TrimSpace(s.must("run", "--rm", "app")); out != "made by base again\nmade by app" {
		t.Errorf("after base changed, app's image prints %q", out)
	}
	// buildah cannot take an image of berth's store as a context: refused by name.
	r = s.berthEnv([]string{"BERTH_BUILDER=buildah"}, "build", "app")
	if r.code == 0 || !strings.Contains(r.stderr, "additional context base: a service's image (service:) is not supported by buildah") {
		t.Errorf("build with buildah: exit %d, want a refusal naming the context:\n%s", r.code, r.stderr)
	}
}

// TestBuildGitContext builds from a Git repository the test serves on 127.0.0.1
// (git http-backend behind net/http/cgi): the context is the repository's app/ at
// tag v1, and an additional context its data/; BuildKit fetches both itself.
func TestBuildGitContext(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: run scripts/setup")
	}
	port, daemonPort := serveGitRepo(t, filepath.Join("testdata", t.Name(), "repo"))
	s := newBuildScenarioOf(t, t.Name())
	s.env = append(s.env, "GIT_PORT="+port, "GIT_DAEMON_PORT="+daemonPort)
	// buildah refuses a Git context before it builds anything.
	r := s.berth("build")
	if r.code == 0 || !strings.Contains(r.stderr, "build context http://127.0.0.1:"+port+"/repo.git#v1:app: a Git or HTTP context is not supported by buildah") {
		t.Errorf("build with buildah: exit %d, want a refusal naming the context:\n%s", r.code, r.stderr)
	}
	useOwnBuildkitd(t, s)
	r = s.berth("build")
	if r.code != 0 {
		t.Fatalf("build: exit %d\n%s", r.code, r.stderr)
	}
	if out := strings.TrimSpace(s.must("run", "--rm", "app")); out != "app from git at v1\ndata from git at v1" {
		t.Errorf("the image built from Git prints %q, want the files of tag v1", out)
	}
}

// serveGitRepo makes a bare repository repo.git of dir's files, committed and
// tagged v1, then changed on the branch after the tag, and serves it on loopback
// ports until the test ends: over HTTP (git http-backend) and git's own protocol
// (git daemon). It returns the two ports.
func serveGitRepo(t *testing.T, dir string) (httpPort, daemonPort string) {
	t.Helper()
	root, work := t.TempDir(), t.TempDir()
	if err := os.CopyFS(work, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	git := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=berth", "-c", "user.email=berth@127.0.0.1"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	git(work, "init", "-q", "-b", "main")
	git(work, "add", ".")
	git(work, "commit", "-q", "-m", "v1")
	git(work, "tag", "v1")
	write(t, filepath.Join(work, "app", "app.txt"), "app after v1\n")
	git(work, "commit", "-q", "-a", "-m", "after v1")
	git(root, "clone", "-q", "--bare", work, "repo.git")

	backend, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(backend)), "git-http-backend"),
		Root: "/",
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	_, httpPort, _ = net.SplitHostPort(l.Addr().String())
	return httpPort, serveGitDaemon(t, root)
}

// serveGitDaemon runs git daemon on a free loopback port for the repositories
// under root, until the test ends, and returns the port once it answers.
func serveGitDaemon(t *testing.T, root string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close() // git daemon takes the port: free, unless another takes it first
	daemon := exec.Command("git", "daemon", "--export-all", "--reuseaddr", "--base-path="+root,
		"--listen=127.0.0.1", "--port="+port, root)
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { daemon.Process.Kill(); daemon.Wait() })
	eventually(t, 10*time.Second, "git daemon on port "+port, func() error {
		conn, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			conn.Close()
		}
		return err
	})
	return port
}
