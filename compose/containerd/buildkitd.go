package containerd

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"berth.dev/berth/internal/builder"
	"berth.dev/berth/internal/logdriver"
)

// berth's buildkitd builds the images of build: sections when no BUILDKIT_HOST is
// set. It runs as the agent does: a containerd task in the host's network under
// containerd's restart monitor, its state under the state directory
// (buildkit/root), its socket under the run directory (buildkit/buildkitd.sock).
// Once started it is kept running, so that its cache (layers, cache mounts) serves
// the next build at once; removing it is removing the container and buildkit/.
//
// It runs BuildKit's OCI worker (its own runc, inside its task), not the containerd
// worker: that worker would have the host's containerd run the RUN steps, and the
// secrets and SSH sockets buildkitd mounts for them live in buildkitd's own mount
// namespace, which the host's runc cannot see unless the host's mounts propagate
// (they are private on hosts without systemd). So the image comes back as an
// archive that berth imports, as it does from any buildkitd.
const buildkitdID = "berth-buildkitd"

const (
	labelBuildkitdBinary = "berth.buildkitd.binary"
	// labelBuildkitdConfig is the digest of the buildkitd.toml it was started
	// with: another (the hosts dir changed) starts it again.
	labelBuildkitdConfig = "berth.buildkitd.config"
)

// buildkitdStart bounds the wait for a started buildkitd's socket to answer.
const buildkitdStart = 60 * time.Second

func (r *Runtime) buildkitDir() string { return filepath.Join(r.o.StateDir, "buildkit") }

func (r *Runtime) buildkitdSocket() string {
	return filepath.Join(r.o.RunDir, "buildkit", "buildkitd.sock")
}

// buildkitLock names the lock of berth's buildkitd.
const buildkitLock = ".buildkit"

// EnsureBuildKit starts berth's buildkitd from the binary at path, unless it runs
// from it already with the same configuration, and returns its address once it
// answers, and the registries it reaches as the hosts dir says.
func (r *Runtime) EnsureBuildKit(ctx context.Context, path string) (string, []string, error) {
	unlock, err := r.lockShared(ctx, buildkitLock)
	if err != nil {
		return "", nil, err
	}
	defer unlock()
	config, cas, follows, err := r.buildkitdConfig(ctx)
	if err != nil {
		return "", nil, err
	}
	sum := sha256.New()
	sum.Write([]byte(config))
	for _, path := range slices.Sorted(maps.Keys(cas)) {
		sum.Write(cas[path])
	}
	digest := fmt.Sprintf("%x", sum.Sum(nil))
	host := "unix://" + r.buildkitdSocket()
	if c, err := r.client.LoadContainer(ctx, buildkitdID); err == nil {
		labels, _ := c.Labels(ctx)
		if labels[labelBuildkitdBinary] == path && labels[labelBuildkitdConfig] == digest && running(ctx, c) && answers(r.buildkitdSocket()) {
			return host, follows, nil
		}
		// Its cache stays in its state directory for the next one.
		if err := r.removeTask(ctx, buildkitdID, "berth's buildkitd"); err != nil {
			return "", nil, err
		}
	}
	if err := writeFiles(cas); err != nil {
		return "", nil, err
	}
	c, err := r.newBuildkitd(ctx, path, config, digest)
	if err != nil {
		return "", nil, err
	}
	task, err := c.Task(ctx, nil)
	if err != nil {
		return "", nil, err
	}
	exited, err := task.Wait(ctx)
	if err != nil {
		return "", nil, err
	}
	// Polled: buildkitd says it serves only by listening.
	deadline := time.Now().Add(buildkitdStart)
	for !answers(r.buildkitdSocket()) {
		select {
		case st := <-exited:
			return "", nil, fmt.Errorf("berth's buildkitd exited (status %d): see %s", st.ExitCode(), r.buildkitdLog())
		case <-ctx.Done():
			return "", nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return "", nil, fmt.Errorf("berth's buildkitd does not answer at %s after %s: see %s", host, buildkitdStart, r.buildkitdLog())
		}
	}
	return host, follows, nil
}

// buildkitdConfig is the buildkitd.toml of berth's buildkitd, the CA files it
// names (their copies under its state directory, which it sees, by path, with
// their contents), and the registries it reaches as berth's hosts dir says. Its
// RUN steps' cgroups nest under the task's own (containerd's /<namespace>/<id>),
// so that removing the task removes them too; and each registry the hosts dir
// names has a section that says what its hosts.toml says, so that base images and
// # syntax= frontends come through the same mirrors, plain-HTTP hosts and CAs as
// every pull.
func (r *Runtime) buildkitdConfig(ctx context.Context) (string, map[string][]byte, []string, error) {
	config := fmt.Sprintf("[worker.oci]\n  defaultCgroupParent = %q\n", "/"+r.o.Namespace+"/"+buildkitdID+"/builds")
	entries, err := os.ReadDir(r.hostsDir())
	if err != nil && !os.IsNotExist(err) {
		return "", nil, nil, fmt.Errorf("read the hosts dir: %w", err)
	}
	lookup := r.buildRegistries(ctx)
	var regs []builder.Registry
	cas := map[string][]byte{}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "_default" { // buildkitd.toml has no default section
			continue
		}
		reg, err := lookup(e.Name())
		if err != nil {
			continue // a build reaching it says so
		}
		files, err := r.registryCAFiles(reg.Host)
		if err != nil {
			return "", nil, nil, err
		}
		for i, ep := range reg.Endpoints {
			for n, file := range files[ep.Host] {
				pem, err := os.ReadFile(file)
				if err != nil {
					return "", nil, nil, fmt.Errorf("registry %s: host %s: ca: %w", reg.Host, ep.Host, err)
				}
				copied := filepath.Join(r.buildkitDir(), "certs", strings.ReplaceAll(ep.Host, ":", "_"), fmt.Sprintf("ca-%d.crt", n))
				cas[copied] = pem
				reg.Endpoints[i].CAFiles = append(reg.Endpoints[i].CAFiles, copied)
			}
		}
		regs = append(regs, reg)
	}
	registries, follows, err := builder.BuildkitdRegistries(regs)
	if err != nil {
		return "", nil, nil, err
	}
	return config + registries, cas, follows, nil
}

func (r *Runtime) buildkitdLog() string {
	return filepath.Join(r.o.StateDir, "logs", buildkitdID+".log")
}

// writeFiles writes each file with its content, making its directory.
func writeFiles(files map[string][]byte) error {
	for path, content := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// newBuildkitd creates and starts the buildkitd task. Its root is a directory of
// the state dir holding the host's /usr and /etc read-only, so that buildkitd
// finds runc (and git) as the host has them; buildkitd itself is bind-mounted, and
// its state directory is at the same path inside as outside.
func (r *Runtime) newBuildkitd(ctx context.Context, path, config, digest string) (ctrd.Container, error) {
	dir := r.buildkitDir()
	rootfs := filepath.Join(dir, "rootfs")
	sockDir := filepath.Dir(r.buildkitdSocket())
	for _, dir := range []string{rootfs, filepath.Join(dir, "root"), filepath.Join(dir, "tmp"), sockDir} {
		if err := os.MkdirAll(dir, 0o711); err != nil {
			return nil, err
		}
	}
	for _, link := range []string{"bin", "sbin", "lib", "lib64"} {
		if err := os.Symlink("usr/"+link, filepath.Join(rootfs, link)); err != nil && !os.IsExist(err) {
			return nil, err
		}
	}
	// A stale socket would answer nothing and hide the new one's start.
	_ = os.Remove(r.buildkitdSocket())
	self, err := r.selfBinary()
	if err != nil {
		return nil, err
	}
	uri := logdriver.URI(self, r.buildkitdLog())
	if err := os.WriteFile(filepath.Join(dir, "buildkitd.toml"), []byte(config), 0o644); err != nil {
		return nil, err
	}
	args := []string{"/buildkitd", "--root", filepath.Join(dir, "root"), "--config", filepath.Join(dir, "buildkitd.toml"),
		"--addr", "unix:///run/buildkit/buildkitd.sock",
		"--oci-worker=true", "--containerd-worker=false",
		// RUN steps share the host's network, as buildah's do; network: none still
		// takes it away, and network: host is allowed.
		"--oci-worker-net=host", "--allow-insecure-entitlement", "network.host"}
	ro := []string{"rbind", "ro"}
	rw := []string{"rbind", "rw"}
	ctx, dropLease, err := r.sharedCreateLease(ctx, buildkitLock)
	if err != nil {
		return nil, err
	}
	defer dropLease()
	c, err := r.client.NewContainer(ctx, buildkitdID,
		ctrd.WithRuntime("io.containerd.runc.v2", nil),
		ctrd.WithNewSpec(
			oci.WithRootFSPath(rootfs),
			oci.WithProcessArgs(args...),
			oci.WithEnv([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TMPDIR=" + filepath.Join(dir, "tmp")}),
			oci.WithHostNamespace(specs.NetworkNamespace),
			// buildkitd runs containers of its own: it needs what a container
			// runtime needs.
			oci.WithPrivileged, oci.WithAllDevicesAllowed, oci.WithHostDevices,
			oci.WithWriteableSysfs,
			oci.WithMounts([]specs.Mount{
				{Destination: "/buildkitd", Type: "bind", Source: path, Options: ro},
				{Destination: "/usr", Type: "bind", Source: "/usr", Options: ro},
				{Destination: "/etc", Type: "bind", Source: "/etc", Options: ro},
				{Destination: "/sys/fs/cgroup", Type: "bind", Source: "/sys/fs/cgroup", Options: rw},
				{Destination: dir, Type: "bind", Source: dir, Options: rw},
				{Destination: "/run/buildkit", Type: "bind", Source: sockDir, Options: rw},
				{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev", "mode=1777"}},
			}),
		),
		ctrd.WithContainerLabels(map[string]string{
			labelBuildkitdBinary: path,
			labelBuildkitdConfig: digest,
			restartPolicy:        "always",
			restartLogURI:        uri,
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("create berth's buildkitd: %w", err)
	}
	u, err := parseURI(uri)
	if err != nil {
		return nil, err
	}
	task, err := c.NewTask(ctx, logIO(u, false))
	if err == nil {
		if err = task.Start(ctx); err != nil {
			task.Delete(context.WithoutCancel(ctx), ctrd.WithProcessKill)
		}
	}
	if err != nil {
		c.Delete(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("start berth's buildkitd: %w", err)
	}
	_, err = c.SetLabels(ctx, map[string]string{restartStatus: string(ctrd.Running)})
	return c, err
}

// answers says whether something listens at a unix socket.
func answers(socket string) bool {
	conn, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
