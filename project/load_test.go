package project

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeProject(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadWebRedis(t *testing.T) {
	dir := writeProject(t, `
services:
  web:
    image: example/web
    ports: ["8000:8000", "127.0.0.1:9000-9001:9000-9001/udp"]
    depends_on: [redis]
    environment: [A=1]
    volumes: ["./data:/data", "cache:/cache:ro"]
    restart: always
    deploy: {replicas: 2}
    networks:
      default:
        aliases: [www]
  redis:
    image: example/redis
volumes:
  cache: {}
`)
	p, err := Load(context.Background(), Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != strings.ToLower(filepath.Base(dir)) {
		t.Errorf("project name %q, want the directory's", p.Name)
	}
	g, err := NewGraph(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(g.Order(), ","); got != "redis,web" {
		t.Errorf("order %s", got)
	}
	if n := Replicas(p.Services["web"]); n != 2 {
		t.Errorf("replicas %d", n)
	}
	if got := ContainerName(p, p.Services["web"], 2); got != p.Name+"-web-2" {
		t.Errorf("container name %s", got)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"bad yaml":                {"services: [\n", "compose.yaml"},
		"unknown dep":             {"services:\n  a: {image: x, depends_on: [nope]}\n", `"nope"`},
		"cycle":                   {"services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [c]}\n  c: {image: x, depends_on: [a]}\n", "a -> b -> c -> a"},
		"unsupported":             {"services:\n  a: {image: x, storage_opt: {size: 1G}}\n", `service "a": field "storage_opt" is not supported yet`},
		"deploy part":             {"services:\n  a: {image: x, deploy: {resources: {reservations: {generic_resources: [{discrete_resource_spec: {kind: ssd, value: 1}}]}}}}\n", `"deploy.resources.reservations.generic_resources"`},
		"network part":            {"services:\n  a: {image: x, networks: {default: {driver_opts: {x: y}}}}\n", `"networks.default.driver_opts"`},
		"bad mac":                 {"services:\n  a: {image: x, networks: {default: {mac_address: 02:42:ac:11}}}\n", `"networks.default.mac_address": "02:42:ac:11" is not a MAC address`},
		"bad link":                {"services:\n  a: {image: x, external_links: [\"b:c:d\"]}\n", `"external_links": "b:c:d"`},
		"ip_range outside":        {"services:\n  a: {image: x}\nnetworks:\n  n: {ipam: {config: [{subnet: 10.1.0.0/24, ip_range: 10.2.0.0/25}]}}\n", `ip_range "10.2.0.0/25" is not a CIDR inside subnet 10.1.0.0/24`},
		"aux outside":             {"services:\n  a: {image: x}\nnetworks:\n  n: {ipam: {config: [{subnet: 10.1.0.0/24, aux_addresses: {r: 10.3.0.1}}]}}\n", `"ipam.config.aux_addresses.r": "10.3.0.1"`},
		"v6 without enable":       {"services:\n  a: {image: x}\nnetworks:\n  n: {ipam: {config: [{subnet: \"fd00::/64\"}]}}\n", `needs enable_ipv6: true`},
		"bad restart":             {"services:\n  a: {image: x, restart: sometimes}\n", `restart`},
		"network driver":          {"services:\n  a: {image: x}\nnetworks:\n  n: {driver: overlay}\n", `network "n"`},
		"network field":           {"services:\n  a: {image: x}\nnetworks:\n  n: {driver_opts: {mtu: '1400'}}\n", `network "n": field "driver_opts.mtu" is not supported`},
		"volume field":            {"services:\n  a: {image: x}\nvolumes:\n  v: {driver_opts: {size: 1m}}\n", `volume "v": field "driver_opts.size" is not supported`},
		"volume no type":          {"services:\n  a: {image: x}\nvolumes:\n  v: {driver_opts: {o: bind}}\n", `volume "v": field "driver_opts": type is missing`},
		"external secret":         {"services:\n  a: {image: x}\nsecrets:\n  s: {external: true}\n", `secret "s": field "external"`},
		"build cache_to":          {"services:\n  a: {build: {context: ., cache_to: [type=gha]}}\n", `service "a": field "build.cache_to": "type=gha": type gha is not supported: use registry, local or inline`},
		"build cache_from inline": {"services:\n  a: {build: {context: ., cache_from: [type=inline]}}\n", `service "a": field "build.cache_from": "type=inline": type inline is written with the image`},
		"build cache_to local":    {"services:\n  a: {build: {context: ., cache_to: [\"type=local,src=/c\"]}}\n", `service "a": field "build.cache_to": "type=local,src=/c": type local needs dest=`},
		"build platform":          {"services:\n  a: {build: {context: ., platforms: [linux/s390x]}}\n", `service "a": field "build.platforms": "linux/s390x"`},
		"build network":           {"services:\n  a: {build: {context: ., network: mynet}}\n", `field "build.network": "mynet" is not supported`},
		"build secret":            {"services:\n  a: {build: {context: ., secrets: [s]}}\nsecrets:\n  s: {external: true}\n", `field "build.secrets": secret "s": only file and environment`},
		"build context":           {"services:\n  a: {build: {context: ., additional_contexts: {b: \"oci-layout://x\"}}}\n", `field "build.additional_contexts.b": "oci-layout://x"`},
		"build context cycle":     {"services:\n  a: {build: {context: ., additional_contexts: {b: \"service:b\"}}}\n  b: {build: {context: ., additional_contexts: {c: \"service:c\"}}}\n  c: {build: {context: ., additional_contexts: {a: \"service:a\"}}}\n", `service "a": field "build.additional_contexts": service: contexts make a cycle: a -> b -> c -> a`},
		"build context self":      {"services:\n  a: {build: {context: ., additional_contexts: {me: \"service:a\"}}}\n", `service: contexts make a cycle: a -> a`},
		"pull policy":             {"services:\n  a: {image: x, pull_policy: build}\n", `field "pull_policy": build needs a build: section`},
		"platform":                {"services:\n  a: {image: x, platform: linux/s390x}\n", `service "a": field "platform": "linux/s390x": this host runs linux/`},
		"pid mode":                {"services:\n  a: {image: x, pid: other}\n", `service "a": field "pid": "other" is not supported`},
		"runtime":                 {"services:\n  a: {image: x, runtime: kata}\n", `service "a": field "runtime": "kata": no OCI runtime binary kata on PATH`},
		"gpu count and ids":       {"services:\n  a: {image: x, gpus: [{count: 1, device_ids: [\"0\"]}]}\n", `"count" and "device_ids" attributes are exclusive`},
		"device limits":           {"services:\n  a: {image: x, deploy: {resources: {limits: {devices: [{capabilities: [gpu]}]}}}}\n", `limits additional properties 'devices' not allowed`},
		"security_opt":            {"services:\n  a: {image: x, security_opt: [\"mask=/x\"]}\n", `service "a": field "security_opt": "mask=/x"`},
		"volume path name":        {"services:\n  a: {image: x}\nvolumes:\n  v: {name: ../..}\n", `volume "v": invalid volume name "../.."`},
		"network path name":       {"services:\n  a: {image: x}\nnetworks:\n  n: {name: a/b, external: true}\n", `network "n": invalid network name "a/b"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := writeProject(t, c.yaml)
			_, err := Load(context.Background(), Options{WorkingDir: dir})
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("not ErrInvalid: %v", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not name %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestServiceHashIgnoresReplicas(t *testing.T) {
	dir := writeProject(t, "services:\n  a: {image: x, environment: [A=1]}\n")
	p, err := Load(context.Background(), Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	s := p.Services["a"]
	h1, _ := ServiceHash(s)
	n := 3
	s.Scale = &n
	h2, _ := ServiceHash(s)
	if h1 != h2 {
		t.Error("replicas changed the hash")
	}
	s.Environment["A"] = &[]string{"2"}[0]
	h3, _ := ServiceHash(s)
	if h3 == h1 {
		t.Error("environment did not change the hash")
	}
	if ConfigHash(h1, "sha256:1") == ConfigHash(h1, "sha256:2") {
		t.Error("image digest did not change the config hash")
	}
}

func TestBuiltImageNames(t *testing.T) {
	dir := writeProject(t, "services:\n  web: {build: .}\n  named: {build: ., image: example/named}\n  pulled: {image: example/pulled}\n")
	p, err := Load(context.Background(), Options{WorkingDir: dir, Name: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"web": "demo-web", "named": "example/named", "pulled": "example/pulled"} {
		if got := p.Services[name].Image; got != want {
			t.Errorf("service %s runs image %q, want %q", name, got, want)
		}
	}
	if !BuildsOwnImage(p, p.Services["web"]) || BuildsOwnImage(p, p.Services["named"]) || BuildsOwnImage(p, p.Services["pulled"]) {
		t.Error("BuildsOwnImage: only web builds an image it cannot pull")
	}
}

func TestDeployRestartPolicy(t *testing.T) {
	for yaml, want := range map[string]string{
		"{condition: on-failure, max_attempts: 3}": "on-failure:3",
		"{condition: none}":                        "no",
		"{condition: any}":                         "always",
		"{max_attempts: 2}":                        "always",
	} {
		dir := t.TempDir()
		file := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(file, []byte("services:\n  a: {image: x, deploy: {restart_policy: "+yaml+"}}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Load(context.Background(), Options{Files: []string{file}, WorkingDir: dir})
		if err != nil {
			t.Fatalf("%s: %v", yaml, err)
		}
		if got := p.Services["a"].Restart; got != want {
			t.Errorf("restart_policy %s: restart %q, want %q", yaml, got, want)
		}
	}
}

// The swarm-only keys docker compose accepts and ignores on one engine load, each
// with one warning naming it; several refused fields are refused all at once.
func TestIgnoredAndRefusedFields(t *testing.T) {
	dir := writeProject(t, `services:
  a:
    image: x
    deploy:
      mode: replicated
      replicas: 2
      labels: {tier: web}
      placement: {constraints: [node.role == manager]}
      update_config: {parallelism: 1}
      rollback_config: {parallelism: 1}
      endpoint_mode: vip
      restart_policy: {condition: on-failure, delay: 5s, window: 10s}
      resources: {reservations: {cpus: '0.5', memory: 10M}}
`)
	var warned []string
	if _, err := Load(context.Background(), Options{WorkingDir: dir, Warn: func(l string) { warned = append(warned, l) }}); err != nil {
		t.Fatal(err)
	}
	keys := []string{"deploy.endpoint_mode", "deploy.labels", "deploy.mode", "deploy.placement", "deploy.resources.reservations.cpus",
		"deploy.restart_policy.delay", "deploy.restart_policy.window", "deploy.rollback_config", "deploy.update_config"}
	if len(warned) != len(keys) {
		t.Errorf("%d warnings, want one for each of %v:\n%s", len(warned), keys, strings.Join(warned, "\n"))
	}
	for _, k := range keys {
		n := 0
		for _, l := range warned {
			if strings.Contains(l, `field "`+k+`" is ignored`) && strings.Contains(l, `service "a"`) && strings.Contains(l, "compose.yaml") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d warnings name %s, want 1:\n%s", n, k, strings.Join(warned, "\n"))
		}
	}

	dir = writeProject(t, "services:\n  a: {image: x, storage_opt: {size: 1G}, deploy: {resources: {reservations: {generic_resources: [{discrete_resource_spec: {kind: ssd, value: 1}}]}}}}\n  b: {image: x, uts: host}\nnetworks:\n  n: {driver: overlay}\n")
	_, err := Load(context.Background(), Options{WorkingDir: dir})
	for _, want := range []string{`service "a": field "storage_opt"`, `service "a": field "deploy.resources.reservations.generic_resources"`, `service "b": field "uts"`, `network "n"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
}

// network_mode: bridge is the project's default network, where docker compose's
// engine would put the container on its own bridge network.
func TestBridgeNetworkMode(t *testing.T) {
	dir := writeProject(t, "name: br\nservices:\n  a: {image: x, network_mode: bridge}\n")
	p, err := Load(context.Background(), Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	s := p.Services["a"]
	if _, ok := s.Networks["default"]; s.NetworkMode != "" || !ok || len(s.Networks) != 1 {
		t.Errorf("network_mode %q, networks %v: want the default network only", s.NetworkMode, s.Networks)
	}
	if got := NetworkName(p, "default"); got != "br_default" {
		t.Errorf("the default network is %q, want br_default", got)
	}
}

func TestRemoteBuildContexts(t *testing.T) {
	dir := writeProject(t, `services:
  base: {build: .}
  app:
    build:
      context: https://127.0.0.1:1/repo.git#main:app
      additional_contexts:
        base: service:base
        src: git@example.com:org/repo.git
        web: https://example.com/archive.tar.gz
        img: docker-image://busybox
`)
	p, err := Load(context.Background(), Options{WorkingDir: dir, Name: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	if got := BuildDependencies(p.Services["app"]); !slices.Equal(got, []string{"base"}) {
		t.Errorf("app's build dependencies: %v, want [base]", got)
	}
	if got := p.Services["app"].Build.Context; got != "https://127.0.0.1:1/repo.git#main:app" {
		t.Errorf("the Git context became %q", got)
	}
}
