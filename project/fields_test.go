package project

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

var update = flag.Bool("update", false, "rewrite docs/compatibility.md")

// yamlNames lists the compose names of a struct type's fields, through inline structs.
func yamlNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || strings.HasPrefix(name, "#") {
			continue
		}
		if strings.Contains(opts, "inline") && f.Type.Kind() == reflect.Struct {
			out = append(out, yamlNames(f.Type)...)
			continue
		}
		if name != "" {
			out = append(out, name)
		}
	}
	return out
}

// Every field compose-go knows is classified: upgrading compose-go can never add a
// field berth would ignore in silence.
func TestEveryFieldClassified(t *testing.T) {
	for _, c := range []struct {
		typ   reflect.Type
		table map[string]Support
	}{
		{reflect.TypeOf(types.Project{}), ProjectFields},
		{reflect.TypeOf(types.ServiceConfig{}), ServiceFields},
		{reflect.TypeOf(types.NetworkConfig{}), NetworkFields},
		{reflect.TypeOf(types.VolumeConfig{}), VolumeFields},
		{reflect.TypeOf(types.BuildConfig{}), BuildFields},
	} {
		known := map[string]bool{}
		for _, name := range yamlNames(c.typ) {
			known[name] = true
			if _, ok := c.table[name]; !ok {
				t.Errorf("%s: field %q is not in berth's table", c.typ.Name(), name)
			}
		}
		for name := range c.table {
			if !known[name] {
				t.Errorf("%s: the table has %q, which compose-go does not", c.typ.Name(), name)
			}
		}
	}
}

// The Kubernetes column has a row for every field of the tables, and no other.
func TestKubeColumnCoversEveryField(t *testing.T) {
	for _, c := range []struct {
		name        string
		table, kube map[string]Support
	}{
		{"project", ProjectFields, KubeProjectFields},
		{"service", ServiceFields, KubeServiceFields},
		{"network", NetworkFields, KubeNetworkFields},
		{"volume", VolumeFields, KubeVolumeFields},
	} {
		for name := range c.table {
			if _, ok := c.kube[name]; !ok {
				t.Errorf("%s field %q has no Kubernetes entry in project/fields_kube.go", c.name, name)
			}
		}
		for name := range c.kube {
			if _, ok := c.table[name]; !ok {
				t.Errorf("%s field %q is in the Kubernetes column but not in the field table", c.name, name)
			}
		}
	}
}

func TestCompatibilityDocIsCurrent(t *testing.T) {
	path := filepath.Join("..", "docs", "compatibility.md")
	want := CompatibilityDoc()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("docs/compatibility.md is stale (%v): run `make docs`", err)
	}
}
