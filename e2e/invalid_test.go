package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An invalid file stops up before anything is made, with one line that names what
// is wrong.
func TestInvalidFiles(t *testing.T) {
	cases := map[string][]string{
		"bad-yaml":                  {"compose.yaml"},
		"unknown-dependency":        {`"web"`, `"database"`},
		"cycle":                     {"a -> b -> c -> a"},
		"unsupported-field":         {"compose.yaml", `service "web"`, `"storage_opt"`, "not supported"},
		"bad-restart":               {`service "web"`, "restart", "sometimes"},
		"bridge-name-too-long":      {`network "front"`, "com.docker.network.bridge.name", "a-name-far-too-long", "15"},
		"unknown-driver-opt":        {`network "front"`, "com.docker.network.bridge.enable_icc", "not supported"},
		"bridge-name-twice":         {`network "front"`, `"back"`, "e2e-twice"},
		"unsupported-security-opt":  {`service "web"`, "security_opt", "apparmor=docker-default", "not supported"},
		"unsupported-deploy-field":  {`service "web"`, "deploy.resources.reservations.generic_resources", "not supported"},
		"all-refused-at-once":       {`service "web": field "storage_opt"`, `service "web": field "uts"`, `service "db": field "volumes[0].bind.propagation"`},
		"unsupported-volume-option": {`service "web"`, `"volumes[0].bind.propagation"`, "not supported"},
	}
	for name, wants := range cases {
		t.Run(name, func(t *testing.T) {
			before := takeInventory(t)
			s := &scenario{t: t, dir: mustAbs(t, filepath.Join("testdata", "TestInvalidFiles", name)), project: "e2e-invalid-" + name,
				env: []string{"CONTAINERD_NAMESPACE=" + namespace, "BERTH_DNS_UPSTREAMS=none"}}
			r := s.berth("up", "-d")
			if r.code == 0 {
				t.Fatalf("up of an invalid file succeeded: %s", r.stderr)
			}
			msg := strings.TrimSpace(r.stderr)
			if strings.Count(msg, "\n") != 0 {
				t.Errorf("the error is not one line:\n%s", msg)
			}
			for _, w := range wants {
				if !strings.Contains(msg, w) {
					t.Errorf("the error %q does not name %s", msg, w)
				}
			}
			if diff := before.diff(takeInventory(t)); diff != "" {
				t.Errorf("an invalid up made something:\n%s", diff)
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(a); err != nil {
		t.Fatal(err)
	}
	return a
}

// config prints a file that up refuses: it shows the model, it does not run it.
func TestConfigOfUnsupportedFile(t *testing.T) {
	s := &scenario{t: t, dir: mustAbs(t, filepath.Join("testdata", "TestInvalidFiles", "unsupported-field")), project: "e2e-config",
		env: []string{"CONTAINERD_NAMESPACE=" + namespace}}
	if out := s.must("config", "--services"); out != "ok\nweb\n" {
		t.Errorf("config --services: %q", out)
	}
	if r := s.berth("config", "-q"); r.code != 0 {
		t.Errorf("config -q: %d %s", r.code, r.stderr)
	}
	if r := s.berth("-f", "nope.yaml", "config"); r.code == 0 || !strings.Contains(r.stderr, "nope.yaml") {
		t.Errorf("config of a missing file: %d %q", r.code, r.stderr)
	}
}

// The verbs that make nothing work on a file berth refuses to run, as docker
// compose's do, so a user can always look and clean up.
func TestCleanUpUnsupportedFile(t *testing.T) {
	s := &scenario{t: t, dir: mustAbs(t, filepath.Join("testdata", "TestInvalidFiles", "unsupported-field")), project: "e2e-cleanup",
		env: []string{"CONTAINERD_NAMESPACE=" + namespace, "BERTH_DNS_UPSTREAMS=none"}}
	if r := s.berth("up", "-d"); r.code == 0 {
		t.Fatalf("up of a refused file succeeded")
	}
	for _, verb := range [][]string{{"ps"}, {"logs"}, {"stop"}, {"rm", "-f"}, {"down"}, {"config", "-q"}} {
		if r := s.berth(verb...); r.code != 0 {
			t.Errorf("berth %s on a refused file: exit %d: %s", verb[0], r.code, r.stderr)
		}
	}
}
