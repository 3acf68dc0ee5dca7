package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// watchInterrupted ends a running `berth watch` with Ctrl-C and checks it exits 0.
func watchInterrupted(t *testing.T, cmd interface {
	Wait() error
}, signal func(os.Signal) error) {
	t.Helper()
	if err := signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("watch after Ctrl-C: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("watch did not end within 30s of Ctrl-C")
	}
}

// startWatching starts berth (watch, or up --watch) and returns once it watches.
func (s *scenario) startWatching(args ...string) *exec.Cmd {
	s.t.Helper()
	cmd, out := s.startUntil("Watch enabled", args...)
	if !strings.Contains(out, "Watch enabled") {
		cmd.Process.Kill()
		cmd.Wait()
		s.t.Fatalf("berth %s did not start watching:\n%s", strings.Join(args, " "), out)
	}
	return cmd
}

// inContainer is what a shell command prints in the service's container.
func inContainer(s *scenario, service, script string) string {
	r := s.berth("exec", "-T", service, "sh", "-c", script)
	return r.stdout
}

// TestWatch: bad rules are refused before anything starts; then berth watch
// syncs (initial_sync, a new file, a new directory, a deletion, not an ignored
// file), runs a sync+exec's command, restarts on a restart rule and syncs then
// restarts on a sync+restart rule, until Ctrl-C.
func TestWatch(t *testing.T) {
	s := newBuildScenarioOf(t, t.Name())
	for file, want := range map[string]string{
		"relative-target.yaml":  `develop.watch[0]: target "app" is not an absolute path`,
		"read-only.yaml":        "the service is read_only",
		"rebuild-no-build.yaml": "develop.watch[0]: action rebuild needs a build: section",
	} {
		r := s.berth("-f", file, "watch")
		if r.code == 0 || !strings.Contains(r.stderr, want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%s: exit %d, want one line with %q:\n%s", file, r.code, want, r.stderr)
		}
		if len(s.ps(true)) != 0 {
			t.Fatalf("%s: something was made: %v", file, s.ps(true))
		}
	}

	cmd := s.startWatching("watch")
	defer cmd.Process.Kill()
	check := func(what, script, want string) {
		t.Helper()
		eventually(t, 10*time.Second, what, func() error {
			if got := inContainer(s, "app", script); got != want {
				return fmt.Errorf("got %q, want %q", got, want)
			}
			return nil
		})
	}
	check("initial_sync", "cat /app/seed.txt", "seed\n")

	write(t, filepath.Join(s.dir, "src", "new.txt"), "new\n")
	check("a new file synced", "cat /app/new.txt", "new\n")
	write(t, filepath.Join(s.dir, "src", "new.txt"), "edited\n")
	check("an edit synced", "cat /app/new.txt", "edited\n")
	write(t, filepath.Join(s.dir, "src", "a", "b", "deep.txt"), "deep\n")
	check("a new directory synced", "cat /app/a/b/deep.txt", "deep\n")
	os.Remove(filepath.Join(s.dir, "src", "seed.txt"))
	check("a deletion synced", "test -e /app/seed.txt || echo gone", "gone\n")

	// The ignored file is written first: by the time the next one is in, its
	// batch has been handled.
	write(t, filepath.Join(s.dir, "src", "scratch.tmp"), "no\n")
	write(t, filepath.Join(s.dir, "src", "after.txt"), "yes\n")
	check("the file after the ignored one", "cat /app/after.txt", "yes\n")
	if got := inContainer(s, "app", "ls /app"); strings.Contains(got, "scratch.tmp") {
		t.Errorf("an ignored file was synced: %q", got)
	}

	write(t, filepath.Join(s.dir, "hooks", "h.txt"), "second\n")
	check("sync+exec ran its command after the sync", "cat /tmp/exec-ran", "second\n")

	started := func(times int) func() error {
		return func() error {
			if n := strings.Count(s.must("logs", "--no-log-prefix", "app"), "started\n"); n != times {
				return fmt.Errorf("started %d times", n)
			}
			return nil
		}
	}
	write(t, filepath.Join(s.dir, "restart.txt"), "1\n")
	eventually(t, 20*time.Second, "restart", started(2))
	write(t, filepath.Join(s.dir, "conf", "app.conf"), "v2\n")
	eventually(t, 20*time.Second, "sync+restart restarts", started(3))
	check("sync+restart synced", "cat /etc/app/app.conf", "v2\n")

	watchInterrupted(t, cmd, cmd.Process.Signal)
}

// TestWatchRebuild: a change under a rebuild rule builds web's image again and
// recreates web, whose new container runs the new image, and leaves side as it
// runs; a sync beside it honours the build context's .dockerignore.
func TestWatchRebuild(t *testing.T) {
	s := newBuildScenarioOf(t, t.Name())
	cmd := s.startWatching("watch")
	defer cmd.Process.Kill()
	before := s.ids()
	if got := inContainer(s, "web", "cat /version"); got != "v1\n" {
		t.Fatalf("before: %q", got)
	}

	write(t, filepath.Join(s.dir, "web", "static", "a.secret"), "no\n")
	write(t, filepath.Join(s.dir, "web", "static", "b.txt"), "yes\n")
	eventually(t, 10*time.Second, "static sync", func() error {
		if got := inContainer(s, "web", "cat /static/b.txt"); got != "yes\n" {
			return fmt.Errorf("b.txt: %q", got)
		}
		return nil
	})
	if got := inContainer(s, "web", "ls /static"); strings.Contains(got, "a.secret") {
		t.Errorf("a file .dockerignore leaves out was synced: %q", got)
	}

	write(t, filepath.Join(s.dir, "web", "version.txt"), "v2\n")
	eventually(t, 3*time.Minute, "rebuild", func() error {
		if got := inContainer(s, "web", "cat /version"); got != "v2\n" {
			return fmt.Errorf("version %q", got)
		}
		return nil
	})
	after := s.ids()
	if after[s.project+"-web-1"] == before[s.project+"-web-1"] || after[s.project+"-web-1"] == "" {
		t.Errorf("web was not recreated: %s → %s", before[s.project+"-web-1"], after[s.project+"-web-1"])
	}
	if after[s.project+"-side-1"] != before[s.project+"-side-1"] {
		t.Errorf("side was recreated: %s → %s", before[s.project+"-side-1"], after[s.project+"-side-1"])
	}
	watchInterrupted(t, cmd, cmd.Process.Signal)
}

// TestUpWatch: up --watch shows the services' output and syncs while it runs;
// Ctrl-C stops both, and up exits 0.
func TestUpWatch(t *testing.T) {
	s := newBuildScenarioOf(t, "TestWatch")
	cmd := s.startWatching("up", "--watch")
	defer cmd.Process.Kill()
	write(t, filepath.Join(s.dir, "src", "new.txt"), "new\n")
	eventually(t, 10*time.Second, "sync under up --watch", func() error {
		if got := inContainer(s, "app", "cat /app/new.txt"); got != "new\n" {
			return fmt.Errorf("got %q", got)
		}
		return nil
	})
	watchInterrupted(t, cmd, cmd.Process.Signal)
	if st := s.states()["app-1"]; st != "exited" {
		t.Errorf("after Ctrl-C app is %q, want exited", st)
	}
}

// TestUpWatchRebuild: under up --watch a rebuild recreates web, and up goes on
// showing the new container's output instead of ending with the old one.
func TestUpWatchRebuild(t *testing.T) {
	s := newBuildScenarioOf(t, "TestWatchRebuild")
	out := &lockedBuffer{}
	cmd := s.command("--progress", "plain", "up", "--watch")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	shows := func(want string) func() error {
		return func() error {
			if !strings.Contains(out.String(), want) {
				return fmt.Errorf("no %q in:\n%s", want, out.String())
			}
			return nil
		}
	}
	eventually(t, 3*time.Minute, "up --watch starts watching", shows("Watch enabled"))
	eventually(t, 10*time.Second, "web's first output", shows("| v1"))
	write(t, filepath.Join(s.dir, "web", "version.txt"), "v2\n")
	eventually(t, 3*time.Minute, "the rebuilt container's output", shows("| v2"))
	watchInterrupted(t, cmd, cmd.Process.Signal)
}
