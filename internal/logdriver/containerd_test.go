package logdriver

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	containerd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/cio"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/pkg/oci"
)

// TestMain lets containerd's shim run this test binary as the log driver.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == DriverArg {
		if err := Serve(context.Background(), os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const (
	testSocket    = "/run/containerd/containerd.sock"
	testNamespace = "berth-logdriver-test"
)

// TestContainerd runs a busybox container twice (a restart) on the real
// daemon with its output going through the driver, and follows the log.
func TestContainerd(t *testing.T) {
	if testing.Short() || os.Geteuid() != 0 {
		t.Skip("needs root and containerd")
	}
	for _, p := range []string{testSocket, "/bin/busybox"} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("needs %s", p)
		}
	}
	client, err := containerd.New(testSocket, containerd.WithTimeout(5*time.Second))
	if err != nil {
		t.Skip("containerd:", err)
	}
	t.Cleanup(func() { client.Close() }) // after the cleanups below, which use it
	ctx, cancel := context.WithTimeout(namespaces.WithNamespace(context.Background(), testNamespace), time.Minute)
	defer cancel()

	rootfs := t.TempDir()
	os.Mkdir(filepath.Join(rootfs, "bin"), 0o755)
	copyFile(t, "/bin/busybox", filepath.Join(rootfs, "bin", "busybox"))
	os.Symlink("busybox", filepath.Join(rootfs, "bin", "sh"))

	log := filepath.Join(t.TempDir(), "logs", "c.log")
	if err := WriteOptions(log, Options{MaxSize: 4000, MaxFiles: 30}); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	uri, err := url.Parse(URI(exe, log))
	if err != nil {
		t.Fatal(err)
	}
	script := `i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); done; echo oops >&2; printf 'no newline'`
	id := fmt.Sprintf("logdriver-%d", time.Now().UnixNano())
	ctr, err := client.NewContainer(ctx, id,
		containerd.WithRuntime("io.containerd.runc.v2", nil),
		containerd.WithNewSpec(oci.WithRootFSPath(rootfs), oci.WithProcessArgs("/bin/sh", "-c", script)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := namespaces.WithNamespace(context.Background(), testNamespace)
		if task, err := ctr.Task(ctx, nil); err == nil {
			task.Delete(ctx, containerd.WithProcessKill)
		}
		if err := ctr.Delete(ctx); err != nil {
			t.Errorf("delete container: %v", err)
		}
		client.NamespaceService().Delete(ctx, testNamespace) // fails if others use it: fine
	})

	run := func() {
		t.Helper()
		task, err := ctr.NewTask(ctx, cio.LogURI(uri))
		if err != nil {
			t.Fatal(err)
		}
		exitC, err := task.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := task.Start(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case st := <-exitC:
			if st.ExitCode() != 0 {
				t.Fatalf("exit %d", st.ExitCode())
			}
		case <-ctx.Done():
			t.Fatal("container did not exit")
		}
		// Delete closes the pipes and sends the driver SIGTERM.
		if _, err := task.Delete(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// What one run writes: 300 lines and a partial line on stdout, a line on
	// stderr. The two pipes are read apart, so only each stream is in order.
	check := func(es []Entry) {
		t.Helper()
		var out, errs []Entry
		for _, e := range es {
			if e.Stream == "stdout" {
				out = append(out, e)
			} else {
				errs = append(errs, e)
			}
		}
		if len(out) != 301 || len(errs) != 1 {
			t.Fatalf("got %d stdout and %d stderr entries, want 301 and 1", len(out), len(errs))
		}
		for i, e := range out[:300] {
			if e.Line != fmt.Sprintf("line %d", i) || e.Partial {
				t.Fatalf("stdout entry %d: %+v", i, e)
			}
		}
		if e := out[300]; e.Line != "no newline" || !e.Partial {
			t.Fatalf("last stdout entry: %+v", e)
		}
		if e := errs[0]; e.Line != "oops" || e.Stream != "stderr" || e.Partial {
			t.Fatalf("stderr entry: %+v", e)
		}
	}

	run()
	var es []Entry
	eventually(t, "the first run's log", func() bool {
		es = readAll(t, log, ReadOptions{Tail: -1})
		return len(es) >= 302
	})
	check(es)
	if m, _ := filepath.Glob(log + ".*[0-9]"); len(m) == 0 {
		t.Fatal("no rotation")
	}

	// A restart appends, and a follower started before it sees it all.
	f := startFollow(t, log, ReadOptions{Tail: 0})
	run()
	check(f.waitFor(t, 302))
	all := readAll(t, log, ReadOptions{Tail: -1})
	check(all[:302])
	check(all[302:])
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
