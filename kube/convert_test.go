package kube

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

var update = flag.Bool("update", false, "rewrite the golden manifests in testdata")

// goldenStacks are the stacks of testdata (one per mapping rule) and the examples,
// with the options each is converted with.
var goldenStacks = map[string]struct {
	dir string
	o   Options
}{
	"workloads":   {"testdata/workloads", Options{}},
	"healthcheck": {"testdata/healthcheck", Options{Liveness: true}},
	"files":       {"testdata/files", Options{}},
	"storage":     {"testdata/storage", Options{VolumeSize: "2Gi"}},
	"security":    {"testdata/security", Options{}},
	"networks":    {"testdata/networks", Options{}},
	"build":       {"testdata/build", Options{Registry: "registry.example.test/team"}},
	"expose":      {"testdata/expose", Options{Expose: ExposeNodePort}},
	"envfile":     {"testdata/envfile", Options{}},
	"ingress":     {"testdata/ingress", Options{Expose: ExposeIngress}},
	"shm-size":    {"testdata/shm-size", Options{}},
	"subpath":     {"testdata/subpath", Options{}},
	"bindtree":    {"testdata/bindtree", Options{}},
	"external":    {"testdata/external", Options{}},
	"dns":         {"testdata/dns", Options{}},
	"stop":        {"testdata/stop", Options{}},
	"gpus":        {"testdata/gpus", Options{}},
	"web-redis":   {"../examples/web-redis", Options{Registry: "registry.example.test/berth"}},
}

func load(t testing.TB, dir string) *types.Project {
	t.Helper()
	p, err := project.Load(context.Background(), project.Options{
		Files: []string{filepath.Join(dir, "compose.yaml")}, WorkingDir: dir, SkipSupportCheck: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// manifests is the golden form of a conversion: warnings as comments, then the stream.
func manifests(t *testing.T, dir string, o Options) []byte {
	t.Helper()
	res, err := Convert(load(t, dir), o)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, w := range res.Warnings {
		b.WriteString("# warning: " + w + "\n")
	}
	y, err := YAML(res.Objects)
	if err != nil {
		t.Fatal(err)
	}
	b.Write(y)
	return []byte(b.String())
}

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name+".yaml") }

func TestConvertGolden(t *testing.T) {
	for name, st := range goldenStacks {
		t.Run(name, func(t *testing.T) {
			got := manifests(t, st.dir, st.o)
			if again := manifests(t, st.dir, st.o); string(again) != string(got) {
				t.Fatal("two conversions of the same file differ")
			}
			path := goldenPath(name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./kube -update)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s is stale or the mapping changed; got:\n%s", path, got)
			}
		})
	}
}

// Every field the mapping cannot honour stops convert with its service and field named.
func TestConvertRefuses(t *testing.T) {
	for _, c := range []struct{ name, file, want string }{
		{"build without image", "services:\n  app:\n    build: .\n", `service "app": field "build"`},
		{"container_name", "services:\n  app:\n    image: x\n    container_name: fixed\n", `service "app": field "container_name"`},
		{"name not a DNS label", "services:\n  my_app:\n    image: x\n", `service "my_app": field "name"`},
		{"writable bind", "services:\n  app:\n    image: x\n    volumes: [\"./:/src\"]\n", `service "app": field "volumes": bind mount`},
		{"unsafe sysctl", "services:\n  app:\n    image: x\n    sysctls: {net.core.somaxconn: \"1024\"}\n", `field "sysctls": net.core.somaxconn`},
		{"user by name", "services:\n  app:\n    image: x\n    user: nobody\n", `service "app": field "user"`},
		{"network_mode", "services:\n  app:\n    image: x\n    network_mode: host\n", `service "app": field "network_mode"`},
		{"pids limit", "services:\n  app:\n    image: x\n    deploy: {resources: {limits: {pids: 10}}}\n", `field "deploy.resources.limits.pids"`},
		{"swarm placement", "services:\n  app:\n    image: x\n    deploy: {placement: {constraints: [\"node.role==manager\"]}}\n", `field "deploy.placement"`},
		{"ipam", "services:\n  app:\n    image: x\n    networks: [n]\nnetworks:\n  n:\n    ipam: {config: [{subnet: 10.9.0.0/24}]}\n", `network "n": field "ipam"`},
		{"replicas sharing a volume", "services:\n  a:\n    image: x\n    scale: 2\n    volumes: [\"vol:/v\"]\n  b:\n    image: x\n    volumes: [\"vol:/v\"]\nvolumes:\n  vol:\n", `volume "vol"`},
		{"dns servers", "services:\n  app:\n    image: x\n    dns: [10.0.0.2]\n", `service "app": field "dns"`},
		{"stop signal", "services:\n  app:\n    image: x\n    stop_signal: SIGQUIT\n", `service "app": field "stop_signal": SIGQUIT`},
		{"external volume name", "services:\n  app:\n    image: x\n    volumes: [\"v:/v\"]\nvolumes:\n  v:\n    external: true\n    name: Team_Data\n", `volume "v": field "external": "Team_Data"`},
		{"external secret name", "services:\n  app:\n    image: x\n    secrets: [s]\nsecrets:\n  s:\n    external: true\n    name: My_Token\n", `secret "s": field "external": "My_Token"`},
		{"gpu device ids", "services:\n  app:\n    image: x\n    gpus: [{driver: nvidia, device_ids: [\"0\"]}]\n", `service "app": field "gpus[0].device_ids"`},
		{"reserved gpu device ids", "services:\n  app:\n    image: x\n    deploy: {resources: {reservations: {devices: [{capabilities: [gpu], device_ids: [\"1\"]}]}}}\n", `field "deploy.resources.reservations.devices[0].device_ids"`},
		{"all gpus", "services:\n  app:\n    image: x\n    gpus: all\n", `field "gpus[0].count": all`},
		{"bad expose", "services:\n  app:\n    image: x\n    expose: [\"http\"]\n", `field "expose"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(c.file), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := project.Load(context.Background(), project.Options{Files: []string{filepath.Join(dir, "compose.yaml")}, WorkingDir: dir, SkipSupportCheck: true})
			if err != nil {
				if strings.Contains(err.Error(), c.want) {
					return
				}
				t.Fatal(err)
			}
			_, err = Convert(p, Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, project.ErrInvalid) {
				t.Fatalf("want an invalid-input error containing %q, got %v", c.want, err)
			}
			if !strings.Contains(err.Error(), "compose.yaml") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

// --expose ingress needs the host the file names; it never invents one.
func TestIngressNeedsHost(t *testing.T) {
	p := load(t, "testdata/ingress")
	s := p.Services["web"]
	delete(s.Extensions, hostExtension)
	p.Services["web"] = s
	_, err := Convert(p, Options{Expose: ExposeIngress})
	if err == nil || !strings.Contains(err.Error(), `service "web": field "ports": --expose ingress needs the host`) {
		t.Fatalf("want the missing host refused, got %v", err)
	}
}
