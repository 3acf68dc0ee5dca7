package gpu

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// testSpec is a CDI spec of a test vendor kind: two devices, each a node and a
// variable, and a library every device brings.
const testSpec = `cdiVersion: "0.6.0"
kind: berth.test/gpu
devices:
- name: "0"
  containerEdits:
    deviceNodes: [{path: /dev/fakegpu0, type: c, major: 1, minor: 3}]
    env: [FAKEGPU_0=yes]
- name: "1"
  containerEdits:
    deviceNodes: [{path: /dev/fakegpu1, type: c, major: 1, minor: 5}]
    env: [FAKEGPU_1=yes]
containerEdits:
  mounts: [{hostPath: /etc/hostname, containerPath: /usr/lib/libfakegpu.so, options: [ro, bind]}]
`

func testRegistry(t *testing.T) *Registry {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "test.yaml"), []byte(testSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	return NewRegistry(Options{SpecDirs: []string{dir}, HostRoot: t.TempDir()})
}

func TestResolve(t *testing.T) {
	r := testRegistry(t)
	kind := "berth.test/gpu"
	for _, c := range []struct {
		name    string
		service types.ServiceConfig
		want    string
		err     string
	}{
		{"all", svc(func(s *types.ServiceConfig) { s.Gpus = []types.DeviceRequest{{Driver: kind, Count: -1}} }), "berth.test/gpu=0,berth.test/gpu=1", ""},
		{"count", svc(func(s *types.ServiceConfig) { s.Gpus = []types.DeviceRequest{{Driver: kind, Count: 1}} }), "berth.test/gpu=0", ""},
		{"ids", svc(func(s *types.ServiceConfig) { s.Gpus = []types.DeviceRequest{{Driver: kind, IDs: []string{"1"}}} }), "berth.test/gpu=1", ""},
		{"reservation", svc(func(s *types.ServiceConfig) {
			s.Deploy = &types.DeployConfig{Resources: types.Resources{Reservations: &types.Resource{
				Devices: []types.DeviceRequest{{Driver: kind, Count: 2, Capabilities: []string{"gpu"}}}}}}
		}), "berth.test/gpu=0,berth.test/gpu=1", ""},
		{"cdi name", svc(func(s *types.ServiceConfig) {
			s.Devices = []types.DeviceMapping{{Source: "berth.test/gpu=1", Target: "berth.test/gpu=1"}, {Source: "/dev/null"}}
		}), "berth.test/gpu=1", ""},
		{"cdi all", svc(func(s *types.ServiceConfig) { s.Devices = []types.DeviceMapping{{Source: "berth.test/gpu=all"}} }), "berth.test/gpu=0,berth.test/gpu=1", ""},
		{"cdi driver", svc(func(s *types.ServiceConfig) {
			s.Gpus = []types.DeviceRequest{{Driver: "cdi", IDs: []string{"berth.test/gpu=0"}}}
		}), "berth.test/gpu=0", ""},
		{"twice once", svc(func(s *types.ServiceConfig) {
			s.Gpus = []types.DeviceRequest{{Driver: kind, Count: 1}}
			s.Devices = []types.DeviceMapping{{Source: "berth.test/gpu=0"}}
		}), "berth.test/gpu=0", ""},
		{"too many", svc(func(s *types.ServiceConfig) { s.Gpus = []types.DeviceRequest{{Driver: kind, Count: 3}} }), "",
			`field "gpus[0]": 3 asked, the host has 2 berth.test/gpu devices (0, 1)`},
		{"unknown id", svc(func(s *types.ServiceConfig) { s.Gpus = []types.DeviceRequest{{Driver: kind, IDs: []string{"7"}}} }), "",
			`field "gpus[0]": device id "7": the host has 2 berth.test/gpu devices (0, 1)`},
		{"no spec", svc(func(s *types.ServiceConfig) { s.Gpus = []types.DeviceRequest{{Driver: "amd", Count: 1}} }), "",
			`no CDI spec gives amd.com/gpu devices`},
		{"not a gpu", svc(func(s *types.ServiceConfig) {
			s.Deploy = &types.DeployConfig{Resources: types.Resources{Reservations: &types.Resource{
				Devices: []types.DeviceRequest{{Driver: kind, Count: 1, Capabilities: []string{"tpu"}}}}}}
		}), "",
			`field "deploy.resources.reservations.devices[0]": capabilities [tpu]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := r.Resolve(c.service)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != c.want {
				t.Fatalf("got %v, want %s", got, c.want)
			}
		})
	}
}

func TestNoGPUHost(t *testing.T) {
	r := NewRegistry(Options{SpecDirs: []string{t.TempDir()}, HostRoot: t.TempDir()})
	_, err := r.Resolve(svc(func(s *types.ServiceConfig) { s.Gpus = []types.DeviceRequest{{Count: -1}} }))
	if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "the host has no CDI devices") {
		t.Fatalf("err = %v", err)
	}
}

func TestLegacyRuntime(t *testing.T) {
	ids := "0,1"
	for _, c := range []struct {
		env  types.MappingWithEquals
		want []Request
	}{
		{nil, []Request{{Field: "runtime", Kind: DefaultKind, All: true}}},
		{types.MappingWithEquals{"NVIDIA_VISIBLE_DEVICES": &ids}, []Request{{Field: "environment.NVIDIA_VISIBLE_DEVICES", Kind: DefaultKind, IDs: []string{"0", "1"}}}},
	} {
		got, err := Requests(svc(func(s *types.ServiceConfig) { s.Runtime = "nvidia"; s.Environment = c.env }))
		if err != nil || len(got) != 1 || got[0].Field != c.want[0].Field || got[0].All != c.want[0].All || !slices.Equal(got[0].IDs, c.want[0].IDs) {
			t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
		}
	}
}

func TestInject(t *testing.T) {
	r := testRegistry(t)
	spec := &specs.Spec{Process: &specs.Process{}, Linux: &specs.Linux{}}
	if err := r.Inject(spec, []string{"berth.test/gpu=1"}); err != nil {
		t.Fatal(err)
	}
	if len(spec.Linux.Devices) != 1 || spec.Linux.Devices[0].Path != "/dev/fakegpu1" {
		t.Fatalf("devices = %+v", spec.Linux.Devices)
	}
	if !slices.Contains(spec.Process.Env, "FAKEGPU_1=yes") || slices.Contains(spec.Process.Env, "FAKEGPU_0=yes") {
		t.Fatalf("env = %v", spec.Process.Env)
	}
	if len(spec.Mounts) != 1 || spec.Mounts[0].Destination != "/usr/lib/libfakegpu.so" {
		t.Fatalf("mounts = %+v", spec.Mounts)
	}
}

func TestParseFlag(t *testing.T) {
	for in, want := range map[string]types.DeviceRequest{
		"all":                   {Count: -1},
		"2":                     {Count: 2},
		`"device=0,1"`:          {IDs: []string{"0", "1"}},
		"device=GPU-abc":        {IDs: []string{"GPU-abc"}},
		"count=1,driver=amd":    {Count: 1, Driver: "amd"},
		"driver=berth.test/gpu": {Count: -1, Driver: "berth.test/gpu"},
	} {
		got, err := ParseFlag(in)
		if err != nil || got.Count != want.Count || got.Driver != want.Driver || !slices.Equal(got.IDs, want.IDs) {
			t.Errorf("%s: got %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"0", "count=1,device=0", "size=3", `"device=0`} {
		if _, err := ParseFlag(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func svc(set func(*types.ServiceConfig)) types.ServiceConfig {
	var s types.ServiceConfig
	set(&s)
	return s
}
