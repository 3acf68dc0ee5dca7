package containerd

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/containerd/v2/pkg/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"berth.dev/berth/internal/health"
	"berth.dev/berth/network"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func strp(s string) *string { return &s }

func TestProcessArgs(t *testing.T) {
	img := ocispec.ImageConfig{Entrypoint: []string{"/entry"}, Cmd: []string{"serve", "--port", "80"}}
	cases := []struct {
		name       string
		entrypoint types.ShellCommand
		command    types.ShellCommand
		want       []string
	}{
		{"image defaults", nil, nil, []string{"/entry", "serve", "--port", "80"}},
		{"command replaces cmd", nil, types.ShellCommand{"run"}, []string{"/entry", "run"}},
		{"entrypoint drops cmd", types.ShellCommand{"/other"}, nil, []string{"/other"}},
		{"both", types.ShellCommand{"/other"}, types.ShellCommand{"x"}, []string{"/other", "x"}},
		{"empty entrypoint", types.ShellCommand{}, types.ShellCommand{"sh"}, []string{"sh"}},
	}
	for _, c := range cases {
		s := types.ServiceConfig{Name: "s"}
		s.Entrypoint, s.Command = c.entrypoint, c.command
		got, err := processArgs(img, s)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	if _, err := processArgs(ocispec.ImageConfig{}, types.ServiceConfig{Name: "s"}); err == nil {
		t.Error("no command at all was accepted")
	}
}

func TestMergeEnv(t *testing.T) {
	got := mergeEnv([]string{"PATH=/bin", "A=image"}, types.MappingWithEquals{"A": strp("file"), "B": strp("b"), "UNSET": nil})
	want := []string{"PATH=/bin", "A=file", "B=b"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("env %v, want %v", got, want)
	}
}

// goldenSpec is the part of a spec the service decides.
type goldenSpec struct {
	Args       []string
	Env        []string
	Cwd        string
	Terminal   bool
	Hostname   string
	Mounts     []specs.Mount
	Namespaces []specs.LinuxNamespace
}

func TestServiceSpecGolden(t *testing.T) {
	defer func(v bool) { unifiedCgroups = v }(unifiedCgroups)
	unifiedCgroups = false // the golden spec is a cgroup v1 host's
	dir := t.TempDir()
	bindSrc := filepath.Join(dir, "src")
	if err := os.Mkdir(bindSrc, 0o755); err != nil {
		t.Fatal(err)
	}
	s := types.ServiceConfig{Name: "web"}
	s.Command = types.ShellCommand{"python3", "app.py"}
	s.Environment = types.MappingWithEquals{"MODE": strp("prod")}
	s.WorkingDir = "/srv"
	s.Tty = true
	s.Volumes = []types.ServiceVolumeConfig{
		{Type: types.VolumeTypeBind, Source: bindSrc, Target: "/code", ReadOnly: true},
		{Type: types.VolumeTypeVolume, Source: "data", Target: "/data"},
	}
	in := specInput{
		Service:  s,
		Image:    ocispec.ImageConfig{Env: []string{"PATH=/usr/bin"}, Cmd: []string{"sh"}, WorkingDir: "/app"},
		Hostname: "web-host",
		NetNS:    "/run/berth/test/netns/c1",
		Files:    "/var/lib/berth/test/containers/c1",
		Volumes:  map[string]string{"data": "/var/lib/berth/test/volumes/proj_data/_data"},
	}
	opts, err := serviceOpts(in)
	if err != nil {
		t.Fatal(err)
	}
	ctx := namespaces.WithNamespace(context.Background(), "test")
	spec, err := oci.GenerateSpec(ctx, nil, &containers.Container{ID: "c1"}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	g := goldenSpec{Args: spec.Process.Args, Env: spec.Process.Env, Cwd: spec.Process.Cwd, Terminal: spec.Process.Terminal,
		Hostname: spec.Hostname, Namespaces: spec.Linux.Namespaces}
	for _, m := range spec.Mounts {
		if m.Type == "bind" {
			if m.Source == bindSrc {
				m.Source = "BIND_SOURCE"
			}
			g.Mounts = append(g.Mounts, m)
		}
	}
	checkGolden(t, "service-spec.golden.json", g)
}

// checkGolden compares v, as indented JSON, with testdata/name; -update rewrites it.
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, _ := json.MarshalIndent(v, "", "  ")
	got = append(got, '\n')
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("spec differs from %s:\n%s", golden, got)
	}
}

func TestVolumeMountErrors(t *testing.T) {
	missing := types.ServiceVolumeConfig{Type: types.VolumeTypeBind, Source: filepath.Join(t.TempDir(), "nope"), Target: "/x",
		Bind: &types.ServiceVolumeBind{CreateHostPath: false}}
	s := types.ServiceConfig{Name: "s"}
	s.Volumes = []types.ServiceVolumeConfig{missing}
	if _, err := volumeMounts(s, nil); err == nil {
		t.Error("a missing bind source without create_host_path was accepted")
	}
	s.Volumes[0].Bind = &types.ServiceVolumeBind{CreateHostPath: true}
	if _, err := volumeMounts(s, nil); err != nil {
		t.Errorf("create_host_path: %v", err)
	}
	if _, err := os.Stat(missing.Source); err != nil {
		t.Errorf("create_host_path did not create the source: %v", err)
	}
}

func TestPublishedPorts(t *testing.T) {
	s := types.ServiceConfig{Name: "s"}
	s.Ports = []types.ServicePortConfig{
		{Target: 80, Published: "8080", HostIP: "127.0.0.1"},
		{Target: 53, Published: "5353", Protocol: "udp"},
		{Target: 90, Published: "9000-9005"},
	}
	got, err := publishedPorts(s)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	want := `[{"host_ip":"127.0.0.1","host_port":8080,"container_port":80,"protocol":"tcp"},{"host_port":5353,"container_port":53,"protocol":"udp"},{"host_port":9000,"host_port_end":9005,"container_port":90,"protocol":"tcp"}]`
	if string(b) != want {
		t.Errorf("ports %s\nwant %s", b, want)
	}
	s.Ports = []types.ServicePortConfig{{Target: 80}}
	if got, err := publishedPorts(s); err != nil || len(got) != 1 || got[0].HostPort != 0 {
		t.Errorf("a port without a published side: %+v %v, want host port 0 for the network to pick", got, err)
	}
	made := []network.Port{{HostPort: 40123, ContainerPort: 80, Protocol: "tcp"}}
	if got := withHostPorts(s.Ports, made); got[0].Published != "40123" || s.Ports[0].Published != "" {
		t.Errorf("picked port written as %q (service's own: %q)", got[0].Published, s.Ports[0].Published)
	}
}

func TestRestartLabels(t *testing.T) {
	l, err := restartLabels("on-failure:3", "binary:///x")
	if err != nil || l[restartPolicy] != "on-failure:3" || l[restartLogURI] != "binary:///x" {
		t.Errorf("on-failure:3: %v %v", l, err)
	}
	if l, _ := restartLabels("no", "u"); l != nil {
		t.Errorf("no: %v", l)
	}
	if _, err := restartLabels("bogus", "u"); err == nil {
		t.Error("bogus policy accepted")
	}
}

func TestHealthCheckMerge(t *testing.T) {
	img := &dockerHealthcheck{Test: []string{"CMD", "probe"}, Interval: 7 * time.Second, Retries: 5}
	d := func(v time.Duration) *types.Duration { x := types.Duration(v); return &x }
	s := types.ServiceConfig{Name: "s"}

	// The image's own healthcheck, with Docker's defaults for what it leaves out.
	c := healthCheck(s, img)
	if c == nil || c.Test[1] != "probe" || c.Interval != 7*time.Second || c.Retries != 5 || c.Timeout != health.DefaultTimeout {
		t.Errorf("image healthcheck: %+v", c)
	}
	// The file overrides field by field.
	s.HealthCheck = &types.HealthCheckConfig{Interval: d(time.Second)}
	if c := healthCheck(s, img); c == nil || c.Test[1] != "probe" || c.Interval != time.Second || c.Retries != 5 {
		t.Errorf("merged: %+v", c)
	}
	s.HealthCheck = &types.HealthCheckConfig{Test: types.HealthCheckTest{"CMD-SHELL", "true"}}
	if c := healthCheck(s, nil); c == nil || c.Test[0] != "CMD-SHELL" || c.Interval != health.DefaultInterval {
		t.Errorf("file only: %+v", c)
	}
	// disable and NONE turn it off; nothing given is none.
	s.HealthCheck = &types.HealthCheckConfig{Disable: true}
	if c := healthCheck(s, img); c != nil {
		t.Errorf("disable: %+v", c)
	}
	s.HealthCheck = &types.HealthCheckConfig{Test: types.HealthCheckTest{"NONE"}}
	if c := healthCheck(s, img); c != nil {
		t.Errorf("NONE: %+v", c)
	}
	if c := healthCheck(types.ServiceConfig{Name: "s"}, nil); c != nil {
		t.Errorf("none given: %+v", c)
	}
}

// The spec a service's privileges and limits produce, field by field.
func TestLimitsSpecGolden(t *testing.T) {
	s := types.ServiceConfig{Name: "limited"}
	s.MemLimit, s.MemReservation, s.MemSwapLimit = 64<<20, 32<<20, 128<<20
	s.CPUS, s.CPUShares, s.CPUSet, s.PidsLimit = 0.5, 512, "0", 50
	s.CapDrop, s.CapAdd = []string{"ALL"}, []string{"net_bind_service"}
	s.ReadOnly, s.Tmpfs, s.ShmSize = true, types.StringList{"/scratch:size=16m"}, 8<<20
	s.Sysctls = types.Mapping{"net.core.somaxconn": "1024"}
	s.Ulimits = map[string]*types.UlimitsConfig{"nofile": {Soft: 1024, Hard: 2048}, "nproc": {Single: 100}}
	s.OomKillDisable, s.OomScoreAdj = true, 200
	opts, err := limitsOpts(s)
	if err != nil {
		t.Fatal(err)
	}
	ctx := namespaces.WithNamespace(context.Background(), "test")
	spec, err := oci.GenerateSpec(ctx, nil, &containers.Container{ID: "c1"}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var tmpfs []specs.Mount
	shm := ""
	for _, m := range spec.Mounts {
		if m.Destination == "/scratch" {
			tmpfs = append(tmpfs, m)
		}
		if m.Destination == "/dev/shm" {
			shm = strings.Join(m.Options, ",")
		}
	}
	checkGolden(t, "limits-spec.golden.json", map[string]any{
		"resources": spec.Linux.Resources.Memory, "cpu": spec.Linux.Resources.CPU, "pids": spec.Linux.Resources.Pids,
		"capabilities": spec.Process.Capabilities.Bounding, "readonly": spec.Root.Readonly, "tmpfs": tmpfs, "shm": shm,
		"sysctl": spec.Linux.Sysctl, "rlimits": spec.Process.Rlimits, "oom_score_adj": spec.Process.OOMScoreAdj,
	})
}

// The spec security_opt, pid, ipc, cgroup, annotations, devices, device cgroup
// rules, blkio_config and mem_swappiness produce.
func TestSecuritySpecGolden(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "profile.json")
	if err := os.WriteFile(profile, []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	gen := func(s types.ServiceConfig, shared sharedProc) *oci.Spec {
		t.Helper()
		opts, err := serviceOpts(specInput{Service: s, Image: ocispec.ImageConfig{Cmd: []string{"sh"}}, Files: "/f",
			ProjectDir: filepath.Dir(profile), Shared: shared})
		if err != nil {
			t.Fatal(err)
		}
		spec, err := oci.GenerateSpec(namespaces.WithNamespace(context.Background(), "test"), nil, &containers.Container{ID: "c1"}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return spec
	}
	seccompOf := func(sp *oci.Spec) string {
		if sp.Linux.Seccomp == nil {
			return "unconfined"
		}
		return fmt.Sprintf("%s, %d rules", sp.Linux.Seccomp.DefaultAction, len(sp.Linux.Seccomp.Syscalls))
	}
	shmOf := func(sp *oci.Spec) *specs.Mount {
		for _, m := range sp.Mounts {
			if m.Destination == "/dev/shm" {
				return &m
			}
		}
		return nil
	}

	plain := gen(types.ServiceConfig{Name: "plain"}, sharedProc{})
	if plain.Process.NoNewPrivileges {
		t.Error("no_new_privs is set by default; Docker leaves it off")
	}
	if seccompOf(plain) != "SCMP_ACT_ERRNO, "+fmt.Sprint(len(plain.Linux.Seccomp.Syscalls))+" rules" || len(plain.Linux.Seccomp.Syscalls) < 10 {
		t.Errorf("default seccomp profile: %s", seccompOf(plain))
	}

	s := types.ServiceConfig{Name: "secure"}
	s.SecurityOpt = []string{"no-new-privileges:true", "seccomp=profile.json"}
	s.Annotations = types.Mapping{"org.example.role": "db"}
	s.Pid, s.Ipc, s.Cgroup = "service:other", "container:other", "private"
	s.Devices = []types.DeviceMapping{{Source: "/dev/null", Target: "/dev/mynull", Permissions: "rw"}}
	s.DeviceCgroupRules = []string{"c 1:3 mr", "b 7:* rwm"}
	s.BlkioConfig = &types.BlkioConfig{Weight: 300, WeightDevice: []types.WeightDevice{{Path: "/dev/null", Weight: 200}},
		DeviceReadBps: []types.ThrottleDevice{{Path: "/dev/null", Rate: 1 << 20}}, DeviceWriteIOps: []types.ThrottleDevice{{Path: "/dev/null", Rate: 100}}}
	s.MemSwappiness = 10
	secure := gen(s, sharedProc{PID: "/proc/42", IPC: "/proc/43", Shm: "/var/lib/berth/test/containers/c0/shm"})
	var devs []specs.LinuxDevice
	for _, d := range secure.Linux.Devices {
		if d.Path == "/dev/mynull" {
			devs = append(devs, d)
		}
	}
	checkGolden(t, "security-spec.golden.json", map[string]any{
		"no_new_privileges": secure.Process.NoNewPrivileges, "seccomp": secure.Linux.Seccomp,
		"annotations": secure.Annotations, "namespaces": secure.Linux.Namespaces, "shm": shmOf(secure),
		"devices": devs, "device_cgroup": secure.Linux.Resources.Devices, "blockIO": secure.Linux.Resources.BlockIO,
		"swappiness": secure.Linux.Resources.Memory.Swappiness,
	})

	svc := func(name string, set func(*types.ServiceConfig)) types.ServiceConfig {
		s := types.ServiceConfig{Name: name}
		set(&s)
		return s
	}
	for _, c := range []struct {
		s    types.ServiceConfig
		want string
	}{
		{svc("u", func(s *types.ServiceConfig) { s.SecurityOpt = []string{"seccomp=unconfined"} }), "unconfined"},
		{svc("p", func(s *types.ServiceConfig) { s.Privileged = true }), "unconfined"},
	} {
		if got := seccompOf(gen(c.s, sharedProc{})); got != c.want {
			t.Errorf("%s: seccomp %s, want %s", c.s.Name, got, c.want)
		}
	}
	host := gen(svc("h", func(s *types.ServiceConfig) { s.Pid, s.Ipc = "host", "host" }), sharedProc{})
	for _, ns := range host.Linux.Namespaces {
		if ns.Type == specs.PIDNamespace || ns.Type == specs.IPCNamespace {
			t.Errorf("pid/ipc host: the spec still has a %s namespace", ns.Type)
		}
	}
	if m := shmOf(host); m == nil || m.Source != "/dev/shm" {
		t.Errorf("ipc host: /dev/shm %+v, want the host's", m)
	}
	if m := shmOf(gen(svc("n", func(s *types.ServiceConfig) { s.Ipc = "none" }), sharedProc{})); m != nil {
		t.Errorf("ipc none: /dev/shm %+v", m)
	}
	for _, bad := range []types.ServiceConfig{
		svc("b1", func(s *types.ServiceConfig) { s.SecurityOpt = []string{"apparmor=docker-default"} }),
		svc("b2", func(s *types.ServiceConfig) { s.Devices = []types.DeviceMapping{{Source: "/dev/nope"}} }),
		svc("b3", func(s *types.ServiceConfig) { s.DeviceCgroupRules = []string{"x 1:3 rwm"} }),
		svc("b4", func(s *types.ServiceConfig) { s.Pid = "service:other" }), // no task to share found
	} {
		if _, err := serviceOpts(specInput{Service: bad, Image: ocispec.ImageConfig{Cmd: []string{"sh"}}}); err == nil {
			t.Errorf("%s was accepted", bad.Name)
		}
	}
}

// A tmpfs entry of volumes is a tmpfs of its own; a subpath mounts a directory the
// volume holds and nothing outside it.
func TestTmpfsAndSubpathMounts(t *testing.T) {
	data := t.TempDir()
	if err := os.Mkdir(filepath.Join(data, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := types.ServiceConfig{Name: "s"}
	s.Volumes = []types.ServiceVolumeConfig{
		{Type: types.VolumeTypeTmpfs, Target: "/fast", ReadOnly: true, Tmpfs: &types.ServiceVolumeTmpfs{Size: 2 << 20, Mode: 0o700}},
		{Type: types.VolumeTypeVolume, Source: "v", Target: "/part", Volume: &types.ServiceVolumeVolume{Subpath: "sub"}},
	}
	got, err := volumeMounts(s, map[string]string{"v": data})
	if err != nil {
		t.Fatal(err)
	}
	want := []specs.Mount{
		{Destination: "/fast", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev", "noexec", "ro", "size=2097152", "mode=700"}},
		{Destination: "/part", Type: "bind", Source: filepath.Join(data, "sub"), Options: []string{"rbind", "rprivate", "rw"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mounts %+v\nwant %+v", got, want)
	}
	s.Volumes[1].Volume.Subpath = "missing"
	if _, err := volumeMounts(s, map[string]string{"v": data}); err == nil {
		t.Error("a subpath the volume does not hold was accepted")
	}
	s.Volumes[1].Volume.Subpath = "../.."
	if m, err := volumeMounts(s, map[string]string{"v": data}); err == nil && !strings.HasPrefix(m[1].Source, data) {
		t.Errorf("subpath ../.. leaves the volume: %s", m[1].Source)
	}
}

func TestEngineEnv(t *testing.T) {
	img := []string{"PATH=/image/bin"}
	cases := []struct {
		name  string
		image []string
		env   types.MappingWithEquals
		tty   bool
		want  []string
	}{
		{"defaults", nil, nil, false, []string{"PATH=" + defaultPath, "HOSTNAME=h1"}},
		{"image path, tty", img, nil, true, []string{"PATH=/image/bin", "HOSTNAME=h1", "TERM=xterm"}},
		{"service overrides", nil, types.MappingWithEquals{"HOSTNAME": strp("mine"), "TERM": strp("screen")}, true,
			[]string{"PATH=" + defaultPath, "HOSTNAME=mine", "TERM=screen"}},
	}
	for _, c := range cases {
		got := mergeEnv(append(engineEnv("h1", c.tty), c.image...), c.env)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if got := withTerm([]string{"TERM=vt100"}); !reflect.DeepEqual(got, []string{"TERM=vt100"}) {
		t.Errorf("withTerm replaced the process's own TERM: %v", got)
	}
	if got := withTerm([]string{"A=1"}); !reflect.DeepEqual(got, []string{"A=1", "TERM=xterm"}) {
		t.Errorf("withTerm: %v", got)
	}
}

// A container's default hostname, the first 12 digits of its ID, is never all
// decimal: resolvers would read it as a number.
func TestNewIDNeverANumberAsHostname(t *testing.T) {
	for i := 0; i < 20000; i++ {
		if id := newID(); strings.Trim(id[:12], "0123456789") == "" || len(id) != 64 {
			t.Fatalf("newID() = %q", id)
		}
	}
}
