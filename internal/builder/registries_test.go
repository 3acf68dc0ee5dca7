package builder

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRegistriesConf(t *testing.T) {
	got, err := registriesConf([]Registry{
		{Host: "registry.berth.test", Endpoints: []Endpoint{
			{Host: "127.0.0.1:5050", Insecure: true},
			{Host: "pinned.berth.test", DigestOnly: true},
			{Host: "registry.berth.test"},
		}},
		{Host: "127.0.0.1:5051", Endpoints: []Endpoint{{Host: "127.0.0.1:5051", Insecure: true}}},
		{Host: "blocked.berth.test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `unqualified-search-registries = ['docker.io']

[[registry]]
prefix = 'registry.berth.test'
location = 'registry.berth.test'
insecure = false

[[registry.mirror]]
location = '127.0.0.1:5050'
insecure = true

[[registry.mirror]]
location = 'pinned.berth.test'
insecure = false
pull-from-mirror = 'digest-only'

[[registry]]
prefix = '127.0.0.1:5051'
location = '127.0.0.1:5051'
insecure = true

[[registry]]
prefix = 'blocked.berth.test'
insecure = false
blocked = true
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRegistriesConfRefusesADigestOnlyLocation(t *testing.T) {
	_, err := registriesConf([]Registry{{Host: "r.test", Endpoints: []Endpoint{{Host: "r.test", DigestOnly: true}}}})
	if err == nil || !strings.Contains(err.Error(), "registry r.test") || !strings.Contains(err.Error(), "resolve") {
		t.Errorf("a location that resolves no tags: %v", err)
	}
}

func TestWriteRegistriesConf(t *testing.T) {
	var asked []string
	lookup := func(host string) (Registry, error) {
		asked = append(asked, host)
		if host == "bad.test" {
			return Registry{}, errors.New("bad.test: header")
		}
		return Registry{Host: host, Endpoints: []Endpoint{{Host: host}}}, nil
	}
	path, remove, err := writeRegistriesConf(lookup, []string{"b.test", "a.test", "b.test"})
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(asked, " ") != "a.test b.test" || !strings.Contains(string(text), "prefix = 'a.test'") {
		t.Errorf("asked %q, wrote\n%s", asked, text)
	}
	remove()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s left behind: %v", path, err)
	}
	if _, _, err := writeRegistriesConf(lookup, []string{"bad.test"}); err == nil || !strings.Contains(err.Error(), "header") {
		t.Errorf("a registry the lookup refuses: %v", err)
	}
}

func TestRegistriesConfWantsBuildahsOwnCertificates(t *testing.T) {
	dir := t.TempDir()
	old := certDirs
	certDirs = []string{filepath.Join(dir, "containers"), filepath.Join(dir, "docker")}
	t.Cleanup(func() { certDirs = old })
	regs := []Registry{{Host: "r.test", Endpoints: []Endpoint{{Host: "m.test:5000", Certs: []string{"ca", "client"}}, {Host: "r.test"}}}}
	_, err := registriesConf(regs)
	if err == nil || !strings.Contains(err.Error(), "registry r.test: host m.test:5000: ca, client:") || !strings.Contains(err.Error(), certDirs[0]+"/m.test:5000/") {
		t.Errorf("no certs.d directory for the host: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(certDirs[1], "m.test:5000"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := registriesConf(regs); err != nil {
		t.Errorf("with the host's directory under %s: %v", certDirs[1], err)
	}
}
