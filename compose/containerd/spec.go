package containerd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/oci"
	securejoin "github.com/cyphar/filepath-securejoin"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// processArgs applies Docker's override rules: an entrypoint from the file replaces
// the image's entrypoint and drops its CMD; a command from the file replaces CMD only.
func processArgs(img ocispec.ImageConfig, s types.ServiceConfig) ([]string, error) {
	var args []string
	if s.Entrypoint != nil {
		args = append(args, s.Entrypoint...)
		args = append(args, s.Command...)
	} else {
		args = append(args, img.Entrypoint...)
		if s.Command != nil {
			args = append(args, s.Command...)
		} else {
			args = append(args, img.Cmd...)
		}
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("service %q: no command: the image has neither entrypoint nor cmd and the file sets none", s.Name)
	}
	return args, nil
}

// defaultPath is Docker's PATH for a container whose image sets none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// engineEnv is what Docker's engine gives every process, under the image's and the
// service's environment: a PATH, the container's HOSTNAME, and TERM with a TTY.
func engineEnv(hostname string, tty bool) []string {
	env := []string{"PATH=" + defaultPath, "HOSTNAME=" + hostname}
	if tty {
		env = append(env, "TERM=xterm")
	}
	return env
}

// withTerm adds TERM=xterm to env unless it has a TERM: an exec with a TTY, as Docker.
func withTerm(env []string) []string {
	for _, kv := range env {
		if strings.HasPrefix(kv, "TERM=") {
			return env
		}
	}
	return append(env, "TERM=xterm")
}

// mergeEnv lays the service's environment over the image's, by key. A variable the
// file lists without a value and the loader could not resolve is left out, as Docker does.
func mergeEnv(image []string, env types.MappingWithEquals) []string {
	vals := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := vals[k]; !ok {
			order = append(order, k)
		}
		vals[k] = v
	}
	for _, kv := range image {
		k, v, _ := strings.Cut(kv, "=")
		set(k, v)
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := env[k]; v != nil {
			set(k, *v)
		}
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, k+"="+vals[k])
	}
	return out
}

// initBinary is the init init: true runs as PID 1.
const initBinary = "/usr/bin/tini-static"

// specInput is what a container's OCI spec is made from.
type specInput struct {
	Service  types.ServiceConfig
	Image    ocispec.ImageConfig
	Hostname string
	NetNS    string
	Files    string            // the container's state dir: hosts, hostname, resolv.conf
	Volumes  map[string]string // compose volume key → host directory
	Extra    []specs.Mount     // secrets and configs
	// ProjectDir resolves relative paths (a seccomp profile); Shared are the tasks
	// whose PID and IPC namespaces the container joins.
	ProjectDir string
	Shared     sharedProc
}

// specOpts translates a service into OCI spec options: the image config's defaults
// first, the file's fields over them, and the user last (it is looked up in the
// image's /etc/passwd).
func specOpts(in specInput, image ctrd.Image) ([]oci.SpecOpts, error) {
	opts, err := serviceOpts(in)
	if err != nil {
		return nil, err
	}
	opts = append([]oci.SpecOpts{oci.WithImageConfig(image)}, opts...)
	if in.Service.User != "" {
		opts = append(opts, oci.WithUser(in.Service.User))
	}
	if len(in.Service.GroupAdd) > 0 {
		opts = append(opts, oci.WithAppendAdditionalGroups(in.Service.GroupAdd...))
	}
	return opts, nil
}

// serviceOpts are the options that come from the file alone, with the image config
// as data: what the golden spec tests check.
func serviceOpts(in specInput) ([]oci.SpecOpts, error) {
	s := in.Service
	args, err := processArgs(in.Image, s)
	if err != nil {
		return nil, err
	}
	if s.Init != nil && *s.Init {
		// A real init as PID 1, as Docker's --init: Debian's static tini, mounted in.
		if _, err := os.Stat(initBinary); err != nil {
			return nil, fmt.Errorf("service %q: init: %s is missing (Debian's tini package; scripts/setup installs it)", s.Name, initBinary)
		}
		args = append([]string{"/sbin/docker-init", "--"}, args...)
		in.Extra = append(in.Extra, specs.Mount{Destination: "/sbin/docker-init", Type: "bind", Source: initBinary, Options: []string{"rbind", "ro"}})
	}
	cwd := in.Image.WorkingDir
	if s.WorkingDir != "" {
		cwd = s.WorkingDir
	}
	if cwd == "" {
		cwd = "/"
	}
	opts := []oci.SpecOpts{
		// The container's own cgroups, read-only, as Docker shows them (containerd's
		// default spec has none).
		oci.WithMounts([]specs.Mount{{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup",
			Options: []string{"ro", "nosuid", "noexec", "nodev"}}}),
		oci.WithProcessArgs(args...),
		replaceEnv(mergeEnv(append(engineEnv(in.Hostname, s.Tty), in.Image.Env...), s.Environment)),
		oci.WithProcessCwd(cwd),
		oci.WithHostname(in.Hostname),
	}
	if in.NetNS == "" {
		opts = append(opts, oci.WithHostNamespace(specs.NetworkNamespace))
	} else {
		opts = append(opts, oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: in.NetNS}))
	}
	if s.DomainName != "" {
		opts = append(opts, oci.WithDomainname(s.DomainName))
	}
	if s.Tty {
		// Not oci.WithTTY: it appends a second TERM after the service's own.
		opts = append(opts, func(_ context.Context, _ oci.Client, _ *containers.Container, spec *oci.Spec) error {
			spec.Process.Terminal = true
			return nil
		})
	}
	limits, err := limitsOpts(s)
	if err != nil {
		return nil, err
	}
	opts = append(opts, limits...)
	for _, more := range []func() ([]oci.SpecOpts, error){
		func() ([]oci.SpecOpts, error) { return namespaceOpts(s, in.Shared) },
		func() ([]oci.SpecOpts, error) { return deviceOpts(s) },
		func() ([]oci.SpecOpts, error) { return securityOpts(s, in.ProjectDir) }, // after the capabilities
	} {
		o, err := more()
		if err != nil {
			return nil, err
		}
		opts = append(opts, o...)
	}
	mounts, err := volumeMounts(s, in.Volumes)
	if err != nil {
		return nil, err
	}
	mounts = append(mounts, in.Extra...)
	for _, f := range []string{"hosts", "hostname", "resolv.conf"} {
		mounts = append(mounts, specs.Mount{
			Destination: "/etc/" + f, Type: "bind", Source: filepath.Join(in.Files, f),
			Options: []string{"rbind", "rprivate", "rw"},
		})
	}
	opts = append(opts, oci.WithMounts(mounts))
	return opts, nil
}

// replaceEnv sets the process environment to exactly env (oci.WithEnv merges).
func replaceEnv(env []string) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		if s.Process == nil {
			s.Process = &specs.Process{}
		}
		s.Process.Env = env
		return nil
	}
}

// volumeMounts are the service's bind mounts and named volumes.
func volumeMounts(s types.ServiceConfig, volumes map[string]string) ([]specs.Mount, error) {
	var out []specs.Mount
	for _, v := range s.Volumes {
		opts := []string{"rbind", "rprivate"}
		if v.ReadOnly {
			opts = append(opts, "ro")
		} else {
			opts = append(opts, "rw")
		}
		var src string
		switch v.Type {
		case types.VolumeTypeBind:
			src = v.Source
			if _, err := os.Stat(src); os.IsNotExist(err) {
				if v.Bind == nil || !v.Bind.CreateHostPath {
					return nil, fmt.Errorf("service %q: volumes: bind source %s does not exist", s.Name, src)
				}
				if err := os.MkdirAll(src, 0o755); err != nil {
					return nil, fmt.Errorf("service %q: volumes: %w", s.Name, err)
				}
			}
		case types.VolumeTypeVolume:
			dir, ok := volumes[v.Source]
			if !ok {
				return nil, fmt.Errorf("service %q: volumes: volume %q is not created", s.Name, v.Source)
			}
			src = dir
			if v.Volume != nil && v.Volume.Subpath != "" {
				// As Docker: a directory the volume already holds, never outside it.
				sub, err := securejoin.SecureJoin(dir, v.Volume.Subpath)
				if err == nil {
					_, err = os.Stat(sub)
				}
				if err != nil {
					return nil, fmt.Errorf("service %q: volumes: subpath %s of volume %q: %w", s.Name, v.Volume.Subpath, v.Source, err)
				}
				src = sub
			}
		case types.VolumeTypeTmpfs:
			// Docker's tmpfs mount: its own, rw unless read_only, nosuid, nodev, noexec.
			o := []string{"nosuid", "nodev", "noexec", opts[2]}
			if v.Tmpfs != nil && v.Tmpfs.Size > 0 {
				o = append(o, fmt.Sprintf("size=%d", int64(v.Tmpfs.Size)))
			}
			if v.Tmpfs != nil && v.Tmpfs.Mode != 0 {
				o = append(o, fmt.Sprintf("mode=%o", v.Tmpfs.Mode))
			}
			out = append(out, specs.Mount{Destination: v.Target, Type: "tmpfs", Source: "tmpfs", Options: o})
			continue
		default:
			return nil, fmt.Errorf("service %q: volumes: type %q is not supported yet", s.Name, v.Type)
		}
		out = append(out, specs.Mount{Destination: v.Target, Type: "bind", Source: src, Options: opts})
	}
	return out, nil
}
