package containerd

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"berth.dev/berth/internal/builder"
)

// hostsDirWith writes one hosts.toml per registry host.
func hostsDirWith(t *testing.T, files map[string]string) *Runtime {
	t.Helper()
	dir := t.TempDir()
	for host, text := range files {
		if err := os.MkdirAll(filepath.Join(dir, host), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, host, "hosts.toml"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &Runtime{o: Options{HostsDir: dir}}
}

func TestBuildRegistries(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	selfSignedCA(t, ca)
	r := hostsDirWith(t, map[string]string{
		"ca.berth.test": "[host.\"https://m.berth.test\"]\n  ca = \"" + ca + "\"\n",
		"registry.berth.test": `server = "https://registry.berth.test"
[host."http://127.0.0.1:5050"]
  capabilities = ["pull", "resolve"]
[host."https://pinned.berth.test"]
  capabilities = ["pull"]
[host."https://push.berth.test"]
  capabilities = ["push"]
`,
		"insecure.berth.test": `server = "https://insecure.berth.test"
[host."https://127.0.0.1:5052"]
  capabilities = ["pull", "resolve", "push"]
  skip_verify = true
`,
		"verified.berth.test": `[host."https://127.0.0.1:5052"]
  skip_verify = false
`,
		"docker.io": `server = "https://registry-1.docker.io"
[host."http://127.0.0.1:5050"]
  capabilities = ["pull", "resolve"]
`,
	})
	lookup := r.buildRegistries(context.Background())
	for host, want := range map[string][]builder.Endpoint{
		"registry.berth.test": {{Host: "127.0.0.1:5050", Insecure: true}, {Host: "pinned.berth.test", DigestOnly: true}, {Host: "registry.berth.test"}},
		"insecure.berth.test": {{Host: "127.0.0.1:5052", Insecure: true}, {Host: "insecure.berth.test"}},
		"verified.berth.test": {{Host: "127.0.0.1:5052"}, {Host: "verified.berth.test"}},
		"docker.io":           {{Host: "127.0.0.1:5050", Insecure: true}, {Host: "docker.io"}},
		"ca.berth.test":       {{Host: "m.berth.test", Certs: []string{"ca"}}, {Host: "ca.berth.test"}},
		// No hosts.toml: containerd's defaults, plain HTTP for localhost with a port.
		"127.0.0.1:5051":   {{Host: "127.0.0.1:5051", Insecure: true}},
		"other.berth.test": {{Host: "other.berth.test"}},
	} {
		got, err := lookup(host)
		if err != nil {
			t.Errorf("%s: %v", host, err)
			continue
		}
		if got.Host != host || !reflect.DeepEqual(got.Endpoints, want) {
			t.Errorf("%s: got %+v, want %+v", host, got.Endpoints, want)
		}
	}
}

func TestBuildRegistriesRefuseWhatBuildahCannotDo(t *testing.T) {
	r := hostsDirWith(t, map[string]string{
		"header.berth.test":  "[host.\"https://m.berth.test\"]\n  [host.\"https://m.berth.test\".header]\n    x-token = \"t\"\n",
		"resolve.berth.test": "[host.\"https://m.berth.test\"]\n  capabilities = [\"resolve\"]\n",
		"path.berth.test":    "[host.\"https://m.berth.test/mirror/v2\"]\n  override_path = true\n",
	})
	lookup := r.buildRegistries(context.Background())
	for host, want := range map[string]string{
		"header.berth.test":  "host m.berth.test: header:",
		"resolve.berth.test": "host m.berth.test: capabilities resolve without pull",
		"path.berth.test":    "host m.berth.test: API path /mirror/v2",
	} {
		_, err := lookup(host)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "registry "+host+" in the hosts dir "+r.o.HostsDir) {
			t.Errorf("%s: got %v, want an error with %q", host, err, want)
		}
	}
}

// selfSignedCA writes a CA certificate that containerd can load.
func selfSignedCA(t *testing.T, path string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "berth test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRegistryCAFiles(t *testing.T) {
	r := hostsDirWith(t, map[string]string{
		"ca.berth.test":    "ca = \"own.crt\"\n[host.\"https://m.berth.test:5000\"]\n  ca = [\"/etc/m1.crt\", \"m2.crt\"]\n[host.\"127.0.0.1:5052\"]\n  ca = \"/l.crt\"\n",
		"plain.berth.test": "[host.\"https://m.berth.test\"]\n  skip_verify = true\n",
	})
	got, err := r.registryCAFiles("ca.berth.test")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(r.o.HostsDir, "ca.berth.test")
	want := map[string][]string{
		"ca.berth.test":     {filepath.Join(dir, "own.crt")},
		"m.berth.test:5000": {"/etc/m1.crt", filepath.Join(dir, "m2.crt")},
		"127.0.0.1:5052":    {"/l.crt"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, host := range []string{"plain.berth.test", "none.berth.test"} {
		if got, err := r.registryCAFiles(host); err != nil || len(got) != 0 {
			t.Errorf("%s: %v, %v; want none", host, got, err)
		}
	}
}
