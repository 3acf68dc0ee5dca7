package builder

import (
	"errors"
	"slices"
	"testing"
)

func TestHostsDirUnfollowed(t *testing.T) {
	regs := map[string]Registry{
		"127.0.0.1:5050":   {Host: "127.0.0.1:5050", Endpoints: []Endpoint{{Host: "127.0.0.1:5050", Insecure: true}}},
		"docker.io":        {Host: "docker.io", Endpoints: []Endpoint{{Host: "docker.io"}}},
		"mirrored.test":    {Host: "mirrored.test", Endpoints: []Endpoint{{Host: "127.0.0.1:5050", Insecure: true}, {Host: "mirrored.test"}}},
		"plain.test":       {Host: "plain.test", Endpoints: []Endpoint{{Host: "plain.test", Insecure: true}}},
		"ca.test":          {Host: "ca.test", Endpoints: []Endpoint{{Host: "ca.test", Certs: []string{"ca"}}}},
		"blocked.test":     {Host: "blocked.test"},
		"localhost:5000":   {Host: "localhost:5000", Endpoints: []Endpoint{{Host: "localhost:5000", Insecure: true}}},
		"digest-only.test": {Host: "digest-only.test", Endpoints: []Endpoint{{Host: "digest-only.test", DigestOnly: true}}},
	}
	lookup := func(h string) (Registry, error) {
		if r, ok := regs[h]; ok {
			return r, nil
		}
		return Registry{}, errors.New("host x: header: not supported")
	}
	hosts := []string{"docker.io", "127.0.0.1:5050", "mirrored.test", "plain.test", "ca.test", "blocked.test", "localhost:5000", "digest-only.test", "header.test", "docker.io"}
	want := []string{"blocked.test", "ca.test", "digest-only.test", "header.test", "mirrored.test", "plain.test"}
	if got := hostsDirUnfollowed(lookup, hosts); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := hostsDirUnfollowed(nil, hosts); got != nil {
		t.Errorf("no lookup: %q", got)
	}
}

func TestBuildkitdRegistries(t *testing.T) {
	regs := []Registry{
		{Host: "mirrored.test", Endpoints: []Endpoint{{Host: "127.0.0.1:5050", Insecure: true}, {Host: "mirrored.test"}}},
		{Host: "elsewhere.test", Endpoints: []Endpoint{{Host: "localhost:5000"}}},
		{Host: "ca.test", Endpoints: []Endpoint{{Host: "ca.test", Certs: []string{"ca"}}}},
		{Host: "ca-file.test", Endpoints: []Endpoint{{Host: "127.0.0.1:5052", Certs: []string{"ca"}, CAFiles: []string{"/state/certs/0.crt"}}, {Host: "ca-file.test"}}},
		{Host: "client.test", Endpoints: []Endpoint{{Host: "client.test", Certs: []string{"ca", "client"}, CAFiles: []string{"/c.crt"}}}},
		{Host: "blocked.test"},
		{Host: "digest-only.test", Endpoints: []Endpoint{{Host: "m.test", DigestOnly: true}, {Host: "digest-only.test"}}},
	}
	config, followed, err := BuildkitdRegistries(regs)
	if err != nil {
		t.Fatal(err)
	}
	want := `[registry]
[registry.'127.0.0.1:5050']
http = true
insecure = true

[registry.'127.0.0.1:5052']
http = false
ca = ['/state/certs/0.crt']

[registry.'ca-file.test']
mirrors = ['127.0.0.1:5052']

[registry.'elsewhere.test']
mirrors = ['localhost:5000']

[registry.'localhost:5000']
http = false

[registry.'mirrored.test']
mirrors = ['127.0.0.1:5050']
`
	if config != want {
		t.Errorf("config:\n%s\nwant:\n%s", config, want)
	}
	if !slices.Equal(followed, []string{"ca-file.test", "elsewhere.test", "mirrored.test"}) {
		t.Errorf("followed: %q", followed)
	}
}
