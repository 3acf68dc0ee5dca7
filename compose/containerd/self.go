package containerd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

var selfOnce struct {
	sync.Mutex
	path string
}

// selfBinary is berth's own executable as copied into the state directory. The log
// driver and the resolver task run it long after this CLI exits and restart with it
// (containerd's restart monitor, a reboot): a copy keeps them working when the user
// moves, rebuilds or deletes the binary they ran. The name carries size and
// modification time, so a new build gets a new copy.
func (r *Runtime) selfBinary() (string, error) {
	if r.o.Binary != "" {
		return r.o.Binary, nil // the agent: its /berth is the host's copy
	}
	selfOnce.Lock()
	defer selfOnce.Unlock()
	if selfOnce.path != "" {
		return selfOnce.path, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	st, err := os.Stat(exe)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(r.o.StateDir, "bin")
	dst := filepath.Join(dir, fmt.Sprintf("berth-%d-%d", st.Size(), st.ModTime().UnixNano()))
	if _, err := os.Stat(dst); err == nil {
		selfOnce.path = dst
		return dst, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	src, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer src.Close()
	tmp, err := writeExecutable(dir, src)
	if err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return "", err
	}
	selfOnce.path = dst
	return dst, nil
}

// writeExecutable copies src into a new executable file in dir and returns its path.
// No process is forked while the file is open for writing: a child forked then
// holds the descriptor until it execs, and a shim executing the copy meanwhile (the
// agent, a log driver) fails with "text file busy". Other goroutines of berth run
// plugins and iptables while this one copies.
func writeExecutable(dir string, src io.Reader) (string, error) {
	syscall.ForkLock.Lock()
	defer syscall.ForkLock.Unlock()
	tmp, err := os.CreateTemp(dir, ".berth-*")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Chmod(0o755)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}
