package network

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/containernetworking/cni/pkg/types"
	"golang.org/x/sys/unix"
)

// runPluginHelper is a berth that runs plugin and is killed while it runs.
func runPluginHelper(plugin string) {
	_, err := (&pluginExec{}).ExecPlugin(context.Background(), plugin, nil, os.Environ())
	os.Stderr.WriteString("plugin ended: " + errString(err) + "\n")
	os.Exit(3)
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// A plugin does not outlive a berth killed while it runs.
func TestPluginDiesWithBerth(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	plugin := filepath.Join(dir, "plugin")
	script := "#!/bin/sh\necho $$ > " + pidFile + ".tmp && mv " + pidFile + ".tmp " + pidFile + "\nexec sleep 60\n"
	if err := os.WriteFile(plugin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	berth := exec.Command(self, "-test.run", "^$")
	berth.Env = append(os.Environ(), "BERTH_PLUGIN_HELPER="+plugin)
	if err := berth.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	deadline := time.Now().Add(10 * time.Second)
	for pid == 0 {
		b, err := os.ReadFile(pidFile)
		switch {
		case err == nil:
			if pid, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
				t.Fatal(err)
			}
		case time.Now().After(deadline):
			berth.Process.Kill()
			t.Fatal("the plugin did not start")
		default:
			time.Sleep(10 * time.Millisecond)
		}
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(pidfd)
	berth.Process.Kill()
	berth.Wait()
	// A pidfd reads as ready once its process has ended.
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 10_000)
	if err != nil || n != 1 {
		unix.Kill(pid, unix.SIGKILL)
		t.Fatalf("the plugin (pid %d) runs on 10 s after berth was killed (poll: %d, %v)", pid, n, err)
	}
}

// A plugin started for a goroutine that held its thread and returned, so that Go
// ended the thread, runs on to its end: the parent-death signal follows the thread
// that forked the child, and that must be one that lives as long as berth.
func TestPluginOutlivesTheCallersThread(t *testing.T) {
	plugin := exec.Command("/bin/sh", "-c", "read line && test \"$line\" = go")
	plugin.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	release, err := plugin.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Go wedges the main thread rather than end it, so a caller that lands there
	// holds it until the test ends and another caller takes its place.
	tids := make(chan int)
	errs := make(chan error, 1)
	held := make(chan struct{})
	defer close(held)
	var tid int
	for tid == 0 {
		go func() {
			runtime.LockOSThread() // and never unlocked: the thread ends with the goroutine
			if unix.Gettid() == os.Getpid() {
				tids <- 0
				<-held
				runtime.UnlockOSThread()
				return
			}
			errs <- deathThread.start(plugin)
			tids <- unix.Gettid()
		}()
		tid = <-tids
	}
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	thread := fmt.Sprintf("/proc/self/task/%d", tid)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(thread); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the caller's thread %d did not end", tid)
		}
	}
	if _, err := io.WriteString(release, "go\n"); err != nil {
		t.Fatal(err)
	}
	release.Close()
	if err := plugin.Wait(); err != nil {
		t.Fatalf("the plugin ended with its caller's thread: %v", err)
	}
}

// A failed plugin's error is the CNI error it printed, else one made of its stderr.
func TestPluginError(t *testing.T) {
	exit := errors.New("exit status 1")
	cases := []struct {
		stdout, stderr, want string
		code                 uint
	}{
		{`{"cniVersion":"1.0.0","code":7,"msg":"bad","details":"worse"}`, "", "bad; worse", 7},
		{"", "no such device", `CNI plugin failed: "no such device": exit status 1`, 0},
		{"", "", "CNI plugin failed and printed nothing: exit status 1", 0},
		{"not json", "", `CNI plugin failed, and what it printed is not a CNI error: "not json"`, 0},
	}
	for _, c := range cases {
		err := pluginError(exit, []byte(c.stdout), []byte(c.stderr))
		var cniErr *types.Error
		if !errors.As(err, &cniErr) || !strings.HasPrefix(err.Error(), c.want) || cniErr.Code != c.code {
			t.Errorf("stdout %q, stderr %q: %v (%#v), want %q, code %d", c.stdout, c.stderr, err, err, c.want, c.code)
		}
	}
}
