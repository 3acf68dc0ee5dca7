package containerd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// copies are the binaries this process copied into the state directory, by source.
var copies struct {
	sync.Mutex
	of   map[string]string
	held []*os.File // each copy, under a shared flock while this berth runs (see pruneBinaries)
}

// selfBinary is berth's own executable as copied into the state directory: the
// tasks berth starts (buildkitd's log driver, the agent where berth-agent is not
// beside it) run it long after this CLI exits.
func (r *Runtime) selfBinary() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	return r.binaryCopy("berth", exe)
}

// The binaries `make build` puts beside berth, each running one of its hidden
// commands alone: a few MB in every container's shim (the log driver) and in the
// agent, instead of the whole CLI.
const (
	logDriverName = "berth-logdriver"
	agentName     = "berth-agent"
)

// smallBinaries are the names of those binaries.
var smallBinaries = []string{logDriverName, agentName}

// logDriverBinary is what containers' binary:// log URIs run: in the agent, the
// host's copy it was told of; else a copy of the berth-logdriver beside this berth,
// else of berth itself, which has the same `_logdriver` command.
func (r *Runtime) logDriverBinary() (string, error) {
	if r.o.LogDriver != "" {
		return r.o.LogDriver, nil
	}
	return r.smallBinary(logDriverName)
}

// agentBinary is what the agent task runs: a copy of the berth-agent beside this
// berth, else of berth itself, which has the same `_agent` command.
func (r *Runtime) agentBinary() (string, error) { return r.smallBinary(agentName) }

// smallBinary copies the named binary beside this berth into the state directory,
// or, where it is not there, berth itself.
func (r *Runtime) smallBinary(name string) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	small := filepath.Join(filepath.Dir(exe), name)
	if st, err := os.Stat(small); err == nil && st.Mode().IsRegular() {
		return r.binaryCopy(name, small)
	}
	return r.selfBinary()
}

// binaryCopy copies exe into the state directory's bin/ once per build. The log
// drivers and the agent run the copy long after this CLI exits and restart with it
// (containerd's restart monitor, a reboot): a copy keeps them working when the user
// moves, rebuilds or deletes the binary they ran. The name carries size and
// modification time, so a new build gets a new copy.
func (r *Runtime) binaryCopy(name, exe string) (string, error) {
	copies.Lock()
	defer copies.Unlock()
	if path, ok := copies.of[exe]; ok {
		return path, nil
	}
	st, err := os.Stat(exe)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(r.o.StateDir, "bin")
	dst := filepath.Join(dir, copyName(name, st))
	if _, err := os.Stat(dst); err == nil {
		return holdCopy(exe, dst)
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
	return holdCopy(exe, dst)
}

func copyName(name string, st os.FileInfo) string {
	return fmt.Sprintf("%s-%d-%d", name, st.Size(), st.ModTime().UnixNano())
}

// ownCopyNames are the names the copies of this berth and of the small binaries
// beside it have or will have: kept by pruneBinaries, so that the next command of
// the same build does not copy them again.
func ownCopyNames() map[string]bool {
	out := map[string]bool{}
	exe, err := os.Executable()
	if err != nil {
		return out
	}
	paths := map[string]string{"berth": exe}
	for _, name := range smallBinaries {
		paths[name] = filepath.Join(filepath.Dir(exe), name)
	}
	for name, path := range paths {
		if st, err := os.Stat(path); err == nil {
			out[copyName(name, st)] = true
		}
	}
	return out
}

// holdCopy makes path this process's copy of exe and takes a shared flock on it for
// as long as the process runs, so that another berth's pruneBinaries leaves it while
// this one may still name it in a container it is making. copies is locked.
func holdCopy(exe, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		f.Close()
		return "", err
	}
	if copies.of == nil {
		copies.of = map[string]string{}
	}
	copies.of[exe] = path
	copies.held = append(copies.held, f)
	return path, nil
}

// pruneBinaries removes the copies of berth (85 MB each), of its log driver and of
// its agent that nothing needs any more. A copy stays while it is this berth's, while a
// container's labels name it (the agent, the log URI containerd's restart monitor
// starts a container's log driver with), or while a berth process holds it
// (holdCopy). A task that runs a copy keeps its file open, so removing the name
// does not disturb it.
func (r *Runtime) pruneBinaries(ctx context.Context) error {
	dir := filepath.Join(r.o.StateDir, "bin")
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) < 2 {
		return nil // nothing to choose from: the copy in use at most
	}
	list, err := r.client.ContainerService().List(ctx)
	if err != nil {
		return err
	}
	named := ownCopyNames()
	for _, c := range list {
		for _, v := range c.Labels {
			if strings.Contains(v, dir+"/") {
				for _, e := range entries {
					if strings.Contains(v, filepath.Join(dir, e.Name())) {
						named[e.Name()] = true
					}
				}
			}
		}
	}
	for _, e := range entries {
		// Names starting with "." are copies being written (writeExecutable).
		if named[e.Name()] || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		removeUnheld(filepath.Join(dir, e.Name()))
	}
	return nil
}

// removeUnheld removes path unless a berth process holds it.
func removeUnheld(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return // in use
	}
	os.Remove(path)
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
