package network

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"

	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

// pluginExec runs the CNI plugins as libcni's RawExec does, but each dies with
// the berth that runs it (SIGKILL at its parent's death). A berth killed in the
// middle of an attachment otherwise left the plugin running on its own, and its
// ADD raced the next berth's DEL of the same attachment: portmap's ADD put its
// jump back after the DEL took it out, and the DEL failed on the chain in use.
// libcni's RawExec takes no process attributes, hence this one. The plugins are
// started by deathThread, see there why.
type pluginExec struct {
	version.PluginDecoder
}

var _ invoke.Exec = &pluginExec{}

func (pluginExec) FindInPath(plugin string, paths []string) (string, error) {
	return invoke.FindInPath(plugin, paths)
}

func (pluginExec) ExecPlugin(ctx context.Context, pluginPath string, stdinData []byte, environ []string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	c := exec.CommandContext(ctx, pluginPath)
	c.Env = environ
	c.Stdin = bytes.NewReader(stdinData)
	c.Stdout, c.Stderr = &stdout, &stderr
	c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := deathThread.start(c)
	if err == nil {
		err = c.Wait()
	}
	if err != nil {
		return nil, pluginError(err, stdout.Bytes(), stderr.Bytes())
	}
	if stderr.Len() > 0 {
		_, _ = stderr.WriteTo(os.Stderr) // a plugin's warnings, as libcni passes them on
	}
	return stdout.Bytes(), nil
}

// pluginError is the CNI error a failed plugin printed on stdout, or one made
// of what it printed on stderr.
func pluginError(err error, stdout, stderr []byte) error {
	e := &types.Error{}
	switch {
	case len(stdout) > 0:
		if jerr := json.Unmarshal(stdout, e); jerr != nil {
			e.Msg = fmt.Sprintf("CNI plugin failed, and what it printed is not a CNI error: %q: %v", stdout, jerr)
		}
	case len(stderr) > 0:
		e.Msg = fmt.Sprintf("CNI plugin failed: %q: %v", stderr, err)
	default:
		e.Msg = fmt.Sprintf("CNI plugin failed and printed nothing: %v", err)
	}
	return e
}

// deathThread starts processes whose parent-death signal must mean berth's death.
// Linux sends that signal when the *thread* that forked the child ends, not the
// process, and Go ends the thread of a goroutine that returns while locked to it
// (berth locks goroutines to threads to enter network namespaces). A plugin forked
// from such a thread was killed in the middle of a normal attachment. This one
// goroutine stays locked to its thread and never returns, so its thread ends only
// with berth. Starting is a vfork and an exec, short enough to take one at a time.
var deathThread = &starter{}

type starter struct {
	once sync.Once
	reqs chan startRequest
}

type startRequest struct {
	cmd  *exec.Cmd
	done chan error
}

// start starts c on the starter's thread; the caller waits for it as usual.
func (s *starter) start(c *exec.Cmd) error {
	s.once.Do(func() {
		s.reqs = make(chan startRequest)
		go s.serve()
	})
	done := make(chan error, 1)
	s.reqs <- startRequest{cmd: c, done: done}
	return <-done
}

func (s *starter) serve() {
	runtime.LockOSThread() // for good: never unlocked, never returns
	for r := range s.reqs {
		r.done <- r.cmd.Start()
	}
}
